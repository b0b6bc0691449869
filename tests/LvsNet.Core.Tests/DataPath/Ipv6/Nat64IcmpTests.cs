using System.Buffers.Binary;
using LvsNet.Core.DataPath;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;
using LvsNet.Testing;
using Xunit;
using static LvsNet.Core.Tests.DataPath.Ipv6.Ipv6Harness;
using static LvsNet.Core.Tests.DataPath.Ipv6.Nat64Tests;

namespace LvsNet.Core.Tests.DataPath.Ipv6;

/// <summary>
/// ICMPv4 errors from the IPv4 real servers' side about NAT64 connections, translated to ICMPv6 by
/// RFC 7915 §4.2. The expected error quotes the client's own SYN (its header with the hop limit the
/// director left, its segment as the client sent it, checksum included): translating the quote back
/// must give exactly that. Checksums are computed here (<see cref="Nat64Bytes"/>).
/// </summary>
public class Nat64IcmpTests
{
    private const int Eth = 14;

    [Theory]
    [InlineData(3, 4, 1400u, 2, 0, 1420u)] // fragmentation needed, MTU 1400 → packet too big, 1420
    [InlineData(3, 4, 1492u, 2, 0, 1500u)] // MTU + 20 capped at the director's MTU
    [InlineData(3, 3, 0u, 1, 4, 0u)]       // port unreachable
    [InlineData(3, 1, 0u, 1, 0, 0u)]       // host unreachable → no route
    [InlineData(3, 13, 0u, 1, 1, 0u)]      // communication administratively prohibited
    [InlineData(3, 2, 0u, 4, 1, 6u)]       // protocol unreachable → parameter problem at the next header
    [InlineData(11, 0, 0u, 3, 0, 0u)]      // time exceeded in transit
    [InlineData(12, 0, 0x0900_0000u, 4, 0, 6u)]  // parameter problem at the protocol (9) → next header (6), RFC 7915 Figure 3
    [InlineData(12, 0, 0x0800_0000u, 4, 0, 7u)]  // TTL (8) → hop limit (7)
    [InlineData(12, 2, 0x0300_0000u, 4, 0, 4u)]  // bad length, total length (3) → payload length (4)
    [InlineData(12, 0, 0x0E00_0000u, 4, 0, 8u)]  // inside the source address (14) → the source address (8)
    [InlineData(12, 0, 0x1300_0000u, 4, 0, 24u)] // inside the destination address (19) → 24
    [InlineData(12, 0, 0x0100_0000u, 4, 0, 1u)]  // type of service → traffic class
    public void Icmpv4Error_AboutANat64Connection_ReachesTheClientAsIcmpv6_QuotingItsOwnPacket(byte type, byte code, uint rest, byte type6, byte code6, uint parameter6)
    {
        var h = Nat64();
        var clientSyn = Tcp(Client, 40000, TcpFlags.Syn, payload: 6);
        h.Feed(clientSyn);
        var sentSyn = Assert.Single(h.Device.Sent);
        h.Device.Sent.Clear();

        // The real server's error quotes the whole IPv4 SYN the director sent it.
        var quote = sentSyn.AsSpan(Eth).ToArray();
        h.Feed(Icmpv4Frame(Rs1Mac, Rs1v4, Local4, type, code, rest, quote, ttl: 64));

        var sent = Assert.Single(h.Device.Sent);
        var clientPacket = clientSyn.AsSpan(Eth).ToArray();
        clientPacket[7] = 63; // the hop limit the director left on the packet it translated
        var expected = Icmpv6Frame(ClientMac, DirectorMac, Vip, Client, hopLimit: 63, type6, code6, parameter6, clientPacket);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(sent));
        Assert.Equal(0, h.Processor.Counters.TotalDropped);
    }

    [Fact]
    public void Icmpv4Error_NotTranslated_OrAboutNoConnection_IsNotSent()
    {
        var h = Nat64();
        h.Feed(Tcp(Client, 40000, TcpFlags.Syn));
        var quote = Assert.Single(h.Device.Sent).AsSpan(Eth).ToArray();
        h.Device.Sent.Clear();

        var ignored = h.Processor.Counters.Ignored;

        // Parameter problems that RFC 7915 Figure 3 does not translate: at the identification (4), the
        // flags (6), the header checksum (10), an option (20), and code 1 (missing option); then an
        // unreachable about another local port.
        foreach (var rest in new uint[] { 0x0400_0000, 0x0600_0000, 0x0A00_0000, 0x1400_0000 })
        {
            h.Feed(Icmpv4Frame(Rs1Mac, Rs1v4, Local4, 12, 0, rest, quote, ttl: 64));
        }

        h.Feed(Icmpv4Frame(Rs1Mac, Rs1v4, Local4, 12, 1, 0x0900_0000, quote, ttl: 64));
        Assert.Empty(h.Device.Sent);
        Assert.Equal(ignored + 5, h.Processor.Counters.Ignored);
        var other = (byte[])quote.Clone();
        other[20] ^= 0x01;
        h.Feed(Icmpv4Frame(Rs1Mac, Rs1v4, Local4, 3, 3, 0, other, ttl: 64));
        Assert.Empty(h.Device.Sent);
        Assert.Equal(1, h.Processor.Counters[DropReason.NoConnection]);
    }

    [Theory]
    [InlineData(2, 0, 1280u, 3, 4, 1260u)] // packet too big 1280 → fragmentation needed, 1260
    [InlineData(1, 4, 0u, 3, 3, 0u)]       // port unreachable
    [InlineData(1, 1, 0u, 3, 10, 0u)]      // administratively prohibited → host prohibited
    [InlineData(1, 0, 0u, 3, 1, 0u)]       // no route → host unreachable
    [InlineData(3, 0, 0u, 11, 0, 0u)]      // time exceeded
    [InlineData(4, 0, 6u, 12, 0, 0x0900_0000u)]  // parameter problem at the next header (6) → protocol (9), RFC 7915 Figure 6
    [InlineData(4, 0, 7u, 12, 0, 0x0800_0000u)]  // hop limit (7) → TTL (8)
    [InlineData(4, 0, 5u, 12, 0, 0x0200_0000u)]  // payload length (5) → total length (2)
    [InlineData(4, 0, 0u, 12, 0, 0u)]            // version → version
    [InlineData(4, 0, 1u, 12, 0, 0x0100_0000u)]  // traffic class → type of service
    [InlineData(4, 0, 23u, 12, 0, 0x0C00_0000u)] // inside the source address (23) → 12
    [InlineData(4, 0, 24u, 12, 0, 0x1000_0000u)] // the destination address (24) → 16
    [InlineData(4, 1, 40u, 3, 2, 0u)]            // unrecognised next header → protocol unreachable
    public void Icmpv6Error_FromTheClientSide_AboutANat64Reply_ReachesTheServerAsIcmpv4_QuotingItsOwnReply(byte type, byte code, uint parameter, byte type4, byte code4, uint rest4)
    {
        var h = Nat64();
        var localPort = OpenTcp(h, 40000);
        var segment = Nat64Bytes.TcpSegment(NatTcpPort, localPort, 5000, 1001, 0x12, [2, 4, 0x05, 0xB4], 30);
        h.Feed(Nat64Bytes.Ipv4Frame(DirectorMac, Rs1Mac, 0x10, 0x2222, dontFragment: true, ttl: 64, IpProtocol.Tcp, Rs1v4, Local4, segment));
        var toClient = Assert.Single(h.Device.Sent).AsSpan(Eth).ToArray();
        h.Device.Sent.Clear();

        // A router on the client's side reports on the translated reply.
        h.Feed(Icmpv6Message(Ipv6Address.Parse("2001:db8::fe"), type, code, parameter, toClient, hopLimit: 64));

        var sent = Assert.Single(h.Device.Sent);
        Assert.Equal(Rs1Mac, MacAddress.Read(sent));
        Assert.Equal(DirectorMac, MacAddress.Read(sent.AsSpan(6)));
        var outer = IndependentDecoder.Ipv4(sent);
        Assert.Equal((63, PacketDotNet.ProtocolType.Icmp), (outer.TimeToLive, outer.Protocol));
        Assert.Equal(IndependentDecoder.Address(Local4), outer.SourceAddress);
        Assert.Equal(IndependentDecoder.Address(Rs1v4), outer.DestinationAddress);

        // The quote is the server's own reply: only TTL (63, as the director forwarded it) and the
        // identification (0 under DF) differ, and the header checksum that covers them.
        var inner = Nat64Bytes.Ipv4Frame(Rs1Mac, DirectorMac, 0x10, 0, dontFragment: true, ttl: 63, IpProtocol.Tcp, Rs1v4, Local4, segment).AsSpan(Eth).ToArray();
        var message = new byte[8 + inner.Length];
        message[0] = type4;
        message[1] = code4;
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), rest4);
        inner.CopyTo(message.AsSpan(8));
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), Nat64Bytes.Complement(Nat64Bytes.Sum(message)));
        Assert.Equal(Convert.ToHexString(message), Convert.ToHexString(sent.AsSpan(Eth + 20)));
    }

    [Theory]
    [InlineData(0, 2u)]  // erroneous field: the flow label has no IPv4 counterpart
    [InlineData(0, 3u)]
    [InlineData(0, 40u)] // past the fixed header (an extension header)
    [InlineData(2, 6u)]  // unrecognised option
    public void Icmpv6ParameterProblem_RfcFigure6CannotMap_IsNotTranslated(byte code, uint pointer)
    {
        var h = Nat64();
        var localPort = OpenTcp(h, 40000);
        var segment = Nat64Bytes.TcpSegment(NatTcpPort, localPort, 5000, 1001, 0x12, [], 30);
        h.Feed(Nat64Bytes.Ipv4Frame(DirectorMac, Rs1Mac, 0, 0x2222, dontFragment: true, ttl: 64, IpProtocol.Tcp, Rs1v4, Local4, segment));
        var toClient = Assert.Single(h.Device.Sent).AsSpan(Eth).ToArray();
        h.Device.Sent.Clear();
        var ignored = h.Processor.Counters.Ignored;

        h.Feed(Icmpv6Message(Ipv6Address.Parse("2001:db8::fe"), Icmpv6.ParameterProblem, code, pointer, toClient, hopLimit: 64));
        Assert.Empty(h.Device.Sent);
        Assert.Equal(ignored + 1, h.Processor.Counters.Ignored);
        Assert.Equal(0, h.Processor.Counters.TotalDropped);
    }

    [Fact]
    public void Icmpv4ParameterProblem_AboutAnIpv4FullNatConnection_IsNotRelated_AsInIpvs()
    {
        var h = Nat64(withIpv4Service: true);
        h.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Ipv4Address.Parse("10.77.0.10"), 30000, Ipv4Address.Parse("10.77.0.100"), 80, TcpFlags.Syn));
        var quote = Assert.Single(h.Device.Sent).AsSpan(Eth).ToArray();
        h.Device.Sent.Clear();
        var ignored = h.Processor.Counters.Ignored;

        h.Feed(Icmpv4Frame(Rs2Mac, Rs2v4, Local4, 12, 0, 0x0900_0000, quote, ttl: 64));
        Assert.Empty(h.Device.Sent);
        Assert.Equal(ignored + 1, h.Processor.Counters.Ignored);
    }

    /// <summary>An Ethernet/IPv4/ICMP error frame to the director quoting <paramref name="quote"/>, checksums computed here.</summary>
    internal static byte[] Icmpv4Frame(MacAddress sourceMac, uint source, uint destination, byte type, byte code, uint rest, byte[] quote, byte ttl)
    {
        var frame = new byte[Eth + 20 + 8 + quote.Length];
        DirectorMac.WriteTo(frame);
        sourceMac.WriteTo(frame.AsSpan(6));
        frame[12] = 0x08;
        var ip = frame.AsSpan(Eth);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip.Slice(2), (ushort)(20 + 8 + quote.Length));
        ip[8] = ttl;
        ip[9] = 1;
        BinaryPrimitives.WriteUInt32BigEndian(ip.Slice(12), source);
        BinaryPrimitives.WriteUInt32BigEndian(ip.Slice(16), destination);
        BinaryPrimitives.WriteUInt16BigEndian(ip.Slice(10), Nat64Bytes.Complement(Nat64Bytes.Sum(ip.Slice(0, 20))));
        var icmp = ip.Slice(20);
        icmp[0] = type;
        icmp[1] = code;
        BinaryPrimitives.WriteUInt32BigEndian(icmp.Slice(4), rest);
        quote.CopyTo(icmp.Slice(8));
        BinaryPrimitives.WriteUInt16BigEndian(icmp.Slice(2), Nat64Bytes.Complement(Nat64Bytes.Sum(icmp)));
        return frame;
    }

    /// <summary>An Ethernet/IPv6/ICMPv6 error frame quoting <paramref name="quote"/>, its checksum over the RFC 8200 §8.1 pseudo-header computed here.</summary>
    internal static byte[] Icmpv6Frame(MacAddress destinationMac, MacAddress sourceMac, Ipv6Address source, Ipv6Address destination, byte hopLimit, byte type, byte code, uint parameter, byte[] quote)
    {
        var frame = new byte[Eth + 40 + 8 + quote.Length];
        destinationMac.WriteTo(frame);
        sourceMac.WriteTo(frame.AsSpan(6));
        frame[12] = 0x86;
        frame[13] = 0xDD;
        var ip = frame.AsSpan(Eth);
        ip[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(ip.Slice(4), (ushort)(8 + quote.Length));
        ip[6] = 58;
        ip[7] = hopLimit;
        source.WriteTo(ip.Slice(8));
        destination.WriteTo(ip.Slice(24));
        var icmp = ip.Slice(40);
        icmp[0] = type;
        icmp[1] = code;
        BinaryPrimitives.WriteUInt32BigEndian(icmp.Slice(4), parameter);
        quote.CopyTo(icmp.Slice(8));
        BinaryPrimitives.WriteUInt16BigEndian(icmp.Slice(2), Nat64Bytes.Complement(Nat64Bytes.Sum(ip.Slice(8, 32)) + (ulong)icmp.Length + 58 + Nat64Bytes.Sum(icmp)));
        return frame;
    }
}
