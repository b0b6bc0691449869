using System.Buffers.Binary;
using System.Net.NetworkInformation;
using LvsNet.Core.Configuration;
using LvsNet.Packets;
using LvsNet.Packets.Writing;
using LvsNet.Testing;
using Xunit;
using static LvsNet.Core.Tests.DataPath.DataPathHarness;
using Decode = LvsNet.Testing.IndependentDecoder;
using Pdn = PacketDotNet;

namespace LvsNet.Core.Tests.DataPath.Forwarding;

/// <summary>
/// Every kind of frame the data path writes (DR, NAT both ways, TUN, FULLNAT both ways with the TOA
/// option, ICMP errors and echo replies, ARP) decoded by PacketDotNet, whose parsers and checksum
/// arithmetic share no code with LvsNet's. Expected values come from the frame fed in and from the
/// forwarding rules of the reference (ipvs-semantics.md), never from LvsNet's own parsers.
/// </summary>
public class IndependentDecodingTests
{
    private static readonly PhysicalAddress Director = Decode.Mac("02:00:00:00:00:02");
    private static readonly PhysicalAddress ClientHw = Decode.Mac("02:00:00:00:00:10");
    private static readonly PhysicalAddress Rs1Hw = Decode.Mac("02:00:00:00:00:11");
    private static readonly uint Local = Ipv4Address.Parse("10.77.0.50");

    private static DataPathHarness WithMethod(ForwardingMethod method, ushort realPort = 80, bool toa = false, IpProtocol protocol = IpProtocol.Tcp)
    {
        var h = new DataPathHarness(c => EditService(c, s => s with
        {
            Protocol = protocol,
            Port = protocol == IpProtocol.Udp ? (ushort)53 : s.Port,
            LocalAddresses = method == ForwardingMethod.FullNat ? [Local] : s.LocalAddresses,
            Toa = toa,
            RealServers = [.. s.RealServers.Select(r => r with { Method = method, Port = realPort })],
        }));
        h.ResolveRealServers();
        FullNatForwardingTests.ResolveClient(h);
        return h;
    }

    [Fact]
    public void DirectRouting_ChangesOnlyMacsTtlAndIpChecksum()
    {
        var h = WithMethod(ForwardingMethod.DirectRouting);
        var syn = h.ClientTcp(40000, TcpFlags.Syn, 100, ttl: 64);
        h.Feed(syn);

        var sent = Assert.Single(h.Device.Sent);
        var ethernet = Decode.Ethernet(sent);
        Assert.Equal((Rs1Hw, Director), (ethernet.DestinationHardwareAddress, ethernet.SourceHardwareAddress));
        var ip = Decode.Ipv4(sent);
        Assert.Equal((Decode.Address(Client), Decode.Address(Vip)), (ip.SourceAddress, ip.DestinationAddress));
        Assert.Equal(63, ip.TimeToLive);
        var tcp = Decode.Tcp(ip);
        Assert.Equal((40000, 80), (tcp.SourcePort, tcp.DestinationPort));
        Assert.True(tcp.Synchronize);
        Assert.Equal(syn.AsSpan(14 + 20).ToArray(), tcp.Bytes);
    }

    [Fact]
    public void Nat_InboundIsDnated_AndTheReplySnated_WithValidChecksums()
    {
        var h = WithMethod(ForwardingMethod.Nat, realPort: 8080);
        h.Feed(h.ClientTcp(40000, TcpFlags.Syn, 100));
        var inbound = Assert.Single(h.Device.Sent);
        Assert.Equal(Rs1Hw, Decode.Ethernet(inbound).DestinationHardwareAddress);
        var ip = Decode.Ipv4(inbound);
        Assert.Equal((Decode.Address(Client), Decode.Address(Rs1)), (ip.SourceAddress, ip.DestinationAddress));
        Assert.Equal(63, ip.TimeToLive);
        var tcp = Decode.Tcp(ip);
        Assert.Equal((40000, 8080), (tcp.SourcePort, tcp.DestinationPort));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (byte)i), tcp.PayloadData);

        h.Device.Sent.Clear();
        h.Feed(FrameBuilder.Tcp(DirectorMac, Rs1Mac, Rs1, 8080, Client, 40000, TcpFlags.Syn | TcpFlags.Ack, 20, acknowledgment: 1001));
        var reply = Assert.Single(h.Device.Sent);
        var ethernet = Decode.Ethernet(reply);
        Assert.Equal((ClientHw, Director), (ethernet.DestinationHardwareAddress, ethernet.SourceHardwareAddress));
        ip = Decode.Ipv4(reply);
        Assert.Equal((Decode.Address(Vip), Decode.Address(Client)), (ip.SourceAddress, ip.DestinationAddress));
        tcp = Decode.Tcp(ip);
        Assert.Equal((80, 40000), (tcp.SourcePort, tcp.DestinationPort));
        Assert.True(tcp.Synchronize && tcp.Acknowledgment);
        Assert.Equal(1001u, tcp.AcknowledgmentNumber);
    }

    [Fact]
    public void Nat_UdpWithoutChecksum_LeavesWithAFullValidChecksum()
    {
        var h = WithMethod(ForwardingMethod.Nat, realPort: 5353, protocol: IpProtocol.Udp);
        var datagram = FrameBuilder.Udp(DirectorMac, ClientMac, Client, 3333, Vip, 53, 12);
        datagram[14 + 20 + 6] = 0;
        datagram[14 + 20 + 7] = 0;
        h.Feed(datagram);
        var udp = Decode.Udp(Assert.Single(h.Device.Sent));
        Assert.Equal((3333, 5353), (udp.SourcePort, udp.DestinationPort));
        Assert.Equal(Decode.Address(Rs1), ((Pdn.IPv4Packet)udp.ParentPacket).DestinationAddress);
    }

    [Fact]
    public void Tunnel_WrapsTheUnchangedPacketInAnIpipHeaderFromTheDirector()
    {
        var h = WithMethod(ForwardingMethod.Tunnel);
        var syn = h.ClientTcp(40000, TcpFlags.Syn, 100, ttl: 50);
        h.Feed(syn);

        var sent = Assert.Single(h.Device.Sent);
        Assert.Equal(Rs1Hw, Decode.Ethernet(sent).DestinationHardwareAddress);
        var (outer, inner) = Decode.Ipip(sent);
        Assert.Equal((Decode.Address(Dip), Decode.Address(Rs1)), (outer.SourceAddress, outer.DestinationAddress));
        Assert.Equal(5, outer.HeaderLength);
        Assert.Equal(20 + 20 + 20 + 100, outer.TotalLength);
        Assert.Equal(49, outer.TimeToLive);

        // DF copied from the inner header (the reference: IPVS sets DF on the outer header when the inner has it).
        Assert.Equal(0b010, outer.FragmentFlags);
        Assert.Equal((Decode.Address(Client), Decode.Address(Vip)), (inner.SourceAddress, inner.DestinationAddress));
        Assert.Equal(49, inner.TimeToLive);
        var tcp = Decode.Tcp(inner);
        Assert.Equal((40000, 80), (tcp.SourcePort, tcp.DestinationPort));
        Assert.Equal(syn.AsSpan(14 + 20).ToArray(), tcp.Bytes);
    }

    [Fact]
    public void FullNat_RewritesBothEnds_InsertsToaOnTheFirstAck_AndUnNatsReplies()
    {
        var h = WithMethod(ForwardingMethod.FullNat, realPort: 8080, toa: true);
        h.Feed(h.ClientTcp(40000, TcpFlags.Syn));
        var syn = Decode.Tcp(Assert.Single(h.Device.Sent));
        var synIp = (Pdn.IPv4Packet)syn.ParentPacket;
        Assert.Equal((Decode.Address(Local), Decode.Address(Rs1)), (synIp.SourceAddress, synIp.DestinationAddress));
        Assert.Equal(8080, syn.DestinationPort);
        var localPort = syn.SourcePort;
        Assert.Equal(5, syn.DataOffset);

        h.Device.Sent.Clear();
        h.Feed(h.ClientTcp(40000, TcpFlags.Ack, 10));
        var ack = Decode.Tcp(Assert.Single(h.Device.Sent));
        Assert.Equal((localPort, 8080), (ack.SourcePort, ack.DestinationPort));

        // TOA: kind 254, length 8, the client's port, then its address (the layout Alibaba's toa module reads).
        Assert.Equal(7, ack.DataOffset);
        var option = ack.Options;
        Assert.Equal(8, option.Length);
        Assert.Equal(254, option[0]);
        Assert.Equal(8, option[1]);
        Assert.Equal(40000, BinaryPrimitives.ReadUInt16BigEndian(option.AsSpan(2)));
        Assert.Equal(Decode.Address(Client), new System.Net.IPAddress(option.AsSpan(4, 4)));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (byte)i), ack.PayloadData);
        Assert.Equal(20 + 28 + 10, ((Pdn.IPv4Packet)ack.ParentPacket).TotalLength);

        h.Device.Sent.Clear();
        h.Feed(FrameBuilder.Tcp(DirectorMac, Rs1Mac, Rs1, 8080, Local, localPort, TcpFlags.Ack, 30));
        var reply = Decode.Tcp(Assert.Single(h.Device.Sent));
        var replyIp = (Pdn.IPv4Packet)reply.ParentPacket;
        Assert.Equal((Decode.Address(Vip), Decode.Address(Client)), (replyIp.SourceAddress, replyIp.DestinationAddress));
        Assert.Equal((80, 40000), (reply.SourcePort, reply.DestinationPort));
        Assert.Equal(30, reply.PayloadData.Length);
    }

    [Fact]
    public void NoAvailableServer_PortUnreachableFromTheVip_QuotesTheClientsPacket()
    {
        var h = new DataPathHarness("rr", 1024, (Rs1, 0), (Rs2, 0));
        h.ResolveRealServers();
        h.Feed(h.ClientTcp(6000, TcpFlags.Syn));
        var sent = Assert.Single(h.Device.Sent);
        Assert.Equal(ClientHw, Decode.Ethernet(sent).DestinationHardwareAddress);
        var icmp = Decode.Icmp(sent);
        Assert.Equal((3 << 8) | 3, (int)icmp.TypeCode);
        var ip = (Pdn.IPv4Packet)icmp.ParentPacket;
        Assert.Equal((Decode.Address(Vip), Decode.Address(Client)), (ip.SourceAddress, ip.DestinationAddress));
        var (quoted, transport) = Decode.Quoted(icmp);
        Assert.Equal((Decode.Address(Client), Decode.Address(Vip)), (quoted.SourceAddress, quoted.DestinationAddress));
        Assert.Equal((6000, 80), (BinaryPrimitives.ReadUInt16BigEndian(transport), BinaryPrimitives.ReadUInt16BigEndian(transport.AsSpan(2))));
    }

    [Fact]
    public void Tunnel_TooBig_FragmentationNeededCarriesTheMtuLessTheOuterHeader()
    {
        var h = WithMethod(ForwardingMethod.Tunnel);
        h.Feed(h.ClientTcp(40000, TcpFlags.Syn));
        h.Device.Sent.Clear();
        h.Feed(h.ClientTcp(40000, TcpFlags.Ack, 1460));
        var icmp = Decode.Icmp(Assert.Single(h.Device.Sent));
        Assert.Equal((3 << 8) | 4, (int)icmp.TypeCode);

        // RFC 1191: the next-hop MTU is in the low 16 bits of the word after the checksum.
        Assert.Equal(1480, icmp.Sequence);
        var (quoted, transport) = Decode.Quoted(icmp);
        Assert.Equal(1500, quoted.TotalLength);
        Assert.Equal(40000, BinaryPrimitives.ReadUInt16BigEndian(transport));
    }

    [Fact]
    public void Nat_IcmpErrors_AreTranslatedBothWays_WithValidOuterAndQuotedChecksums()
    {
        var h = WithMethod(ForwardingMethod.Nat, realPort: 8080);
        h.Feed(h.ClientTcp(40000, TcpFlags.Syn));

        // The client reports a problem with a segment from VIP:80; the real server must see RIP:8080 quoted.
        h.Device.Sent.Clear();
        var fromService = FrameBuilder.Tcp(ClientMac, DirectorMac, Vip, 80, Client, 40000, TcpFlags.Ack);
        h.Feed(Error(DirectorMac, ClientMac, Client, fromService, 3, 4, retargetTo: Vip));
        var toServer = Decode.Icmp(Assert.Single(h.Device.Sent));
        Assert.Equal(Decode.Address(Rs1), ((Pdn.IPv4Packet)toServer.ParentPacket).DestinationAddress);
        var (quoted, transport) = Decode.Quoted(toServer);
        Assert.Equal((Decode.Address(Rs1), Decode.Address(Client)), (quoted.SourceAddress, quoted.DestinationAddress));
        Assert.Equal((8080, 40000), (BinaryPrimitives.ReadUInt16BigEndian(transport), BinaryPrimitives.ReadUInt16BigEndian(transport.AsSpan(2))));

        // The real server reports a problem with the client's segment to RIP:8080; the client must see VIP:80.
        h.Device.Sent.Clear();
        var toRealServer = FrameBuilder.Tcp(Rs1Mac, DirectorMac, Client, 40000, Rs1, 8080, TcpFlags.Ack);
        h.Feed(Error(DirectorMac, Rs1Mac, Rs1, toRealServer, 3, 3));
        var toClient = Decode.Icmp(Assert.Single(h.Device.Sent));
        var outer = (Pdn.IPv4Packet)toClient.ParentPacket;
        Assert.Equal((Decode.Address(Vip), Decode.Address(Client)), (outer.SourceAddress, outer.DestinationAddress));
        (quoted, transport) = Decode.Quoted(toClient);
        Assert.Equal((Decode.Address(Client), Decode.Address(Vip)), (quoted.SourceAddress, quoted.DestinationAddress));
        Assert.Equal((40000, 80), (BinaryPrimitives.ReadUInt16BigEndian(transport), BinaryPrimitives.ReadUInt16BigEndian(transport.AsSpan(2))));
    }

    [Fact]
    public void EchoRequestToTheVip_IsAnsweredWithIdSequenceAndDataKept()
    {
        var h = new DataPathHarness();
        h.ResolveRealServers();
        var request = new byte[14 + 20 + 8 + 16];
        EthernetWriter.WriteHeader(request, DirectorMac, ClientMac, EtherType.Ipv4);
        Ipv4Writer.WriteHeader(request.AsSpan(14), 0, 20 + 24, 7, 0, 64, IpProtocol.Icmp, Client, Vip);
        var data = Enumerable.Range(100, 16).Select(i => (byte)i).ToArray();
        IcmpWriter.WriteMessage(request.AsSpan(34), IcmpHeader.TypeEchoRequest, 0, 0x12340001, data);
        h.Feed(request);

        var reply = Decode.Icmp(Assert.Single(h.Device.Sent));
        Assert.Equal(0, (int)reply.TypeCode);
        Assert.Equal((0x1234, 0x0001), (reply.Id, reply.Sequence));
        Assert.Equal(data, reply.Data);
        var ip = (Pdn.IPv4Packet)reply.ParentPacket;
        Assert.Equal((Decode.Address(Vip), Decode.Address(Client)), (ip.SourceAddress, ip.DestinationAddress));
    }

    [Fact]
    public void ArpRequestForTheVip_IsAnsweredWithTheDirectorsMac()
    {
        var h = new DataPathHarness();
        h.Device.Sent.Clear();
        h.Feed(FrameBuilder.Arp(ArpOperation.Request, ClientMac, Client, MacAddress.Zero, Vip));
        var sent = Assert.Single(h.Device.Sent);
        var ethernet = Decode.Ethernet(sent);
        Assert.Equal((ClientHw, Director), (ethernet.DestinationHardwareAddress, ethernet.SourceHardwareAddress));
        var arp = Decode.Arp(sent);
        Assert.Equal(Pdn.ArpOperation.Response, arp.Operation);
        Assert.Equal((Director, Decode.Address(Vip)), (arp.SenderHardwareAddress, arp.SenderProtocolAddress));
        Assert.Equal((ClientHw, Decode.Address(Client)), (arp.TargetHardwareAddress, arp.TargetProtocolAddress));
    }

    [Fact]
    public void Start_ArpRequestsForRealServers_AndAGratuitousArpForTheVip_DecodeAsArp()
    {
        var h = new DataPathHarness();
        var arps = h.Device.Sent.Select(Decode.Arp).ToList();
        Assert.All(h.Device.Sent, f => Assert.Equal(PhysicalAddress.Parse("FF-FF-FF-FF-FF-FF"), Decode.Ethernet(f).DestinationHardwareAddress));
        Assert.All(arps, a => Assert.Equal(Pdn.ArpOperation.Request, a.Operation));
        Assert.Contains(arps, a => a.TargetProtocolAddress.Equals(Decode.Address(Rs1)) && a.SenderProtocolAddress.Equals(Decode.Address(Dip)));
        Assert.Contains(arps, a => a.TargetProtocolAddress.Equals(Decode.Address(Rs2)) && a.SenderProtocolAddress.Equals(Decode.Address(Dip)));

        // Gratuitous ARP (RFC 5227 announcement): sender and target address both the VIP.
        Assert.Contains(arps, a => a.TargetProtocolAddress.Equals(Decode.Address(Vip)) && a.SenderProtocolAddress.Equals(Decode.Address(Vip)) && a.SenderHardwareAddress.Equals(Director));
    }

    /// <summary>An ICMP error from <paramref name="from"/> quoting <paramref name="offending"/> (an Ethernet frame), optionally addressed elsewhere.</summary>
    private static byte[] Error(MacAddress to, MacAddress fromMac, uint from, byte[] offending, byte type, byte code, uint? retargetTo = null)
    {
        var frame = new byte[IcmpWriter.MaxErrorFrameLength];
        var length = IcmpWriter.WriteErrorFrame(frame, to, fromMac, from, offending.AsSpan(14), type, code);
        Array.Resize(ref frame, length);
        if (retargetTo is { } destination)
        {
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(14 + 16), destination);
            Ipv4Writer.UpdateChecksum(frame.AsSpan(14, 20));
        }

        return frame;
    }
}
