using Xunit;

namespace LvsNet.Packets.Tests;

public class ArpPacketTests
{
    [Fact]
    public void TryParse_GoldenRequest_ReadsEveryField()
    {
        var frame = FrameBuilder.Hex(GoldenFrames.ArpRequest);
        Assert.Equal(60, frame.Length);

        Assert.True(ArpPacket.TryParse(frame.AsSpan(14), out var arp));

        Assert.Equal(ArpOperation.Request, arp.Operation);
        Assert.Equal(MacAddress.Parse("08:00:27:8a:3c:5e"), arp.SenderMac);
        Assert.Equal(Ipv4Address.Parse("10.0.2.15"), arp.SenderIp);
        Assert.Equal(MacAddress.Zero, arp.TargetMac);
        Assert.Equal(Ipv4Address.Parse("10.0.2.2"), arp.TargetIp);
    }

    [Fact]
    public void TryParse_BuiltReplyInVlan_ReadsEveryField()
    {
        var frame = FrameBuilder.Samples["arp-vlan"];

        Assert.True(EthernetHeader.TryParse(frame, out var ethernet));
        Assert.Equal(EtherType.Arp, ethernet.EtherType);
        Assert.Equal(7, ethernet.VlanId);
        Assert.True(ArpPacket.TryParse(ethernet.Payload, out var arp));

        Assert.Equal(ArpOperation.Reply, arp.Operation);
        Assert.Equal(new MacAddress(0x02_00_00_00_00_10), arp.SenderMac);
        Assert.Equal(0x0A00_000Au, arp.SenderIp);
        Assert.Equal(new MacAddress(0x02_00_00_00_00_02), arp.TargetMac);
        Assert.Equal(0x0A00_0064u, arp.TargetIp);
    }

    [Fact]
    public void TryParse_ExactlyTwentyEightBytes_ReturnsTrue()
    {
        var body = SampleFrames.ArpBody("arp");

        Assert.True(ArpPacket.TryParse(body, out var arp));

        Assert.Equal(ArpOperation.Request, arp.Operation);
    }

    [Theory]
    [InlineData(0, (ushort)0)]
    [InlineData(0, (ushort)6)]
    [InlineData(0, (ushort)0x0100)]
    [InlineData(2, (ushort)0x86DD)]
    [InlineData(2, (ushort)0x0806)]
    [InlineData(2, (ushort)0)]
    public void TryParse_WrongHardwareOrProtocolType_ReturnsFalse(int offset, ushort value)
    {
        var body = SampleFrames.ArpBody("arp");
        FrameBuilder.WriteUInt16(body, offset, value);

        Assert.False(ArpPacket.TryParse(body, out _));
    }

    [Theory]
    [InlineData(4, 0)]
    [InlineData(4, 8)]
    [InlineData(4, 16)]
    [InlineData(5, 0)]
    [InlineData(5, 6)]
    [InlineData(5, 16)]
    public void TryParse_WrongAddressLength_ReturnsFalse(int offset, byte value)
    {
        var body = SampleFrames.ArpBody("arp");
        body[offset] = value;

        Assert.False(ArpPacket.TryParse(body, out _));
    }

    [Theory]
    [MemberData(nameof(SampleFrames.ArpPrefixes), MemberType = typeof(SampleFrames))]
    public void TryParse_TruncatedPacket_ReturnsFalse(string kind, int length)
    {
        var body = SampleFrames.ArpBody(kind);

        Assert.False(ArpPacket.TryParse(SampleFrames.Prefix(body, length), out _));
        Assert.False(ArpPacket.TryParse(SampleFrames.PrefixWithGarbage(body, length).AsSpan(0, length), out _));
    }
}
