using System.Buffers.Binary;
using LvsNet.Packets.Ipv6;
using LvsNet.Packets.Writing;
using Xunit;

namespace LvsNet.Packets.Tests.Ipv6;

/// <summary>
/// Hostile input to the NAT64 helpers that read wire data beyond an already-parsed header: the
/// ICMPv4 error's quote (every truncation, corrupted length fields) and a SYN's TCP options (every
/// malformed option length). Each returns false or leaves the bytes alone; none throws.
/// </summary>
public class Nat64TranslationRobustnessTests
{
    private static readonly Ipv6Address Vip = Ipv6Address.Parse("2001:db8::100");
    private static readonly Ipv6Address Client = Ipv6Address.Parse("2001:db8::10");

    // An ICMPv4 port unreachable from 10.0.0.11 to 10.0.0.50 quoting a 20-byte IPv4 header and 20 bytes of TCP.
    private static byte[] Error()
    {
        var packet = new byte[20 + 8 + 20 + 20];
        packet[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)packet.Length);
        packet[8] = 64;
        packet[9] = 1;
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(12), 0x0A00000B);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(16), 0x0A000032);
        packet[20] = 3;
        packet[21] = 3;
        var quote = packet.AsSpan(28);
        quote[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(quote.Slice(2), 60);
        quote[8] = 63;
        quote[9] = 6;
        BinaryPrimitives.WriteUInt32BigEndian(quote.Slice(12), 0x0A000032);
        BinaryPrimitives.WriteUInt32BigEndian(quote.Slice(16), 0x0A00000B);
        BinaryPrimitives.WriteUInt16BigEndian(quote.Slice(20), 2000);
        BinaryPrimitives.WriteUInt16BigEndian(quote.Slice(22), 8080);
        quote[32] = 0x50;
        return packet;
    }

    [Fact]
    public void TryTranslate_EveryTruncationOfTheQuote_NeverThrows_AndNeedsThePorts()
    {
        var full = Error();
        var destination = new byte[Icmpv6ErrorWriter.MinimumMtu];
        for (var cut = 28; cut <= full.Length; cut++)
        {
            var packet = full.AsSpan(0, cut).ToArray();
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)cut);
            Assert.True(Ipv4Header.TryParse(packet, out var ip));
            Assert.True(IcmpHeader.TryParse(ip.Payload, out var icmp) || cut < 28 + 8);
            if (!IcmpHeader.TryParse(ip.Payload, out icmp))
            {
                continue;
            }

            var translated = Icmpv4ToIcmpv6Translator.TryTranslate(ip, icmp, destination, Vip, Client, 40000, 80, 1500, out var length);

            // The quote needs its IPv4 header and the 4 port bytes.
            Assert.Equal(cut >= 28 + 20 + 4, translated);
            Assert.InRange(length, 0, Icmpv6ErrorWriter.MinimumMtu);
        }
    }

    [Theory]
    [InlineData(0x44)] // IHL 4
    [InlineData(0x4F)] // IHL 15: longer than the quote
    [InlineData(0x65)] // version 6
    public void TryTranslate_CorruptQuotedHeader_IsRefused(byte versionIhl)
    {
        var packet = Error();
        packet[28] = versionIhl;
        Assert.True(Ipv4Header.TryParse(packet, out var ip));
        Assert.True(IcmpHeader.TryParse(ip.Payload, out var icmp));
        Assert.False(Icmpv4ToIcmpv6Translator.TryTranslate(ip, icmp, new byte[Icmpv6ErrorWriter.MinimumMtu], Vip, Client, 40000, 80, 1500, out _));
    }

    [Fact]
    public void TryTranslate_QuotedTotalLengthZeroOrHuge_StaysInsideTheBuffer()
    {
        foreach (var total in new ushort[] { 0, 1, 19, 65535 })
        {
            var packet = Error();
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(28 + 2), total);
            Assert.True(Ipv4Header.TryParse(packet, out var ip));
            Assert.True(IcmpHeader.TryParse(ip.Payload, out var icmp));
            var destination = new byte[Icmpv6ErrorWriter.MinimumMtu];
            if (Icmpv4ToIcmpv6Translator.TryTranslate(ip, icmp, destination, Vip, Client, 40000, 80, 1500, out var length))
            {
                Assert.InRange(length, 40 + 8 + 40 + 4, Icmpv6ErrorWriter.MinimumMtu);
            }
        }
    }

    [Theory]
    [InlineData(new byte[] { 2, 0, 0, 0 })]          // option length 0
    [InlineData(new byte[] { 2, 1, 0, 0 })]          // option length 1
    [InlineData(new byte[] { 1, 1, 1, 2 })]          // MSS kind at the last byte, no length
    [InlineData(new byte[] { 8, 40, 0, 0 })]         // an option longer than the header
    [InlineData(new byte[] { 2, 3, 0x23, 0 })]       // MSS with length 3
    [InlineData(new byte[] { 0, 2, 4, 0x23 })]       // end of options before the MSS
    public void Clamp_MalformedOptions_LeavesTheSegmentAlone(byte[] options)
    {
        var segment = new byte[20 + options.Length];
        segment[12] = (byte)((20 + options.Length) / 4 << 4);
        segment[13] = 0x02;
        options.CopyTo(segment.AsSpan(20));
        var before = segment.ToArray();
        Assert.False(TcpMssClamp.Clamp(segment, 1440));
        Assert.Equal(before, segment);
    }

    [Fact]
    public void Clamp_DataOffsetBeyondTheSegment_OrUnderTwenty_IsRefused()
    {
        var segment = new byte[24];
        segment[12] = 0xF0;
        Assert.False(TcpMssClamp.Clamp(segment, 1440));
        segment[12] = 0x40;
        Assert.False(TcpMssClamp.Clamp(segment, 1440));
        Assert.False(TcpMssClamp.Clamp(new byte[10], 1440));
    }
}
