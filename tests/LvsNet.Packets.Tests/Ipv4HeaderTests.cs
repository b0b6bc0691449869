using Xunit;

namespace LvsNet.Packets.Tests;

public class Ipv4HeaderTests
{
    [Fact]
    public void TryParse_GoldenLinuxSyn_ReadsEveryField()
    {
        var frame = FrameBuilder.Hex(GoldenFrames.LinuxSyn);

        Assert.True(Ipv4Header.TryParse(frame.AsSpan(14), out var ip));

        Assert.Equal(20, ip.HeaderLength);
        Assert.Equal(60, ip.TotalLength);
        Assert.Equal(0, ip.TypeOfService);
        Assert.Equal(0x1C46, ip.Identification);
        Assert.Equal(0x4000, ip.FlagsAndFragmentOffset);
        Assert.True(ip.DontFragment);
        Assert.False(ip.IsFragment);
        Assert.Equal(64, ip.Ttl);
        Assert.Equal(IpProtocol.Tcp, ip.Protocol);
        Assert.Equal(0xDC8C, ip.Checksum);
        Assert.True(ip.IsChecksumValid);
        Assert.Equal(0x0A00_020Fu, ip.Source);
        Assert.Equal(Ipv4Address.Parse("10.0.2.15"), ip.Source);
        Assert.Equal(Ipv4Address.Parse("93.184.216.34"), ip.Destination);
        Assert.Equal(frame.AsSpan(14, 20).ToArray(), ip.Header.ToArray());
        Assert.Equal(frame.AsSpan(34).ToArray(), ip.Payload.ToArray());
        Assert.Equal(frame.AsSpan(14).ToArray(), ip.Packet.ToArray());
    }

    [Fact]
    public void TryParse_GoldenVlanDnsQuery_ReadsEveryField()
    {
        var frame = FrameBuilder.Hex(GoldenFrames.VlanDnsQuery);

        Assert.True(Ipv4Header.TryParse(frame.AsSpan(18), out var ip));

        Assert.Equal(20, ip.HeaderLength);
        Assert.Equal(57, ip.TotalLength);
        Assert.Equal(0xBEEF, ip.Identification);
        Assert.Equal(0, ip.FlagsAndFragmentOffset);
        Assert.False(ip.DontFragment);
        Assert.False(ip.IsFragment);
        Assert.Equal(64, ip.Ttl);
        Assert.Equal(IpProtocol.Udp, ip.Protocol);
        Assert.Equal(0x726B, ip.Checksum);
        Assert.True(ip.IsChecksumValid);
        Assert.Equal(0xC0A8_6407u, ip.Source);
        Assert.Equal(0xC0A8_6401u, ip.Destination);
        Assert.Equal(37, ip.Payload.Length);
    }

    [Fact]
    public void TryParse_WellKnownHeaderExample_VerifiesChecksumB861()
    {
        var header = FrameBuilder.Hex(GoldenFrames.Ipv4HeaderWithChecksumB861);
        var packet = new byte[0x73];
        header.CopyTo(packet, 0);

        Assert.True(Ipv4Header.TryParse(packet, out var ip));

        Assert.Equal(0xB861, ip.Checksum);
        Assert.True(ip.IsChecksumValid);
        Assert.Equal(0xC0A8_00C7u, ip.Destination);
        Assert.Equal(IpProtocol.Udp, ip.Protocol);
    }

    [Fact]
    public void TryParse_BuiltHeader_ReadsWhatTheBuilderWrote()
    {
        var builder = new FrameBuilder
        {
            TypeOfService = 0xB8,
            Identification = 0xFEDC,
            FlagsAndFragmentOffset = 0x2000 | 185,
            Ttl = 1,
            Source = 0xC633_6401,
            Destination = 0xCB00_71FE,
        };
        var frame = builder.Udp(7, 9, [1, 2, 3]);

        Assert.True(Ipv4Header.TryParse(frame.AsSpan(14), out var ip));

        Assert.Equal(0xB8, ip.TypeOfService);
        Assert.Equal(0xFEDC, ip.Identification);
        Assert.Equal(0x2000 | 185, ip.FlagsAndFragmentOffset);
        Assert.False(ip.DontFragment);
        Assert.True(ip.IsFragment);
        Assert.Equal(1, ip.Ttl);
        Assert.Equal(0xC633_6401u, ip.Source);
        Assert.Equal(0xCB00_71FEu, ip.Destination);
        Assert.True(ip.IsChecksumValid);
    }

    [Theory]
    [InlineData((ushort)0x0000, false)]
    [InlineData((ushort)0x4000, false)]
    [InlineData((ushort)0x2000, true)]
    [InlineData((ushort)0x0001, true)]
    [InlineData((ushort)0x1FFF, true)]
    [InlineData((ushort)0x6001, true)]
    public void IsFragment_FlagsWord_TrueForMoreFragmentsOrOffset(ushort flagsAndOffset, bool expected)
    {
        var frame = new FrameBuilder { FlagsAndFragmentOffset = flagsAndOffset }.Udp(1, 2);

        Assert.True(Ipv4Header.TryParse(frame.AsSpan(14), out var ip));

        Assert.Equal(expected, ip.IsFragment);
        Assert.Equal((flagsAndOffset & 0x4000) != 0, ip.DontFragment);
    }

    [Theory]
    [InlineData((ushort)0x0000, false, 0)]
    [InlineData((ushort)0x2000, true, 0)]
    [InlineData((ushort)0x00B9, false, 1480)]
    [InlineData((ushort)0x20B9, true, 1480)]
    [InlineData((ushort)0x5FFF, false, 65528)]
    public void FragmentFields_FlagsWord_MfAndOffsetInBytes(ushort flagsAndOffset, bool more, int offset)
    {
        // RFC 791: MF is bit 2 of the flags, the offset counts 8-byte units.
        var frame = new FrameBuilder { FlagsAndFragmentOffset = flagsAndOffset }.Udp(1, 2);

        Assert.True(Ipv4Header.TryParse(frame.AsSpan(14), out var ip));

        Assert.Equal(more, ip.MoreFragments);
        Assert.Equal(offset, ip.FragmentOffset);
    }

    [Fact]
    public void TryParse_WithOptions_HeaderIncludesOptions()
    {
        var frame = new FrameBuilder { IpOptions = FrameBuilder.RouterAlertOptions }.Tcp(1, 2, payload: [9, 9]);

        Assert.True(Ipv4Header.TryParse(frame.AsSpan(14), out var ip));

        Assert.Equal(28, ip.HeaderLength);
        Assert.Equal(28 + 20 + 2, ip.TotalLength);
        Assert.Equal(FrameBuilder.RouterAlertOptions, ip.Header.Slice(20).ToArray());
        Assert.True(ip.IsChecksumValid);
        Assert.Equal(22, ip.Payload.Length);
    }

    [Fact]
    public void TryParse_MaximumOptions_HeaderIs60Bytes()
    {
        var options = new byte[40];
        options.AsSpan().Fill(0x01);
        var frame = new FrameBuilder { IpOptions = options }.Udp(1, 2);

        Assert.True(Ipv4Header.TryParse(frame.AsSpan(14), out var ip));

        Assert.Equal(Ipv4Header.MaxLength, ip.HeaderLength);
        Assert.True(ip.IsChecksumValid);
    }

    [Fact]
    public void TryParse_EthernetPadding_PacketEndsAtTotalLength()
    {
        var frame = new FrameBuilder { Padding = 10 }.Udp(1, 2, [1]);

        Assert.True(Ipv4Header.TryParse(frame.AsSpan(14), out var ip));

        Assert.Equal(29, ip.TotalLength);
        Assert.Equal(29, ip.Packet.Length);
        Assert.Equal(9, ip.Payload.Length);
    }

    [Fact]
    public void TryParse_TotalLengthEqualsHeaderLength_ReturnsEmptyPayload()
    {
        var frame = new FrameBuilder().Ipv4(FrameBuilder.ProtocolTcp, []);

        Assert.True(Ipv4Header.TryParse(frame.AsSpan(14), out var ip));

        Assert.True(ip.Payload.IsEmpty);
        Assert.Equal(20, ip.Packet.Length);
    }

    [Fact]
    public void IsChecksumValid_CorruptChecksum_ReturnsFalse()
    {
        var frame = new FrameBuilder { CorruptIpChecksum = true }.Udp(1, 2);

        Assert.True(Ipv4Header.TryParse(frame.AsSpan(14), out var ip));

        Assert.False(ip.IsChecksumValid);
    }

    [Theory]
    [InlineData(0x40)]
    [InlineData(0x41)]
    [InlineData(0x44)]
    public void TryParse_IhlBelowFive_ReturnsFalse(byte versionIhl)
    {
        var packet = UdpPacket(payloadLength: 40);
        packet[0] = versionIhl;

        Assert.False(Ipv4Header.TryParse(packet, out _));
    }

    [Theory]
    [InlineData(0x05)]
    [InlineData(0x35)]
    [InlineData(0x55)]
    [InlineData(0x65)]
    [InlineData(0xF5)]
    public void TryParse_VersionNotFour_ReturnsFalse(byte versionIhl)
    {
        var packet = UdpPacket(payloadLength: 40);
        packet[0] = versionIhl;

        Assert.False(Ipv4Header.TryParse(packet, out _));
    }

    [Theory]
    [InlineData(6, 20, 20)]
    [InlineData(15, 40, 40)]
    [InlineData(15, 59, 59)]
    [InlineData(15, 60, 40)]
    [InlineData(8, 32, 24)]
    public void TryParse_IhlLargerThanPacket_ReturnsFalse(int ihl, int totalLength, int capturedLength)
    {
        var packet = UdpPacket(payloadLength: 40).AsSpan(0, capturedLength).ToArray();
        packet[0] = (byte)(0x40 | ihl);
        FrameBuilder.WriteUInt16(packet, 2, (ushort)totalLength);

        Assert.False(Ipv4Header.TryParse(packet, out _));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(1000)]
    [InlineData(0xFFFF)]
    public void TryParse_TotalLengthPastCapturedBytes_ReturnsFalse(int excess)
    {
        var packet = UdpPacket(payloadLength: 12);
        FrameBuilder.WriteUInt16(packet, 2, (ushort)Math.Min(0xFFFF, packet.Length + excess));

        Assert.False(Ipv4Header.TryParse(packet, out _));
    }

    [Theory]
    [InlineData(5, 0)]
    [InlineData(5, 19)]
    [InlineData(6, 20)]
    [InlineData(6, 23)]
    [InlineData(15, 59)]
    public void TryParse_TotalLengthBelowHeaderLength_ReturnsFalse(int ihl, int totalLength)
    {
        var packet = UdpPacket(payloadLength: 60);
        packet[0] = (byte)(0x40 | ihl);
        FrameBuilder.WriteUInt16(packet, 2, (ushort)totalLength);

        Assert.False(Ipv4Header.TryParse(packet, out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(19)]
    public void TryParse_ShorterThanMinimumHeader_ReturnsFalse(int length)
    {
        var packet = UdpPacket(payloadLength: 8).AsSpan(0, length).ToArray();

        Assert.False(Ipv4Header.TryParse(packet, out _));
    }

    /// <summary>Every prefix of an IPv4 packet is shorter than its total length, so it must be rejected.</summary>
    [Theory]
    [MemberData(nameof(SampleFrames.Ipv4Prefixes), MemberType = typeof(SampleFrames))]
    public void TryParse_TruncatedPacket_ReturnsFalse(string kind, int length)
    {
        var packet = SampleFrames.Ipv4Packet(kind);

        Assert.False(Ipv4Header.TryParse(SampleFrames.Prefix(packet, length), out _));
        Assert.False(Ipv4Header.TryParse(SampleFrames.PrefixWithGarbage(packet, length).AsSpan(0, length), out _));
        ParserProbe.ProbeAll(SampleFrames.Prefix(packet, length));
    }

    [Theory]
    [MemberData(nameof(IpKinds))]
    public void TryParse_WholeSamplePacket_ReturnsTrueWithinSpan(string kind)
    {
        var packet = SampleFrames.Ipv4Packet(kind);

        Assert.True(Ipv4Header.TryParse(packet, out var ip));

        Assert.Equal(packet.Length, ip.TotalLength);
        Assert.True(ip.IsChecksumValid);
        ParserProbe.ProbeIpv4(packet, recurse: true);
    }

    public static TheoryData<string> IpKinds() => new(SampleFrames.Ipv4Kinds);

    private static byte[] UdpPacket(int payloadLength) =>
        new FrameBuilder().Udp(1000, 2000, new byte[payloadLength]).AsSpan(14).ToArray();
}
