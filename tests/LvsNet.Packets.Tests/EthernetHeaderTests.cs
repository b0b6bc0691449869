using Xunit;

namespace LvsNet.Packets.Tests;

public class EthernetHeaderTests
{
    [Fact]
    public void TryParse_GoldenLinuxSyn_ReadsUntaggedHeader()
    {
        var frame = FrameBuilder.Hex(GoldenFrames.LinuxSyn);

        Assert.True(EthernetHeader.TryParse(frame, out var ethernet));

        Assert.Equal(MacAddress.Parse("52:54:00:12:35:02"), ethernet.Destination);
        Assert.Equal(MacAddress.Parse("08:00:27:8a:3c:5e"), ethernet.Source);
        Assert.Equal(EtherType.Ipv4, ethernet.EtherType);
        Assert.Equal(14, ethernet.HeaderLength);
        Assert.False(ethernet.HasVlanTag);
        Assert.Equal(0, ethernet.VlanTci);
        Assert.Equal(0, ethernet.VlanId);
        Assert.Equal(60, ethernet.Payload.Length);
        Assert.Equal(0x45, ethernet.Payload[0]);
    }

    [Fact]
    public void TryParse_GoldenVlanFrame_ReadsTagAndInnerType()
    {
        var frame = FrameBuilder.Hex(GoldenFrames.VlanDnsQuery);

        Assert.True(EthernetHeader.TryParse(frame, out var ethernet));

        Assert.Equal(new MacAddress(0x0011_2233_4455), ethernet.Destination);
        Assert.Equal(new MacAddress(0x6677_8899_AABB), ethernet.Source);
        Assert.True(ethernet.HasVlanTag);
        Assert.Equal(18, ethernet.HeaderLength);
        Assert.Equal(EtherType.Ipv4, ethernet.EtherType);
        Assert.Equal(0xA064, ethernet.VlanTci);
        Assert.Equal(100, ethernet.VlanId);
        Assert.Equal(5, ethernet.VlanTci >> 13);
        Assert.Equal(57, ethernet.Payload.Length);
        Assert.Equal(0x45, ethernet.Payload[0]);
    }

    [Fact]
    public void TryParse_GoldenArpRequest_ReadsBroadcastAndArpType()
    {
        var frame = FrameBuilder.Hex(GoldenFrames.ArpRequest);

        Assert.True(EthernetHeader.TryParse(frame, out var ethernet));

        Assert.Equal(MacAddress.Broadcast, ethernet.Destination);
        Assert.True(ethernet.Destination.IsMulticast);
        Assert.Equal(EtherType.Arp, ethernet.EtherType);
        Assert.Equal(46, ethernet.Payload.Length);
    }

    [Fact]
    public void TryParse_VlanTagWithMaximumId_MasksPriorityAndDei()
    {
        var frame = new FrameBuilder { VlanTci = 0xFFFF }.Udp(1, 2);

        Assert.True(EthernetHeader.TryParse(frame, out var ethernet));

        Assert.Equal(0xFFFF, ethernet.VlanTci);
        Assert.Equal(0x0FFF, ethernet.VlanId);
    }

    [Fact]
    public void TryParse_OtherEtherType_ReturnsTypeUnchanged()
    {
        var frame = new byte[60];
        FrameBuilder.WriteUInt16(frame, 12, 0x86DD);

        Assert.True(EthernetHeader.TryParse(frame, out var ethernet));

        Assert.Equal(EtherType.Ipv6, ethernet.EtherType);
        Assert.Equal(46, ethernet.Payload.Length);
    }

    [Fact]
    public void TryParse_PaddedFrame_PayloadKeepsPadding()
    {
        var frame = new FrameBuilder { Padding = 6 }.Tcp(1, 2);

        Assert.True(EthernetHeader.TryParse(frame, out var ethernet));

        Assert.Equal(frame.Length - 14, ethernet.Payload.Length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(13)]
    public void TryParse_ShorterThanHeader_ReturnsFalse(int length)
    {
        Assert.False(EthernetHeader.TryParse(new byte[length], out _));
    }

    [Theory]
    [InlineData(14)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    public void TryParse_VlanTypeWithoutWholeTag_ReturnsFalse(int length)
    {
        var frame = new byte[length];
        FrameBuilder.WriteUInt16(frame, 12, 0x8100);

        Assert.False(EthernetHeader.TryParse(frame, out _));
    }

    [Fact]
    public void TryParse_VlanTagExactlyPresent_ReturnsEmptyPayload()
    {
        var frame = new byte[18];
        FrameBuilder.WriteUInt16(frame, 12, 0x8100);
        FrameBuilder.WriteUInt16(frame, 14, 0x0123);
        FrameBuilder.WriteUInt16(frame, 16, 0x0806);

        Assert.True(EthernetHeader.TryParse(frame, out var ethernet));

        Assert.Equal(EtherType.Arp, ethernet.EtherType);
        Assert.Equal(0x123, ethernet.VlanId);
        Assert.True(ethernet.Payload.IsEmpty);
    }

    /// <summary>
    /// Every prefix of every sample frame, parsed layer by layer: Ethernet succeeds once its header is
    /// there, the IPv4 layer never succeeds on a packet cut below its total length, ARP needs its 28 bytes.
    /// </summary>
    [Theory]
    [MemberData(nameof(SampleFrames.FramePrefixes), MemberType = typeof(SampleFrames))]
    public void TryParse_TruncatedFrame_RejectsOrStaysWithinSpan(string kind, int length)
    {
        var sample = FrameBuilder.Samples[kind];
        var prefix = SampleFrames.Prefix(sample, length);
        var ethernetLength = SampleFrames.EthernetLength(sample);

        var parsed = EthernetHeader.TryParse(prefix, out var ethernet);

        Assert.Equal(length >= ethernetLength, parsed);
        if (parsed)
        {
            ParserProbe.AssertWithin(prefix, ethernet.Payload);
            if (ethernet.EtherType == EtherType.Ipv4)
            {
                Assert.False(Ipv4Header.TryParse(ethernet.Payload, out _));
            }
            else
            {
                Assert.Equal(length - ethernetLength >= ArpPacket.Length, ArpPacket.TryParse(ethernet.Payload, out _));
            }
        }

        var digest = ParserProbe.ProbeAll(prefix);
        Assert.Equal(digest, ParserProbe.ProbeAll(SampleFrames.PrefixWithGarbage(sample, length).AsSpan(0, length)));
    }
}
