using Xunit;

namespace LvsNet.Packets.Tests;

public class TcpHeaderTests
{
    [Fact]
    public void TryParse_GoldenLinuxSyn_ReadsEveryField()
    {
        var frame = FrameBuilder.Hex(GoldenFrames.LinuxSyn);

        Assert.True(TcpHeader.TryParse(frame.AsSpan(34), out var tcp));

        Assert.Equal(46414, tcp.SourcePort);
        Assert.Equal(80, tcp.DestinationPort);
        Assert.Equal(0x5B2C_9A17u, tcp.SequenceNumber);
        Assert.Equal(0u, tcp.AcknowledgmentNumber);
        Assert.Equal(40, tcp.HeaderLength);
        Assert.Equal(TcpFlags.Syn, tcp.Flags);
        Assert.Equal(64240, tcp.Window);
        Assert.Equal(0x99F4, tcp.Checksum);
        Assert.Equal(FrameBuilder.Hex("020405b4 0402 080a9c3d2a1100000000 01 030307"), tcp.Options.ToArray());
        Assert.True(tcp.Payload.IsEmpty);
        Assert.Equal(40, tcp.Segment.Length);

        // The golden checksum verifies over the pseudo-header with the independent implementation.
        Assert.Equal(0, RefChecksum.Transport(0x0A00_020F, 0x5DB8_D822, 6, tcp.Segment));
    }

    [Fact]
    public void TryParse_BuiltSegment_ReadsWhatTheBuilderWrote()
    {
        byte[] payload = [0x47, 0x45, 0x54, 0x20, 0x2F];
        var frame = new FrameBuilder().Tcp(
            65535, 1, TcpFlags.Fin | TcpFlags.Psh | TcpFlags.Ack | TcpFlags.Urg | TcpFlags.Ece | TcpFlags.Cwr,
            sequence: 0xFFFF_FFFF, acknowledgment: 0x8000_0001, window: 0, payload: payload);

        Assert.True(TcpHeader.TryParse(frame.AsSpan(34), out var tcp));

        Assert.Equal(65535, tcp.SourcePort);
        Assert.Equal(1, tcp.DestinationPort);
        Assert.Equal(0xFFFF_FFFFu, tcp.SequenceNumber);
        Assert.Equal(0x8000_0001u, tcp.AcknowledgmentNumber);
        Assert.Equal(TcpFlags.Fin | TcpFlags.Psh | TcpFlags.Ack | TcpFlags.Urg | TcpFlags.Ece | TcpFlags.Cwr, tcp.Flags);
        Assert.Equal(0, tcp.Window);
        Assert.Equal(20, tcp.HeaderLength);
        Assert.True(tcp.Options.IsEmpty);
        Assert.Equal(payload, tcp.Payload.ToArray());
    }

    [Theory]
    [InlineData(0x00)]
    [InlineData(0x10)]
    [InlineData(0x40)]
    [InlineData(0x4F)]
    public void TryParse_DataOffsetBelowFive_ReturnsFalse(byte dataOffsetByte)
    {
        var segment = Segment(optionsLength: 0, payloadLength: 40);
        segment[12] = dataOffsetByte;

        Assert.False(TcpHeader.TryParse(segment, out _));
    }

    [Theory]
    [InlineData(6, 20)]
    [InlineData(15, 59)]
    [InlineData(10, 39)]
    [InlineData(8, 24)]
    public void TryParse_DataOffsetPastSegment_ReturnsFalse(int dataOffset, int segmentLength)
    {
        var segment = Segment(optionsLength: 0, payloadLength: 60).AsSpan(0, segmentLength).ToArray();
        segment[12] = (byte)(dataOffset << 4);

        Assert.False(TcpHeader.TryParse(segment, out _));
    }

    [Fact]
    public void TryParse_DataOffsetEqualsSegment_ReturnsEmptyPayload()
    {
        var segment = Segment(optionsLength: 40, payloadLength: 0);

        Assert.True(TcpHeader.TryParse(segment, out var tcp));

        Assert.Equal(60, tcp.HeaderLength);
        Assert.Equal(40, tcp.Options.Length);
        Assert.True(tcp.Payload.IsEmpty);
    }

    [Fact]
    public void TryParse_ReservedBitsSet_IgnoresThem()
    {
        var segment = Segment(optionsLength: 0, payloadLength: 0);
        segment[12] = 0x5F;

        Assert.True(TcpHeader.TryParse(segment, out var tcp));

        Assert.Equal(20, tcp.HeaderLength);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(19)]
    public void TryParse_ShorterThanMinimumHeader_ReturnsFalse(int length)
    {
        var segment = Segment(optionsLength: 0, payloadLength: 8).AsSpan(0, length).ToArray();

        Assert.False(TcpHeader.TryParse(segment, out _));
    }

    /// <summary>A TCP view has no length field of its own: a cut segment parses once its whole header is there.</summary>
    [Theory]
    [MemberData(nameof(SampleFrames.TcpPrefixes), MemberType = typeof(SampleFrames))]
    public void TryParse_TruncatedSegment_RejectsOrStaysWithinSpan(string kind, int length)
    {
        var segment = SampleFrames.Transport(kind);
        var headerLength = (segment[12] >> 4) * 4;
        var prefix = SampleFrames.Prefix(segment, length);

        var parsed = TcpHeader.TryParse(prefix, out var tcp);

        Assert.Equal(length >= headerLength, parsed);
        if (parsed)
        {
            Assert.Equal(headerLength, tcp.HeaderLength);
            Assert.Equal(length - headerLength, tcp.Payload.Length);
            ParserProbe.AssertWithin(prefix, tcp.Options);
            ParserProbe.AssertWithin(prefix, tcp.Payload);
        }

        Assert.Equal(ParserProbe.ProbeTcp(prefix), ParserProbe.ProbeTcp(SampleFrames.PrefixWithGarbage(segment, length).AsSpan(0, length)));
    }

    private static byte[] Segment(int optionsLength, int payloadLength)
    {
        var options = new byte[optionsLength];
        options.AsSpan().Fill(0x01);
        return new FrameBuilder().Tcp(1234, 80, options: options, payload: new byte[payloadLength]).AsSpan(34).ToArray();
    }
}
