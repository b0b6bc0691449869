using System.Buffers.Binary;
using LvsNet.Core.Configuration;
using LvsNet.Core.DataPath;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;
using LvsNet.Testing;
using Xunit;
using static LvsNet.Core.Tests.DataPath.Ipv6.Ipv6Harness;

namespace LvsNet.Core.Tests.DataPath.Ipv6;

/// <summary>
/// NAT64 (an IPv6 VIP to IPv4 fullnat servers). The frames the director should send are written
/// here byte by byte from RFC 7915's rules (§5.1 for IPv6 → IPv4, §4.1 for IPv4 → IPv6) and their
/// checksums computed by <see cref="Nat64Bytes"/>, a plain sum over the pseudo-header and the
/// segment, never by LvsNet's code; PacketDotNet decodes the results too.
/// </summary>
public class Nat64Tests
{
    private const int Eth = 14;
    internal static readonly uint Dip = Ipv4Address.Parse("10.77.0.2");
    internal static readonly uint Local4 = Ipv4Address.Parse("10.77.0.50");
    internal static readonly uint Rs1v4 = Ipv4Address.Parse("10.77.0.11");
    internal static readonly uint Rs2v4 = Ipv4Address.Parse("10.77.0.12");

    [Fact]
    public void Syn_BecomesTheIpv4PacketOfRfc7915_ByteForByte()
    {
        var h = Nat64();
        // Traffic class 0x28 (AF11), hop limit 64, the MSS option 1440 and a timestamp-like NOP pair.
        byte[] options = [2, 4, 0x05, 0xA0, 1, 1, 4, 2];
        var syn = Nat64Bytes.Ipv6Frame(Client, Vip, IpProtocol.Tcp, Nat64Bytes.TcpSegment(40000, 80, 1000, 0, 0x02, options, 5), hopLimit: 64, trafficClass: 0x28);
        h.Feed(syn);

        var sent = Assert.Single(h.Device.Sent);
        Assert.Equal(Rs1Mac, MacAddress.Read(sent));
        Assert.Equal(DirectorMac, MacAddress.Read(sent.AsSpan(6)));
        var localPort = BinaryPrimitives.ReadUInt16BigEndian(sent.AsSpan(Eth + 20));
        var identification = BinaryPrimitives.ReadUInt16BigEndian(sent.AsSpan(Eth + 4));
        Assert.InRange(localPort, 1024, 65535);
        Assert.NotEqual(0, identification);

        // RFC 7915 §5.1: TOS = traffic class, length without the IPv6 header, DF clear (≤ 1,260 bytes)
        // with an identification, TTL = hop limit − 1, protocol 6, LIP4 → RIP; the segment to 8080.
        var expected = Nat64Bytes.Ipv4Frame(Rs1Mac, DirectorMac, 0x28, identification, dontFragment: false, ttl: 63, IpProtocol.Tcp, Local4, Rs1v4,
            Nat64Bytes.TcpSegment(localPort, NatTcpPort, 1000, 0, 0x02, options, 5));
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(sent));
        var tcp = IndependentDecoder.Tcp(sent);
        Assert.Equal(NatTcpPort, tcp.DestinationPort);
    }

    [Fact]
    public void ExtensionHeaders_AreWalkedAndDropped_LargePacket_GetsDf_AndIdentificationZero()
    {
        var h = Nat64();
        var segment = Nat64Bytes.TcpSegment(40001, 80, 1000, 0, 0x02, [], 1300);
        var plain = Nat64Bytes.Ipv6Frame(Client, Vip, IpProtocol.Tcp, segment, hopLimit: 9);
        // Destination options (60), 8 bytes of PadN, in front of TCP.
        h.Feed(WithExtensionHeader(plain, 60, [0, 0, 1, 4, 0, 0, 0, 0]));

        var sent = Assert.Single(h.Device.Sent);
        var localPort = BinaryPrimitives.ReadUInt16BigEndian(sent.AsSpan(Eth + 20));
        var expected = Nat64Bytes.Ipv4Frame(Rs1Mac, DirectorMac, 0, 0, dontFragment: true, ttl: 8, IpProtocol.Tcp, Local4, Rs1v4,
            Nat64Bytes.TcpSegment(localPort, NatTcpPort, 1000, 0, 0x02, [], 1300));
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(sent));
    }

    [Fact]
    public void Syn_WithAnMssLargerThanFitsTranslatedBack_IsClamped_ChecksumStillRight()
    {
        var h = Nat64();
        // MSS 8960 (a jumbo-frame client) at an odd option offset (after one NOP): the clamp spans two words.
        byte[] options = [1, 2, 4, 0x23, 0x00, 1, 1, 1];
        h.Feed(Nat64Bytes.Ipv6Frame(Client, Vip, IpProtocol.Tcp, Nat64Bytes.TcpSegment(40002, 80, 1000, 0, 0x02, options, 0)));

        var sent = Assert.Single(h.Device.Sent);
        var localPort = BinaryPrimitives.ReadUInt16BigEndian(sent.AsSpan(Eth + 20));
        var identification = BinaryPrimitives.ReadUInt16BigEndian(sent.AsSpan(Eth + 4));

        // 1500 − 40 (IPv6) − 20 (TCP) = 1440 = 0x05A0: a reply segment of that size fits once translated.
        byte[] clamped = [1, 2, 4, 0x05, 0xA0, 1, 1, 1];
        var expected = Nat64Bytes.Ipv4Frame(Rs1Mac, DirectorMac, 0, identification, dontFragment: false, ttl: 63, IpProtocol.Tcp, Local4, Rs1v4,
            Nat64Bytes.TcpSegment(localPort, NatTcpPort, 1000, 0, 0x02, clamped, 0));
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(sent));
    }

    [Fact]
    public void Reply_BecomesTheIpv6PacketOfRfc7915_ByteForByte_AndTheConnectionSeesIt()
    {
        var h = Nat64();
        var localPort = OpenTcp(h, 40000);

        var reply = Nat64Bytes.Ipv4Frame(DirectorMac, Rs1Mac, 0x10, 0x2222, dontFragment: true, ttl: 64, IpProtocol.Tcp, Rs1v4, Local4,
            Nat64Bytes.TcpSegment(NatTcpPort, localPort, 5000, 1001, 0x12, [2, 4, 0x05, 0xB4], 3));
        h.Feed(reply);

        var sent = Assert.Single(h.Device.Sent);
        // RFC 7915 §4.1: traffic class = TOS, flow label 0, hop limit = TTL − 1, VIP:80 → client:40000.
        var expected = Nat64Bytes.Ipv6Frame(Vip, Client, IpProtocol.Tcp, Nat64Bytes.TcpSegment(80, 40000, 5000, 1001, 0x12, [2, 4, 0x05, 0xB4], 3), hopLimit: 63, trafficClass: 0x10, source: DirectorMac, destination: ClientMac);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(sent));
        Assert.Equal(0, h.Processor.Counters.TotalDropped);

        h.Feed(Nat64Bytes.Ipv6Frame(Client, Vip, IpProtocol.Tcp, Nat64Bytes.TcpSegment(40000, 80, 1001, 5001, 0x10, [], 0)));
        var entry = h.Processor.Table6[h.Processor.Table6.Find(new(IpProtocol.Tcp, Client, 40000, Vip, 80))];
        Assert.Equal(LvsNet.Core.Connections.ConnectionState.Established, entry.State);
        Assert.Equal(Nat64Translator.MapIpv4(Local4), entry.LocalAddress);
        Assert.True(h.Processor.Table.LocalPorts.IsInUse(IpProtocol.Tcp, Local4, localPort));
    }

    [Fact]
    public void Reply_FromAnotherServerOrPort_OrToAFreePort_IsDropped()
    {
        var h = Nat64();
        var localPort = OpenTcp(h, 40000);
        h.Feed(FrameBuilder.Tcp(DirectorMac, Rs2Mac, Rs2v4, NatTcpPort, Local4, localPort, TcpFlags.Rst));
        h.Feed(FrameBuilder.Tcp(DirectorMac, Rs1Mac, Rs1v4, 9999, Local4, localPort, TcpFlags.Rst));
        h.Feed(FrameBuilder.Tcp(DirectorMac, Rs1Mac, Rs1v4, NatTcpPort, Local4, (ushort)(localPort + 1), TcpFlags.Rst));
        Assert.Empty(h.Device.Sent);
        Assert.Equal(3, h.Processor.Counters[DropReason.NoConnection]);
    }

    [Fact]
    public void Udp_RoundTrip_ZeroIpv4ChecksumIsComputedForIpv6()
    {
        var h = Nat64();
        h.Feed(Nat64Bytes.Ipv6Frame(Client, Vip, IpProtocol.Udp, Nat64Bytes.UdpDatagram(5000, 53, [1, 2, 3, 4, 5])));
        var sent = Assert.Single(h.Device.Sent);
        var localPort = BinaryPrimitives.ReadUInt16BigEndian(sent.AsSpan(Eth + 20));
        var identification = BinaryPrimitives.ReadUInt16BigEndian(sent.AsSpan(Eth + 4));
        var expected = Nat64Bytes.Ipv4Frame(Rs1Mac, DirectorMac, 0, identification, dontFragment: false, ttl: 63, IpProtocol.Udp, Local4, Rs1v4,
            Nat64Bytes.UdpDatagram(localPort, NatUdpPort, [1, 2, 3, 4, 5]));
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(sent));
        IndependentDecoder.Udp(sent);
        h.Device.Sent.Clear();

        // RFC 7915 §4.5: the server sends no checksum (0); the IPv6 datagram must have one.
        var reply = Nat64Bytes.Ipv4Frame(DirectorMac, Rs1Mac, 0, 7, dontFragment: false, ttl: 64, IpProtocol.Udp, Rs1v4, Local4,
            Nat64Bytes.UdpDatagram(NatUdpPort, localPort, [9, 8, 7], withChecksum: false));
        h.Feed(reply);
        var back = Assert.Single(h.Device.Sent);
        var expectedBack = Nat64Bytes.Ipv6Frame(Vip, Client, IpProtocol.Udp, Nat64Bytes.UdpDatagram(53, 5000, [9, 8, 7]), hopLimit: 63, source: DirectorMac, destination: ClientMac);
        Assert.Equal(Convert.ToHexString(expectedBack), Convert.ToHexString(back));
        Assert.NotEqual(0, BinaryPrimitives.ReadUInt16BigEndian(back.AsSpan(Eth + 40 + 6)));
    }

    [Fact]
    public void Reply_TooBigOnceTranslated_WithDf_GetsFragmentationNeededWithMtuMinus20_WithoutDf_IsFragmented()
    {
        var h = Nat64();
        var localPort = OpenTcp(h, 40000);

        // 1,480 bytes of IPv4 payload + 40 = 1,520 > 1,500.
        var big = Nat64Bytes.Ipv4Frame(DirectorMac, Rs1Mac, 0, 1, dontFragment: true, ttl: 64, IpProtocol.Tcp, Rs1v4, Local4,
            Nat64Bytes.TcpSegment(NatTcpPort, localPort, 5000, 1001, 0x10, [], 1460));
        h.Feed(big);
        var error = Assert.Single(h.Device.Sent);
        Assert.Equal(Rs1Mac, MacAddress.Read(error));
        var icmp = IndependentDecoder.Icmp(error);
        Assert.Equal(3, icmp.Bytes[0]);
        Assert.Equal(4, icmp.Bytes[1]);
        Assert.Equal(1480, BinaryPrimitives.ReadUInt16BigEndian(icmp.Bytes.AsSpan(6)));
        Assert.Equal(Local4, BinaryPrimitives.ReadUInt32BigEndian(error.AsSpan(Eth + 12)));
        Assert.Equal(1, h.Processor.Counters[DropReason.Nat64PacketTooBig]);
        h.Device.Sent.Clear();

        // Without DF the network may fragment it: RFC 7915 §4 IPv6 fragments of at most 1,280 bytes (Nat64FragmentTests has their bytes).
        var bigNoDf = Nat64Bytes.Ipv4Frame(DirectorMac, Rs1Mac, 0, 2, dontFragment: false, ttl: 64, IpProtocol.Tcp, Rs1v4, Local4,
            Nat64Bytes.TcpSegment(NatTcpPort, localPort, 5000, 1001, 0x10, [], 1460));
        h.Feed(bigNoDf);
        Assert.Equal([1280, 40 + 8 + 248], h.Device.Sent.Select(f => f.Length - Eth));
        Assert.All(h.Device.Sent, f => Assert.Equal(ClientMac, MacAddress.Read(f)));
        Assert.Equal(1, h.Processor.Counters[DropReason.Nat64PacketTooBig]);
    }

    [Fact]
    public void Nat64AndIpv4FullNat_OnOneLocalAddress_NeverShareAPort_AndRepliesFindTheirConnection()
    {
        var h = Nat64(withIpv4Service: true);
        var vip4 = Ipv4Address.Parse("10.77.0.100");
        var ports = new HashSet<ushort>();
        for (var i = 0; i < 20; i++)
        {
            h.Device.Sent.Clear();
            h.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Ipv4Address.Parse("10.77.0.10"), (ushort)(30000 + i), vip4, 80, TcpFlags.Syn));
            Assert.True(ports.Add(BinaryPrimitives.ReadUInt16BigEndian(Assert.Single(h.Device.Sent).AsSpan(Eth + 20))));
            Assert.True(ports.Add(OpenTcp(h, (ushort)(40000 + i))));
        }

        // The last NAT64 connection's port answers as NAT64 (an IPv6 frame to the client).
        h.Feed(Tcp(Client, 41000, TcpFlags.Syn));
        var syn = Assert.Single(h.Device.Sent);
        var last = BinaryPrimitives.ReadUInt16BigEndian(syn.AsSpan(Eth + 20));
        var (server, mac) = MacAddress.Read(syn) == Rs1Mac ? (Rs1v4, Rs1Mac) : (Rs2v4, Rs2Mac);
        h.Device.Sent.Clear();
        h.Feed(FrameBuilder.Tcp(DirectorMac, mac, server, NatTcpPort, Local4, last, TcpFlags.Syn | TcpFlags.Ack, acknowledgment: 1001));
        var sent = Assert.Single(h.Device.Sent);
        Assert.Equal(0x86DD, BinaryPrimitives.ReadUInt16BigEndian(sent.AsSpan(12)));
    }

    [Fact]
    public void ExpiredConnection_ReturnsItsIpv4LocalPort()
    {
        var h = Nat64();
        var localPort = OpenTcp(h, 40000);
        Assert.True(h.Processor.Table.LocalPorts.IsInUse(IpProtocol.Tcp, Local4, localPort));
        h.Advance(TimeSpan.FromSeconds(70));
        Assert.Equal(0, h.Processor.Table6.Count);
        Assert.False(h.Processor.Table.LocalPorts.IsInUse(IpProtocol.Tcp, Local4, localPort));
    }

    [Fact]
    public void EstablishedNat64Flows_AllocateNothingPerPacket_BothDirections()
    {
        var h = Nat64(tableCapacity: 1 << 16);
        const int Flows = 1000;
        var frames = new List<byte[]>(2 * Flows);
        for (var i = 0; i < Flows; i++)
        {
            var port = (ushort)(10000 + i);
            h.Device.Sent.Clear();
            h.Feed(Tcp(Client, port, TcpFlags.Syn));
            var syn = h.Device.Sent[^1];
            var (server, mac) = MacAddress.Read(syn) == Rs1Mac ? (Rs1v4, Rs1Mac) : (Rs2v4, Rs2Mac);
            frames.Add(Tcp(Client, port, TcpFlags.Ack | TcpFlags.Psh, 512));
            frames.Add(FrameBuilder.Tcp(DirectorMac, mac, server, NatTcpPort, Local4, BinaryPrimitives.ReadUInt16BigEndian(syn.AsSpan(Eth + 20)), TcpFlags.Ack | TcpFlags.Psh, 512, acknowledgment: 1001));
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

    /// <summary>A NAT64 director: IPv6 VIP 2001:db8::100 (tcp/80 and udp/53) to IPv4 fullnat servers from 10.77.0.50; the servers and the client resolved.</summary>
    internal static Ipv6Harness Nat64(int tableCapacity = 1024, bool withIpv4Service = false, int mtu = 1500)
    {
        var ipv4Service = withIpv4Service ? $$"""

              - protocol: tcp
                address: 10.77.0.100
                port: 80
                local_addresses: [{{Ipv4Address.Format(Local4)}}]
                real_servers:
                  - address: 10.77.0.12
                    port: 8080
                    method: fullnat
            """ : string.Empty;
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
                local_addresses: [{{Ipv4Address.Format(Local4)}}]
                real_servers:
                  - address: 10.77.0.11
                    port: {{NatTcpPort}}
                    method: fullnat
                  - address: 10.77.0.12
                    port: {{NatTcpPort}}
                    method: fullnat
              - protocol: udp
                address: {{Vip}}
                port: 53
                local_addresses: [{{Ipv4Address.Format(Local4)}}]
                real_servers:
                  - address: 10.77.0.11
                    port: {{NatUdpPort}}
                    method: fullnat{{ipv4Service}}
            """);
        var h = new Ipv6Harness(tableCapacity: tableCapacity, edit: _ => config, address6: Ipv6Address.Parse("2001:db8::2"), mtu: mtu);
        h.Feed(FrameBuilder.Arp(ArpOperation.Reply, Rs1Mac, Rs1v4, DirectorMac, Dip));
        h.Feed(FrameBuilder.Arp(ArpOperation.Reply, Rs2Mac, Rs2v4, DirectorMac, Dip));
        h.Processor.Neighbours6.TryResolve(Client, h.Processor.Now, out _);
        h.Feed(Advertisement(Client, ClientMac, solicited: true));
        h.Device.Sent.Clear();
        return h;
    }

    /// <summary>Opens a NAT64 TCP connection from the client's <paramref name="clientPort"/> (to rs1 under rr when it is the first) and returns its local port.</summary>
    internal static ushort OpenTcp(Ipv6Harness h, ushort clientPort)
    {
        h.Device.Sent.Clear();
        h.Feed(Tcp(Client, clientPort, TcpFlags.Syn));
        var port = BinaryPrimitives.ReadUInt16BigEndian(Assert.Single(h.Device.Sent).AsSpan(Eth + 20));
        h.Device.Sent.Clear();
        return port;
    }
}
