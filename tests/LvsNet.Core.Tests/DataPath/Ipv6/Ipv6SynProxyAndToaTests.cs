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

/// <summary>
/// IPv6 services with <c>toa</c> and <c>syn_proxy</c>. Expected frames are written byte by byte
/// (<see cref="Nat64Bytes"/>: DPVS's TOA layout — kind 254, length 20, port, 16-byte address — and
/// RFC 8200 §8.1 checksums); PacketDotNet decodes and checks every checksum the director wrote.
/// </summary>
public class Ipv6SynProxyAndToaTests
{
    private const int Eth = 14;
    private const ushort ClientPort = 40000;
    private const uint ClientIsn = 1_000_000;
    private const uint ServerIsn = 3_000_000_000;
    private static readonly Ipv6Address Local = Ipv6Address.Parse("2001:db8::50");

    [Fact]
    public void FullNatToa_TheHandshakeAck_Carries20ByteIpv6Toa_ByteForByte_OnlyOnce()
    {
        var h = Service("fullnat", toa: true, synProxy: false);
        h.Feed(Nat64Bytes.Ipv6Frame(Client, Vip, IpProtocol.Tcp, Nat64Bytes.TcpSegment(ClientPort, 80, ClientIsn, 0, 0x02, [2, 4, 0x05, 0xA0], 0)));
        var syn = Assert.Single(h.Device.Sent);
        var localPort = BinaryPrimitives.ReadUInt16BigEndian(syn.AsSpan(Eth + 40));
        Assert.Equal(40 + 24, syn.Length - Eth);
        h.Device.Sent.Clear();

        h.Feed(Nat64Bytes.Ipv6Frame(Client, Vip, IpProtocol.Tcp, Nat64Bytes.TcpSegment(ClientPort, 80, ClientIsn + 1, 2001, 0x10, [], 0)));
        var ack = Assert.Single(h.Device.Sent);
        var expected = Nat64Bytes.Ipv6Frame(Local, Rs1, IpProtocol.Tcp, Nat64Bytes.TcpSegment(localPort, NatTcpPort, ClientIsn + 1, 2001, 0x10, Toa(Client, ClientPort), 0), hopLimit: 63, source: DirectorMac, destination: Rs1Mac);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(ack));
        Assert.True(DecodeTcp(ack).ValidTcpChecksum, "TCP checksum (PacketDotNet)");
        Assert.Equal(1, h.Processor.Counters.ToaInserted);
        h.Device.Sent.Clear();

        // The next segment goes as it came.
        h.Feed(Nat64Bytes.Ipv6Frame(Client, Vip, IpProtocol.Tcp, Nat64Bytes.TcpSegment(ClientPort, 80, ClientIsn + 1, 2001, 0x18, [], 10)));
        Assert.Equal(Eth + 40 + 20 + 10, Assert.Single(h.Device.Sent).Length);
        Assert.Equal(1, h.Processor.Counters.ToaInserted);
    }

    [Fact]
    public void FullNatToa_NoRoomUnderTheMtu_TheSegmentGoesWithoutAndNoLaterOneGetsIt()
    {
        var h = Service("fullnat", toa: true, synProxy: false);
        h.Feed(Nat64Bytes.Ipv6Frame(Client, Vip, IpProtocol.Tcp, Nat64Bytes.TcpSegment(ClientPort, 80, ClientIsn, 0, 0x02, [], 0)));
        h.Device.Sent.Clear();

        // 40 + 20 + 1440 = 1500: 20 more bytes would pass the MTU.
        h.Feed(Nat64Bytes.Ipv6Frame(Client, Vip, IpProtocol.Tcp, Nat64Bytes.TcpSegment(ClientPort, 80, ClientIsn + 1, 2001, 0x18, [], 1440)));
        h.Feed(Nat64Bytes.Ipv6Frame(Client, Vip, IpProtocol.Tcp, Nat64Bytes.TcpSegment(ClientPort, 80, ClientIsn + 1441, 2001, 0x10, [], 0)));

        Assert.Equal([Eth + 1500, Eth + 60], h.Device.Sent.Select(f => f.Length));
        Assert.All(h.Device.Sent, f => Assert.True(DecodeTcp(f).ValidTcpChecksum));
        Assert.Equal(0, h.Processor.Counters.ToaInserted);
    }

    [Fact]
    public void Nat64Toa_TheIpv4Ack_CarriesTheClientsIpv6AddressIn20ByteToa_ByteForByte()
    {
        var h = Nat64Service(toa: true);
        h.Feed(Nat64Bytes.Ipv6Frame(Client, Vip, IpProtocol.Tcp, Nat64Bytes.TcpSegment(ClientPort, 80, ClientIsn, 0, 0x02, [], 0)));
        var localPort = BinaryPrimitives.ReadUInt16BigEndian(Assert.Single(h.Device.Sent).AsSpan(Eth + 20));
        h.Device.Sent.Clear();

        h.Feed(Nat64Bytes.Ipv6Frame(Client, Vip, IpProtocol.Tcp, Nat64Bytes.TcpSegment(ClientPort, 80, ClientIsn + 1, 2001, 0x10, [], 0)));
        var ack = Assert.Single(h.Device.Sent);
        var identification = BinaryPrimitives.ReadUInt16BigEndian(ack.AsSpan(Eth + 4));
        var expected = Nat64Bytes.Ipv4Frame(Rs1Mac, DirectorMac, 0, identification, dontFragment: false, ttl: 63, IpProtocol.Tcp, Nat64Tests.Local4, Nat64Tests.Rs1v4,
            Nat64Bytes.TcpSegment(localPort, NatTcpPort, ClientIsn + 1, 2001, 0x10, Toa(Client, ClientPort), 0));
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(ack));
        Assert.Equal(1, h.Processor.Counters.ToaInserted);
    }

    [Fact]
    public void SynProxy_Syn_IsAnsweredWithACookieSynAck_NothingKept_NothingToTheServers()
    {
        var h = Service("nat", toa: false, synProxy: true);
        h.Feed(Nat64Bytes.Ipv6Frame(Client, Vip, IpProtocol.Tcp, Nat64Bytes.TcpSegment(ClientPort, 80, ClientIsn, 0, 0x02, [2, 4, 0x05, 0xA0, 1, 3, 3, 7], 0)));

        var synAck = Assert.Single(h.Device.Sent);
        Assert.Equal(ClientMac, MacAddress.Read(synAck));
        var ip = Decode(synAck);
        var tcp = Assert.IsType<TcpPacket>(ip.PayloadPacket);
        Assert.Equal((Vip.ToIPAddress(), Client.ToIPAddress()), (ip.SourceAddress, ip.DestinationAddress));
        Assert.Equal((80, ClientPort), (tcp.SourcePort, tcp.DestinationPort));
        Assert.True(tcp.Synchronize && tcp.Acknowledgment && !tcp.Reset);
        Assert.Equal(ClientIsn + 1, tcp.AcknowledgmentNumber);
        Assert.True(tcp.ValidTcpChecksum, "TCP checksum (PacketDotNet)");

        // MSS 1440 is in the table; no window scale (a cookie cannot remember it).
        Assert.Equal([2, 4, 0x05, 0xA0], tcp.Options);
        Assert.Equal(0, h.Processor.Table6.Count);
    }

    [Fact]
    public void SynProxy_Nat_ValidAck_OpensTheServerHalf_ThenSplicesBothDirections()
    {
        var h = Service("nat", toa: false, synProxy: true);
        ResolveClient(h);
        var cookie = CookieFor(h);
        h.Feed(Nat64Bytes.Ipv6Frame(Client, Vip, IpProtocol.Tcp, Nat64Bytes.TcpSegment(ClientPort, 80, ClientIsn + 1, cookie + 1, 0x10, [], 0)));

        // The SYN the client would have sent: from its address and port, its ISN, the cookie's MSS.
        var syn = Assert.Single(h.Device.Sent);
        Assert.Equal(Rs1Mac, MacAddress.Read(syn));
        var expectedSyn = Nat64Bytes.Ipv6Frame(Client, Rs1, IpProtocol.Tcp, SegmentWithWindow(Nat64Bytes.TcpSegment(ClientPort, NatTcpPort, ClientIsn, 0, 0x02, [2, 4, 0x05, 0xA0], 0), 65535), source: DirectorMac, destination: Rs1Mac);
        Assert.Equal(Convert.ToHexString(expectedSyn), Convert.ToHexString(syn));
        h.Device.Sent.Clear();

        // The server's SYN-ACK is answered by the director; nothing reaches the client.
        h.Feed(Nat64Bytes.Ipv6Frame(Rs1, Client, IpProtocol.Tcp, Nat64Bytes.TcpSegment(NatTcpPort, ClientPort, ServerIsn, ClientIsn + 1, 0x12, [2, 4, 0x05, 0xA0], 0), source: Rs1Mac));
        var ack = Assert.Single(h.Device.Sent);
        Assert.Equal(Rs1Mac, MacAddress.Read(ack));
        var expectedAck = Nat64Bytes.Ipv6Frame(Client, Rs1, IpProtocol.Tcp, SegmentWithWindow(Nat64Bytes.TcpSegment(ClientPort, NatTcpPort, ClientIsn + 1, ServerIsn + 1, 0x10, [], 0), 65535), source: DirectorMac, destination: Rs1Mac);
        Assert.Equal(Convert.ToHexString(expectedAck), Convert.ToHexString(ack));
        h.Device.Sent.Clear();

        // Client data acknowledges the cookie: the server sees its own ISN acknowledged.
        h.Feed(Nat64Bytes.Ipv6Frame(Client, Vip, IpProtocol.Tcp, Nat64Bytes.TcpSegment(ClientPort, 80, ClientIsn + 1, cookie + 1, 0x18, [], 100)));
        var toServer = DecodeTcp(Assert.Single(h.Device.Sent));
        Assert.Equal((ClientIsn + 1, ServerIsn + 1, NatTcpPort), (toServer.SequenceNumber, toServer.AcknowledgmentNumber, toServer.DestinationPort));
        Assert.True(toServer.ValidTcpChecksum);
        h.Device.Sent.Clear();

        // Server data comes to the client in the cookie's sequence space, from VIP:80.
        h.Feed(Nat64Bytes.Ipv6Frame(Rs1, Client, IpProtocol.Tcp, Nat64Bytes.TcpSegment(NatTcpPort, ClientPort, ServerIsn + 1, ClientIsn + 101, 0x18, [], 200), source: Rs1Mac));
        var sent = Assert.Single(h.Device.Sent);
        Assert.Equal(ClientMac, MacAddress.Read(sent));
        var toClient = DecodeTcp(sent);
        Assert.Equal((cookie + 1, ClientIsn + 101, (ushort)80), (toClient.SequenceNumber, toClient.AcknowledgmentNumber, toClient.SourcePort));
        Assert.True(toClient.ValidTcpChecksum);
        Assert.Equal(ConnectionState.Established, h.Processor.Table6[h.Processor.Table6.Find(new(IpProtocol.Tcp, Client, ClientPort, Vip, 80))].State);
    }

    [Fact]
    public void SynProxy_FullNatWithToa_TheDirectorsAckToTheServer_CarriesTheIpv6Toa()
    {
        var h = Service("fullnat", toa: true, synProxy: true);
        var cookie = CookieFor(h);
        h.Feed(Nat64Bytes.Ipv6Frame(Client, Vip, IpProtocol.Tcp, Nat64Bytes.TcpSegment(ClientPort, 80, ClientIsn + 1, cookie + 1, 0x10, [], 0)));
        var syn = Assert.Single(h.Device.Sent);
        Assert.Equal(Local.ToIPAddress(), Decode(syn).SourceAddress);
        var localPort = BinaryPrimitives.ReadUInt16BigEndian(syn.AsSpan(Eth + 40));
        Assert.Equal(0x02, syn[Eth + 40 + 13]);
        h.Device.Sent.Clear();

        h.Feed(Nat64Bytes.Ipv6Frame(Rs1, Local, IpProtocol.Tcp, Nat64Bytes.TcpSegment(NatTcpPort, localPort, ServerIsn, ClientIsn + 1, 0x12, [], 0), source: Rs1Mac));
        var ack = Assert.Single(h.Device.Sent);
        var expected = Nat64Bytes.Ipv6Frame(Local, Rs1, IpProtocol.Tcp, SegmentWithWindow(Nat64Bytes.TcpSegment(localPort, NatTcpPort, ClientIsn + 1, ServerIsn + 1, 0x10, Toa(Client, ClientPort), 0), 65535), source: DirectorMac, destination: Rs1Mac);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(ack));
        Assert.True(DecodeTcp(ack).ValidTcpChecksum);
        Assert.Equal(1, h.Processor.Counters.ToaInserted);
    }

    [Fact]
    public void SynProxy_Nat64_TheIpv4ServerHalfOpensFromTheLocalAddress_ItsAckCarriesTheIpv6Toa_ThenSpliced()
    {
        var h = Nat64Service(toa: true, synProxy: true);
        ResolveClient(h);
        var cookie = CookieFor(h);
        h.Feed(Nat64Bytes.Ipv6Frame(Client, Vip, IpProtocol.Tcp, Nat64Bytes.TcpSegment(ClientPort, 80, ClientIsn + 1, cookie + 1, 0x10, [], 0)));

        // The IPv4 SYN from LIP4:lport, the client's ISN and the cookie's MSS (TTL 64, DF).
        var syn = Assert.Single(h.Device.Sent);
        var localPort = BinaryPrimitives.ReadUInt16BigEndian(syn.AsSpan(Eth + 20));
        var expectedSyn = Nat64Bytes.Ipv4Frame(Rs1Mac, DirectorMac, 0, BinaryPrimitives.ReadUInt16BigEndian(syn.AsSpan(Eth + 4)), dontFragment: true, ttl: 64, IpProtocol.Tcp, Nat64Tests.Local4, Nat64Tests.Rs1v4,
            SegmentWithWindow(Nat64Bytes.TcpSegment(localPort, NatTcpPort, ClientIsn, 0, 0x02, [2, 4, 0x05, 0xA0], 0), 65535));
        Assert.Equal(Convert.ToHexString(expectedSyn), Convert.ToHexString(syn));
        h.Device.Sent.Clear();

        // The server's SYN-ACK stays here; the director's ACK carries the client's IPv6 address in the 20-byte TOA.
        h.Feed(Nat64Bytes.Ipv4Frame(DirectorMac, Rs1Mac, 0, 9, dontFragment: true, ttl: 64, IpProtocol.Tcp, Nat64Tests.Rs1v4, Nat64Tests.Local4,
            Nat64Bytes.TcpSegment(NatTcpPort, localPort, ServerIsn, ClientIsn + 1, 0x12, [2, 4, 0x05, 0xB4], 0)));
        var ack = Assert.Single(h.Device.Sent);
        var expectedAck = Nat64Bytes.Ipv4Frame(Rs1Mac, DirectorMac, 0, BinaryPrimitives.ReadUInt16BigEndian(ack.AsSpan(Eth + 4)), dontFragment: true, ttl: 64, IpProtocol.Tcp, Nat64Tests.Local4, Nat64Tests.Rs1v4,
            SegmentWithWindow(Nat64Bytes.TcpSegment(localPort, NatTcpPort, ClientIsn + 1, ServerIsn + 1, 0x10, Toa(Client, ClientPort), 0), 65535));
        Assert.Equal(Convert.ToHexString(expectedAck), Convert.ToHexString(ack));
        Assert.Equal(1, h.Processor.Counters.ToaInserted);
        h.Device.Sent.Clear();

        // Client data (IPv6) reaches the server (IPv4) acknowledging its ISN; its data comes back in the cookie's space.
        h.Feed(Nat64Bytes.Ipv6Frame(Client, Vip, IpProtocol.Tcp, Nat64Bytes.TcpSegment(ClientPort, 80, ClientIsn + 1, cookie + 1, 0x18, [], 100)));
        var toServer = Assert.IsType<TcpPacket>(Assert.IsType<IPv4Packet>(Assert.IsType<EthernetPacket>(Packet.ParsePacket(LinkLayers.Ethernet, Assert.Single(h.Device.Sent))).PayloadPacket).PayloadPacket);
        Assert.Equal((ClientIsn + 1, ServerIsn + 1, 100), (toServer.SequenceNumber, toServer.AcknowledgmentNumber, toServer.PayloadData.Length));
        Assert.True(toServer.ValidTcpChecksum);
        h.Device.Sent.Clear();

        h.Feed(Nat64Bytes.Ipv4Frame(DirectorMac, Rs1Mac, 0, 10, dontFragment: true, ttl: 64, IpProtocol.Tcp, Nat64Tests.Rs1v4, Nat64Tests.Local4,
            Nat64Bytes.TcpSegment(NatTcpPort, localPort, ServerIsn + 1, ClientIsn + 101, 0x18, [], 200)));
        var sent = Assert.Single(h.Device.Sent);
        Assert.Equal(ClientMac, MacAddress.Read(sent));
        var toClient = DecodeTcp(sent);
        Assert.Equal((cookie + 1, ClientIsn + 101, (ushort)80), (toClient.SequenceNumber, toClient.AcknowledgmentNumber, toClient.SourcePort));
        Assert.True(toClient.ValidTcpChecksum);
    }

    [Fact]
    public void SynProxy_AckWithoutAValidCookie_OrSpoofedSyns_ReachNoServer_AndTakeNoEntry()
    {
        var h = Service("nat", toa: false, synProxy: true);
        var cookie = CookieFor(h);
        h.Feed(Nat64Bytes.Ipv6Frame(Client, Vip, IpProtocol.Tcp, Nat64Bytes.TcpSegment(ClientPort, 80, ClientIsn + 1, cookie + 9, 0x10, [], 0)));
        h.Feed(Nat64Bytes.Ipv6Frame(Client, Vip, IpProtocol.Tcp, Nat64Bytes.TcpSegment(ClientPort, 80, ClientIsn + 2, cookie + 1, 0x10, [], 0)));
        h.Feed(Nat64Bytes.Ipv6Frame(Client, Vip, IpProtocol.Tcp, Nat64Bytes.TcpSegment(ClientPort + 1, 80, ClientIsn + 1, cookie + 1, 0x10, [], 0)));
        Assert.Empty(h.Device.Sent);
        Assert.Equal(3, h.Processor.Counters[DropReason.SynCookieInvalid]);

        for (var i = 0; i < 500; i++)
        {
            var spoofed = new Ipv6Address(Client.Value + (UInt128)(1000 + i));
            h.Feed(Nat64Bytes.Ipv6Frame(spoofed, Vip, IpProtocol.Tcp, Nat64Bytes.TcpSegment((ushort)(1024 + i), 80, (uint)i, 0, 0x02, [], 0)));
        }

        Assert.Equal(500, h.Device.Sent.Count);
        Assert.All(h.Device.Sent, f => Assert.Equal(ClientMac, MacAddress.Read(f)));
        Assert.Equal(0, h.Processor.Table6.Count);
    }

    [Fact]
    public void SynProxy_ServerResets_TheClientGetsAResetInTheCookiesSpace()
    {
        var h = Service("nat", toa: false, synProxy: true);
        ResolveClient(h);
        var cookie = CookieFor(h);
        h.Feed(Nat64Bytes.Ipv6Frame(Client, Vip, IpProtocol.Tcp, Nat64Bytes.TcpSegment(ClientPort, 80, ClientIsn + 1, cookie + 1, 0x10, [], 0)));
        h.Device.Sent.Clear();
        h.Feed(Nat64Bytes.Ipv6Frame(Rs1, Client, IpProtocol.Tcp, Nat64Bytes.TcpSegment(NatTcpPort, ClientPort, 0, ClientIsn + 1, 0x14, [], 0), source: Rs1Mac));

        var ip = Decode(Assert.Single(h.Device.Sent));
        var rst = Assert.IsType<TcpPacket>(ip.PayloadPacket);
        Assert.Equal(Vip.ToIPAddress(), ip.SourceAddress);
        Assert.True(rst.Reset && rst.ValidTcpChecksum);
        Assert.Equal(cookie + 1, rst.SequenceNumber);
        Assert.Equal(0, h.Processor.Table6.Count);
    }

    [Fact]
    public void SynProxy_SplicedTrafficAndCookieAnswers_AllocateNothing()
    {
        var h = Service("fullnat", toa: true, synProxy: true);
        ResolveClient(h);
        const int Flows = 200;
        var frames = new List<byte[]>(3 * Flows);
        for (var i = 0; i < Flows; i++)
        {
            var port = (ushort)(20000 + i);
            h.Device.Sent.Clear();
            h.Feed(Nat64Bytes.Ipv6Frame(Client, Vip, IpProtocol.Tcp, Nat64Bytes.TcpSegment(port, 80, ClientIsn, 0, 0x02, [], 0)));
            var cookie = BinaryPrimitives.ReadUInt32BigEndian(h.Device.Sent[0].AsSpan(Eth + 40 + 4));
            h.Feed(Nat64Bytes.Ipv6Frame(Client, Vip, IpProtocol.Tcp, Nat64Bytes.TcpSegment(port, 80, ClientIsn + 1, cookie + 1, 0x10, [], 0)));
            var syn = h.Device.Sent[^1];
            var (server, mac) = (Ipv6Address.Read(syn.AsSpan(Eth + 24)), MacAddress.Read(syn));
            var localPort = BinaryPrimitives.ReadUInt16BigEndian(syn.AsSpan(Eth + 40));
            h.Feed(Nat64Bytes.Ipv6Frame(server, Local, IpProtocol.Tcp, Nat64Bytes.TcpSegment(NatTcpPort, localPort, ServerIsn, ClientIsn + 1, 0x12, [], 0), source: mac));
            frames.Add(Nat64Bytes.Ipv6Frame(Client, Vip, IpProtocol.Tcp, Nat64Bytes.TcpSegment(port, 80, ClientIsn + 1, cookie + 1, 0x18, [], 512)));
            frames.Add(Nat64Bytes.Ipv6Frame(server, Local, IpProtocol.Tcp, Nat64Bytes.TcpSegment(NatTcpPort, localPort, ServerIsn + 1, ClientIsn + 1, 0x18, [], 512), source: mac));
            frames.Add(Nat64Bytes.Ipv6Frame(Client, Vip, IpProtocol.Tcp, Nat64Bytes.TcpSegment((ushort)(50000 + i), 80, (uint)i, 0, 0x02, [], 0)));
        }

        Assert.Equal(Flows, h.Processor.Table6.Count);
        Assert.Equal(Flows, h.Processor.Counters.ToaInserted);
        h.Device.Record = false;
        for (var i = 0; i < 6_000; i++)
        {
            var frame = frames[i % frames.Count];
            h.Processor.OnFrame(frame, frame.Length);
        }

        var sentBefore = h.Device.Count;
        var before = AllocationMeter.Start();
        for (var i = 0; i < 60_000; i++)
        {
            var frame = frames[i % frames.Count];
            h.Processor.OnFrame(frame, frame.Length);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(60_000, h.Device.Count - sentBefore);
        Assert.Equal(0, allocated);
    }

    // DPVS's tcpopt_ip6_addr: kind 254 (TCP_OPT_ADDR), length 20 (TCP_OLEN_IP6_ADDR), the port and the address in network order.
    private static byte[] Toa(Ipv6Address address, ushort port)
    {
        var option = new byte[20];
        option[0] = 254;
        option[1] = 20;
        option[2] = (byte)(port >> 8);
        option[3] = (byte)port;
        address.WriteTo(option.AsSpan(4));
        return option;
    }

    private static byte[] SegmentWithWindow(byte[] segment, ushort window)
    {
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(14), window);
        return segment;
    }

    private static uint CookieFor(Ipv6Harness h)
    {
        h.Device.Sent.Clear();
        h.Feed(Nat64Bytes.Ipv6Frame(Client, Vip, IpProtocol.Tcp, Nat64Bytes.TcpSegment(ClientPort, 80, ClientIsn, 0, 0x02, [2, 4, 0x05, 0xA0], 0)));
        var cookie = DecodeTcp(Assert.Single(h.Device.Sent)).SequenceNumber;
        h.Device.Sent.Clear();
        return cookie;
    }

    private static void ResolveClient(Ipv6Harness h)
    {
        h.Processor.Neighbours6.TryResolve(Client, h.Processor.Now, out _);
        h.Feed(Advertisement(Client, ClientMac, solicited: true));
        h.Device.Sent.Clear();
    }

    private static IPv6Packet Decode(byte[] frame) =>
        Assert.IsType<IPv6Packet>(Assert.IsType<EthernetPacket>(Packet.ParsePacket(LinkLayers.Ethernet, frame)).PayloadPacket);

    private static TcpPacket DecodeTcp(byte[] frame) => Assert.IsType<TcpPacket>(Decode(frame).PayloadPacket);

    private static Ipv6Harness Service(string method, bool toa, bool synProxy)
    {
        var local = method == "fullnat" ? $"\n    local_addresses: [{Local}]" : string.Empty;
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
                toa: {{(toa ? "true" : "false")}}
                syn_proxy: {{(synProxy ? "true" : "false")}}{{local}}
                real_servers:
                  - address: {{Rs1}}
                    port: {{NatTcpPort}}
                    method: {{method}}
                  - address: {{Rs2}}
                    port: {{NatTcpPort}}
                    method: {{method}}
            """);
        var h = new Ipv6Harness(edit: _ => config, address6: Ipv6Address.Parse("2001:db8::2"));
        h.ResolveRealServers();
        return h;
    }

    private static Ipv6Harness Nat64Service(bool toa, bool synProxy = false)
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
                toa: {{(toa ? "true" : "false")}}
                syn_proxy: {{(synProxy ? "true" : "false")}}
                local_addresses: [{{Ipv4Address.Format(Nat64Tests.Local4)}}]
                real_servers:
                  - address: 10.77.0.11
                    port: {{NatTcpPort}}
                    method: fullnat
            """);
        var h = new Ipv6Harness(edit: _ => config, address6: Ipv6Address.Parse("2001:db8::2"));
        h.Feed(FrameBuilder.Arp(LvsNet.Packets.ArpOperation.Reply, Rs1Mac, Nat64Tests.Rs1v4, DirectorMac, Nat64Tests.Dip));
        h.Device.Sent.Clear();
        return h;
    }
}
