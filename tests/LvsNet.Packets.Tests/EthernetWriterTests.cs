using LvsNet.Packets.Writing;
using Xunit;

namespace LvsNet.Packets.Tests;

public class EthernetWriterTests
{
    [Fact]
    public void WriteHeader_Addresses_WritesUntaggedHeader()
    {
        var frame = new byte[20];
        frame.AsSpan().Fill(0xCC);

        var length = EthernetWriter.WriteHeader(frame, MacAddress.Parse("52:54:00:12:35:02"), MacAddress.Parse("08:00:27:8a:3c:5e"), EtherType.Ipv4);

        Assert.Equal(14, length);
        Assert.Equal(FrameBuilder.Hex("525400123502 0800278a3c5e 0800"), frame.AsSpan(0, 14).ToArray());
        Assert.All(frame.AsSpan(14).ToArray(), b => Assert.Equal(0xCC, b));
    }

    [Fact]
    public void SetAddresses_VlanFrame_RewritesOnlyTheAddresses()
    {
        var frame = FrameBuilder.Hex(GoldenFrames.VlanDnsQuery);
        var expected = (byte[])frame.Clone();
        FrameBuilder.WriteMac(expected, 0, 0x02_00_00_00_00_0B);
        FrameBuilder.WriteMac(expected, 6, 0x02_00_00_00_00_02);

        EthernetWriter.SetAddresses(frame, new MacAddress(0x02_00_00_00_00_0B), new MacAddress(0x02_00_00_00_00_02));

        Assert.Equal(expected, frame);
    }
}
