using Xunit;

namespace LvsNet.Packets.Tests;

public class IcmpHeaderTests
{
    [Fact]
    public void TryParse_GoldenEchoRequest_ReadsEveryField()
    {
        var frame = FrameBuilder.Hex(GoldenFrames.IcmpEchoRequest);
        Assert.True(Ipv4Header.TryParse(frame.AsSpan(14), out var ip));
        Assert.Equal(IpProtocol.Icmp, ip.Protocol);
        Assert.Equal(0x26D6, ip.Checksum);
        Assert.True(ip.IsChecksumValid);

        Assert.True(IcmpHeader.TryParse(ip.Payload, out var icmp));

        Assert.Equal(IcmpHeader.TypeEchoRequest, icmp.Type);
        Assert.Equal(0, icmp.Code);
        Assert.Equal(0x5435, icmp.Checksum);
        Assert.Equal(0x1234_0001u, icmp.RestOfHeader);
        Assert.False(icmp.IsError);
        Assert.Equal("abcdefgh"u8.ToArray(), icmp.Payload.ToArray());
        Assert.Equal(16, icmp.Message.Length);
        Assert.Equal(0, RefChecksum.Compute(icmp.Message));
    }

    [Fact]
    public void TryParse_PortUnreachable_QuotesOffendingHeader()
    {
        var sample = FrameBuilder.Samples["icmp-error"];

        Assert.True(IcmpHeader.TryParse(sample.AsSpan(34), out var icmp));

        Assert.Equal(IcmpHeader.TypeDestinationUnreachable, icmp.Type);
        Assert.Equal(IcmpHeader.CodePortUnreachable, icmp.Code);
        Assert.True(icmp.IsError);
        Assert.Equal(28, icmp.Payload.Length);
        Assert.Equal(0x45, icmp.Payload[0]);
        Assert.Equal(0x0A00_0064u, RefChecksum.ReadUInt32(icmp.Payload.Slice(12)));
        Assert.Equal(53, RefChecksum.ReadUInt16(icmp.Payload.Slice(20)));

        // The quote ends 8 bytes into the offending datagram, short of its total length, so it is not a whole packet.
        Assert.False(Ipv4Header.TryParse(icmp.Payload, out _));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(3, true)]
    [InlineData(4, true)]
    [InlineData(5, false)]
    [InlineData(8, false)]
    [InlineData(11, true)]
    [InlineData(12, false)]
    [InlineData(255, false)]
    public void IsError_Type_TrueForUnreachableQuenchAndTimeExceeded(byte type, bool expected)
    {
        var message = new byte[8];
        message[0] = type;

        Assert.True(IcmpHeader.TryParse(message, out var icmp));

        Assert.Equal(expected, icmp.IsError);
        Assert.True(icmp.Payload.IsEmpty);
    }

    [Theory]
    [MemberData(nameof(SampleFrames.IcmpPrefixes), MemberType = typeof(SampleFrames))]
    public void TryParse_TruncatedMessage_RejectsOrStaysWithinSpan(string kind, int length)
    {
        var message = SampleFrames.Transport(kind);
        var prefix = SampleFrames.Prefix(message, length);

        var parsed = IcmpHeader.TryParse(prefix, out var icmp);

        Assert.Equal(length >= IcmpHeader.Length, parsed);
        if (parsed)
        {
            Assert.Equal(length, icmp.Message.Length);
            ParserProbe.AssertWithin(prefix, icmp.Payload);
        }

        Assert.Equal(ParserProbe.ProbeIcmp(prefix), ParserProbe.ProbeIcmp(SampleFrames.PrefixWithGarbage(message, length).AsSpan(0, length)));
    }
}
