using System.Buffers.Binary;
using LvsNet.Core.Configuration;
using LvsNet.Core.Connections;
using LvsNet.Core.DataPath;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;
using LvsNet.Testing;
using PacketDotNet;
using Xunit;
using static LvsNet.Core.Tests.DataPath.Ipv6.Ipv6Harness;

namespace LvsNet.Core.Tests.DataPath.Ipv6;

/// <summary>FULLNAT over IPv6: expected frames from RFC 8200 §8.1 (the pseudo-header) and PacketDotNet's decoder, not from the code under test.</summary>
public class Ipv6FullNatTests
{
    private const int Ip = 14;
    private const int L4 = 14 + 40;
    private static readonly Ipv6Address Local = Ipv6Address.Parse("2001:db8::50");

    [Fact]
    public void Syn_LeavesFromTheLocalAddressAndAPoolPort_ToTheRealServerPort_ChecksumGood_HopLimitDecremented()
    {
        var h = FullNat();
        var syn = Tcp(Client, 40000, TcpFlags.Syn, payload: 5, hopLimit: 64);
        h.Feed(syn);

        var sent = Assert.Single(h.Device.Sent);
        Assert.Equal(Rs1Mac, MacAddress.Read(sent));
        Assert.Equal(DirectorMac, MacAddress.Read(sent.AsSpan(6)));
        var ip = Decode(sent);
        Assert.Equal(63, ip.HopLimit);
        Assert.Equal(Local.ToIPAddress(), ip.SourceAddress);
        Assert.Equal(Rs1.ToIPAddress(), ip.DestinationAddress);
        var tcp = Assert.IsType<TcpPacket>(ip.PayloadPacket);
        Assert.InRange(tcp.SourcePort, LocalPortAllocatorFirst, 65535);
        Assert.Equal(NatTcpPort, tcp.DestinationPort);
        Assert.True(tcp.ValidTcpChecksum, "TCP checksum (PacketDotNet)");
        Assert.Equal(0xFFFF, OnesSum(sent));

        // Sequence numbers, flags, window and payload are as the client sent them.
        Assert.True(syn.AsSpan(L4 + 4, 12).SequenceEqual(sent.AsSpan(L4 + 4, 12)));
        Assert.True(syn.AsSpan(L4 + 18).SequenceEqual(sent.AsSpan(L4 + 18)));

        var entry = h.Processor.Table6[h.Processor.Table6.Find(new(IpProtocol.Tcp, Client, 40000, Vip, 80))];
        Assert.Equal(Local, entry.LocalAddress);
        Assert.Equal(tcp.SourcePort, entry.LocalPort);
        Assert.True(h.Processor.Table.LocalPorts.IsInUse(IpProtocol.Tcp, Local, entry.LocalPort));
    }

    [Fact]
    public void Reply_ToTheLocalPort_BecomesVipToClient_ChecksumGood()
    {
        var h = FullNat();
        ResolveClient(h);
        h.Feed(Tcp(Client, 40000, TcpFlags.Syn));
        var localPort = SourcePort(Assert.Single(h.Device.Sent));
        h.Device.Sent.Clear();

        h.Feed(TcpReply(Rs1, Rs1Mac, Local, localPort, TcpFlags.Syn | TcpFlags.Ack, serverPort: NatTcpPort));
        var reply = Assert.Single(h.Device.Sent);
        Assert.Equal(ClientMac, MacAddress.Read(reply));
        var ip = Decode(reply);
        Assert.Equal(63, ip.HopLimit);
        Assert.Equal(Vip.ToIPAddress(), ip.SourceAddress);
        Assert.Equal(Client.ToIPAddress(), ip.DestinationAddress);
        var tcp = Assert.IsType<TcpPacket>(ip.PayloadPacket);
        Assert.Equal(80, tcp.SourcePort);
        Assert.Equal(40000, tcp.DestinationPort);
        Assert.True(tcp.ValidTcpChecksum, "TCP checksum (PacketDotNet)");
        Assert.Equal(0xFFFF, OnesSum(reply));
        Assert.Equal(0, h.Processor.Counters.TotalDropped);

        // The connection saw the reply: the next client ACK makes it ESTABLISHED by the normal table.
        h.Feed(Tcp(Client, 40000, TcpFlags.Ack));
        Assert.Equal(ConnectionState.Established, h.Processor.Table6[h.Processor.Table6.Find(new(IpProtocol.Tcp, Client, 40000, Vip, 80))].State);
    }

    [Fact]
    public void Reply_FromAnotherAddressOrPort_OrToAFreePort_IsDropped()
    {
        var h = FullNat();
        ResolveClient(h);
        h.Feed(Tcp(Client, 40000, TcpFlags.Syn));
        var localPort = SourcePort(Assert.Single(h.Device.Sent));
        h.Device.Sent.Clear();

        h.Feed(TcpReply(Rs2, Rs2Mac, Local, localPort, TcpFlags.Rst, serverPort: NatTcpPort));
        h.Feed(TcpReply(Rs1, Rs1Mac, Local, localPort, TcpFlags.Rst, serverPort: 9999));
        h.Feed(TcpReply(Rs1, Rs1Mac, Local, (ushort)(localPort + 1), TcpFlags.Rst, serverPort: NatTcpPort));
        Assert.Empty(h.Device.Sent);
        Assert.Equal(3, h.Processor.Counters[DropReason.NoConnection]);
    }

    [Fact]
    public void Udp_RoundTrip_ThroughTheLocalAddress()
    {
        var h = FullNat();
        ResolveClient(h);
        h.Feed(Udp(Client, 5000, payload: 11));
        var sent = Assert.Single(h.Device.Sent);
        var ip = Decode(sent);
        Assert.Equal(Local.ToIPAddress(), ip.SourceAddress);
        var udp = Assert.IsType<UdpPacket>(ip.PayloadPacket);
        Assert.Equal(NatUdpPort, udp.DestinationPort);
        Assert.True(udp.ValidUdpChecksum, "UDP checksum (PacketDotNet)");
        h.Device.Sent.Clear();

        h.Feed(UdpBetween(Rs1, NatUdpPort, Local, udp.SourcePort, [1, 2, 3], Rs1Mac));
        var reply = Decode(Assert.Single(h.Device.Sent));
        Assert.Equal(Vip.ToIPAddress(), reply.SourceAddress);
        Assert.Equal(Client.ToIPAddress(), reply.DestinationAddress);
        var back = Assert.IsType<UdpPacket>(reply.PayloadPacket);
        Assert.Equal(53, back.SourcePort);
        Assert.Equal(5000, back.DestinationPort);
        Assert.True(back.ValidUdpChecksum, "UDP checksum (PacketDotNet)");
    }

    [Fact]
    public void NeighbourSolicitation_ForTheLocalAddress_IsAnswered_OthersAreNot()
    {
        var h = FullNat();
        h.Feed(Solicitation(Local, Rs1, Rs1Mac));
        var advertisement = Assert.Single(h.Device.Sent);
        Assert.Equal(136, advertisement[L4]);
        Assert.Equal(Local, Ipv6Address.Read(advertisement.AsSpan(L4 + 8)));
        Assert.Equal(Rs1Mac, MacAddress.Read(advertisement));
        h.Device.Sent.Clear();

        h.Feed(Solicitation(Ipv6Address.Parse("2001:db8::51"), Rs1, Rs1Mac));
        Assert.Empty(h.Device.Sent);
    }

    [Fact]
    public void ExpiredConnection_ReturnsItsLocalPort_AndAReplyToItIsDropped()
    {
        var h = FullNat();
        h.Feed(Tcp(Client, 40000, TcpFlags.Syn));
        var localPort = SourcePort(Assert.Single(h.Device.Sent));
        Assert.True(h.Processor.Table.LocalPorts.IsInUse(IpProtocol.Tcp, Local, localPort));

        // SYN_RECV lasts 60 s (IPVS); a few seconds more and the entry is gone.
        h.Advance(TimeSpan.FromSeconds(70));
        Assert.Equal(0, h.Processor.Table6.Count);
        Assert.False(h.Processor.Table.LocalPorts.IsInUse(IpProtocol.Tcp, Local, localPort));
        h.Device.Sent.Clear();
        h.Feed(TcpReply(Rs1, Rs1Mac, Local, localPort, TcpFlags.Syn | TcpFlags.Ack, serverPort: NatTcpPort));
        Assert.Empty(h.Device.Sent);
    }

    [Fact]
    public void TooBigForTheMtu_GetsPacketTooBig_NoConnection()
    {
        var h = FullNat(mtu: 1280);
        h.Feed(Tcp(Client, 40000, TcpFlags.Syn, payload: 1300));
        var error = Decode(Assert.Single(h.Device.Sent));
        var icmp = Assert.IsType<IcmpV6Packet>(error.PayloadPacket);
        Assert.Equal(IcmpV6Type.PacketTooBig, icmp.Type);
        Assert.Equal(1280u, BinaryPrimitives.ReadUInt32BigEndian(icmp.Bytes.AsSpan(4)));
        Assert.Equal(0, h.Processor.Table6.Count);
    }

    [Fact]
    public void EstablishedIpv6FullNatFlows_AllocateNothingPerPacket_BothDirections()
    {
        var h = FullNat(tableCapacity: 1 << 16);
        ResolveClient(h);
        const int Flows = 1000;
        var frames = new List<byte[]>(2 * Flows);
        for (var i = 0; i < Flows; i++)
        {
            var port = (ushort)(10000 + i);
            h.Device.Sent.Clear();
            h.Feed(Tcp(Client, port, TcpFlags.Syn));
            var syn = h.Device.Sent[^1];
            var (server, mac) = MacAddress.Read(syn) == Rs1Mac ? (Rs1, Rs1Mac) : (Rs2, Rs2Mac);
            frames.Add(Tcp(Client, port, TcpFlags.Ack | TcpFlags.Psh, 512));
            frames.Add(TcpReply(server, mac, Local, SourcePort(syn), TcpFlags.Ack | TcpFlags.Psh, 512, serverPort: NatTcpPort));
        }

        h.Device.Record = false;
        for (var i = 0; i < 20_000; i++)
        {
            var frame = frames[i % frames.Count];
            h.Processor.OnFrame(frame, frame.Length);
        }

        var sentBefore = h.Device.Count;
        var before = AllocationMeter.Start();
        for (var i = 0; i < 100_000; i++)
        {
            var frame = frames[i % frames.Count];
            h.Processor.OnFrame(frame, frame.Length);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(100_000, h.Device.Count - sentBefore);
        Assert.Equal(0, allocated);
    }

    private const int LocalPortAllocatorFirst = 1024;

    private static Ipv6Harness FullNat(int tableCapacity = 1024, int mtu = 1500)
    {
        var config = LvsConfigReader.Parse($$"""
            director:
              interface: fake0
              address: 10.77.0.2/24
              address6: 2001:db8::2/64
            virtual_services:
              - protocol: tcp
                address: {{Vip}}
                port: 80
                scheduler: rr
                local_addresses: [{{Local}}]
                real_servers:
                  - address: {{Rs1}}
                    port: {{NatTcpPort}}
                    method: fullnat
                  - address: {{Rs2}}
                    port: {{NatTcpPort}}
                    method: fullnat
              - protocol: udp
                address: {{Vip}}
                port: 53
                scheduler: rr
                local_addresses: [{{Local}}]
                real_servers:
                  - address: {{Rs1}}
                    port: {{NatUdpPort}}
                    method: fullnat
            """);
        var h = new Ipv6Harness(tableCapacity: tableCapacity, edit: _ => config, address6: Ipv6Address.Parse("2001:db8::2"), mtu: mtu);
        h.ResolveRealServers();
        return h;
    }

    private static void ResolveClient(Ipv6Harness h)
    {
        h.Processor.Neighbours6.TryResolve(Client, h.Processor.Now, out _);
        h.Feed(Advertisement(Client, ClientMac, solicited: true));
        h.Device.Sent.Clear();
    }

    private static IPv6Packet Decode(byte[] frame) =>
        Assert.IsType<IPv6Packet>(Assert.IsType<EthernetPacket>(Packet.ParsePacket(LinkLayers.Ethernet, frame)).PayloadPacket);

    private static ushort SourcePort(byte[] frame) => BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(L4));

    // RFC 8200 §8.1: the ones'-complement sum over the pseudo-header (source, destination,
    // upper-layer length, next header) and the whole segment is 0xFFFF when the checksum is right.
    private static ushort OnesSum(byte[] frame)
    {
        var length = (frame[Ip + 4] << 8) | frame[Ip + 5];
        ulong sum = 0;
        for (var i = Ip + 8; i < Ip + 40; i += 2)
        {
            sum += (uint)((frame[i] << 8) | frame[i + 1]);
        }

        sum += (uint)length;
        sum += frame[Ip + 6];
        for (var i = 0; i < length; i += 2)
        {
            sum += (uint)((frame[L4 + i] << 8) | (i + 1 < length ? frame[L4 + i + 1] : 0));
        }

        while (sum > 0xFFFF)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)sum;
    }
}
