using Xunit;

namespace LvsNet.Packets.Tests;

public class UdpHeaderTests
{
    [Fact]
    public void TryParse_GoldenVlanDnsQuery_ReadsEveryField()
    {
        var frame = FrameBuilder.Hex(GoldenFrames.VlanDnsQuery);

        Assert.True(UdpHeader.TryParse(frame.AsSpan(38), out var udp));

        Assert.Equal(53001, udp.SourcePort);
        Assert.Equal(53, udp.DestinationPort);
        Assert.Equal(37, udp.DatagramLength);
        Assert.Equal(0x6BD0, udp.Checksum);
        Assert.Equal(29, udp.Payload.Length);
        Assert.Equal(0xAB, udp.Payload[0]);
        Assert.Equal(0xCD, udp.Payload[1]);
        Assert.Equal(0, RefChecksum.Transport(0xC0A8_6407, 0xC0A8_6401, 17, frame.AsSpan(38)));
    }

    [Fact]
    public void TryParse_WithoutChecksum_ReadsZero()
    {
        var frame = new FrameBuilder().Udp(5000, 6000, [1, 2, 3], withoutChecksum: true);

        Assert.True(UdpHeader.TryParse(frame.AsSpan(34), out var udp));

        Assert.Equal(0, udp.Checksum);
        Assert.Equal(5000, udp.SourcePort);
        Assert.Equal(6000, udp.DestinationPort);
        Assert.Equal([1, 2, 3], udp.Payload.ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    public void TryParse_LengthFieldBelowEight_ReturnsFalse(int lengthField)
    {
        var datagram = Datagram(payloadLength: 20);
        FrameBuilder.WriteUInt16(datagram, 4, (ushort)lengthField);

        Assert.False(UdpHeader.TryParse(datagram, out _));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(0xFFFF)]
    public void TryParse_LengthFieldPastDatagram_ReturnsFalse(int excess)
    {
        var datagram = Datagram(payloadLength: 20);
        FrameBuilder.WriteUInt16(datagram, 4, (ushort)Math.Min(0xFFFF, datagram.Length + excess));

        Assert.False(UdpHeader.TryParse(datagram, out _));
    }

    [Fact]
    public void TryParse_LengthFieldBelowSpan_BoundsDatagramByLengthField()
    {
        var datagram = Datagram(payloadLength: 20);
        FrameBuilder.WriteUInt16(datagram, 4, 12);

        Assert.True(UdpHeader.TryParse(datagram, out var udp));

        Assert.Equal(12, udp.DatagramLength);
        Assert.Equal(4, udp.Payload.Length);
    }

    [Fact]
    public void TryParse_HeaderOnly_ReturnsEmptyPayload()
    {
        var datagram = Datagram(payloadLength: 0);

        Assert.True(UdpHeader.TryParse(datagram, out var udp));

        Assert.Equal(8, udp.DatagramLength);
        Assert.True(udp.Payload.IsEmpty);
    }

    /// <summary>Every prefix of a datagram is shorter than its length field, so it must be rejected.</summary>
    [Theory]
    [MemberData(nameof(SampleFrames.UdpPrefixes), MemberType = typeof(SampleFrames))]
    public void TryParse_TruncatedDatagram_ReturnsFalse(string kind, int length)
    {
        var datagram = SampleFrames.Transport(kind);

        Assert.False(UdpHeader.TryParse(SampleFrames.Prefix(datagram, length), out _));
        Assert.False(UdpHeader.TryParse(SampleFrames.PrefixWithGarbage(datagram, length).AsSpan(0, length), out _));
    }

    [Fact]
    public void TryParseFirstFragment_LengthFieldCoversTheWholeDatagram_ReadsThePorts()
    {
        // The first 1480 bytes of a 3008-byte datagram: the length field says 3008.
        var fragment = Datagram(payloadLength: 3000).AsSpan(0, 1480).ToArray();

        Assert.False(UdpHeader.TryParse(fragment, out _));
        Assert.True(UdpHeader.TryParseFirstFragment(fragment, out var udp));

        Assert.Equal(1000, udp.SourcePort);
        Assert.Equal(2000, udp.DestinationPort);
        Assert.Equal(1480, udp.DatagramLength);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(1479)]
    public void TryParseFirstFragment_LengthFieldBelowEightOrTheFragment_ReturnsFalse(int lengthField)
    {
        var fragment = Datagram(payloadLength: 3000).AsSpan(0, 1480).ToArray();
        FrameBuilder.WriteUInt16(fragment, 4, (ushort)lengthField);

        Assert.False(UdpHeader.TryParseFirstFragment(fragment, out _));
    }

    [Fact]
    public void TryParseFirstFragment_EveryTruncation_NeverThrows()
    {
        var fragment = Datagram(payloadLength: 100);
        for (var length = 0; length <= fragment.Length; length++)
        {
            Assert.Equal(length >= 8, UdpHeader.TryParseFirstFragment(fragment.AsSpan(0, length), out _));
        }
    }

    private static byte[] Datagram(int payloadLength) =>
        new FrameBuilder().Udp(1000, 2000, new byte[payloadLength]).AsSpan(34).ToArray();
}
