using Xunit;

namespace LvsNet.Packets.Tests;

public class MacAddressTests
{
    [Theory]
    [InlineData("02:00:5e:10:00:01", 0x0200_5E10_0001UL)]
    [InlineData("02-00-5E-10-00-01", 0x0200_5E10_0001UL)]
    [InlineData("AA:bb:Cc:dD:ee:FF", 0xAABB_CCDD_EEFFUL)]
    [InlineData("00:00:00:00:00:00", 0UL)]
    [InlineData("ff:ff:ff:ff:ff:ff", 0xFFFF_FFFF_FFFFUL)]
    public void TryParse_ValidText_ReturnsValue(string text, ulong expected)
    {
        Assert.True(MacAddress.TryParse(text, out var address));

        Assert.Equal(expected, address.Value);
        Assert.Equal(expected, MacAddress.Parse(text).Value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("02:00:5e:10:00")]
    [InlineData("02:00:5e:10:00:01:02")]
    [InlineData("02:00:5e:10:00:1")]
    [InlineData("02:00:5e:10:00:0g")]
    [InlineData("g2:00:5e:10:00:01")]
    [InlineData("02.00.5e.10.00.01")]
    [InlineData("02:00:5e:10:00:01 ")]
    [InlineData("0200.5e10.0001")]
    [InlineData("020:05e:100:001")]
    [InlineData("02005e100001")]
    [InlineData("02:00:5e:10:00: 1")]
    [InlineData(" 2:00:5e:10:00:01")]
    [InlineData("02:00:5e:10:00:1 ")]
    [InlineData("02:00:5e:1 :00:01")]
    [InlineData("02:00:5e:10:00:+1")]
    [InlineData("02:00:5e:10:00:-1")]
    [InlineData("02::0:5e:10:00:01")]
    public void TryParse_InvalidText_ReturnsFalse(string? text)
    {
        Assert.False(MacAddress.TryParse(text, out var address));
        Assert.Equal(default, address);
    }

    [Fact]
    public void Parse_InvalidText_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => MacAddress.Parse("not-a-mac"));
    }

    [Fact]
    public void ToString_Value_FormatsLowerCaseWithColons()
    {
        Assert.Equal("02:00:5e:10:00:01", new MacAddress(0x0200_5E10_0001).ToString());
        Assert.Equal("aa:bb:cc:dd:ee:ff", MacAddress.Parse("AA-BB-CC-DD-EE-FF").ToString());
        Assert.Equal("00:00:00:00:00:00", MacAddress.Zero.ToString());
        Assert.Equal("ff:ff:ff:ff:ff:ff", MacAddress.Broadcast.ToString());
    }

    [Fact]
    public void ToStringThenParse_RandomValues_RoundTrips()
    {
        var random = new Random(48);
        for (var i = 0; i < 2000; i++)
        {
            var address = new MacAddress((ulong)random.NextInt64(0, 1L << 48));

            Assert.Equal(address, MacAddress.Parse(address.ToString()));
        }
    }

    [Fact]
    public void WriteToThenRead_RandomValues_RoundTripsInNetworkOrder()
    {
        var random = new Random(6);
        var buffer = new byte[8];
        for (var i = 0; i < 1000; i++)
        {
            var value = (ulong)random.NextInt64(0, 1L << 48);
            buffer.AsSpan().Fill(0xCC);

            new MacAddress(value).WriteTo(buffer);

            var expected = new byte[8];
            expected.AsSpan().Fill(0xCC);
            FrameBuilder.WriteMac(expected, 0, value);
            Assert.Equal(expected, buffer);
            Assert.Equal(value, MacAddress.Read(buffer).Value);
        }
    }

    [Fact]
    public void Constructor_ValueAbove48Bits_KeepsLow48Bits()
    {
        Assert.Equal(MacAddress.Broadcast, new MacAddress(ulong.MaxValue));
        Assert.Equal(0x0000_0000_0001UL, new MacAddress(0x0001_0000_0000_0001).Value);
    }

    [Theory]
    [InlineData("01:00:5e:00:00:01", true)]
    [InlineData("33:33:00:00:00:01", true)]
    [InlineData("ff:ff:ff:ff:ff:ff", true)]
    [InlineData("02:00:00:00:00:01", false)]
    [InlineData("00:01:00:00:00:00", false)]
    [InlineData("fe:ff:ff:ff:ff:ff", false)]
    public void IsMulticast_Address_TrueWhenGroupBitSet(string text, bool expected)
    {
        Assert.Equal(expected, MacAddress.Parse(text).IsMulticast);
    }

    [Fact]
    public void Equality_SameAndDifferentValues_BehavesAsValue()
    {
        var a = MacAddress.Parse("02:00:00:00:00:01");
        var b = new MacAddress(0x02_00_00_00_00_01);
        var c = MacAddress.Parse("02:00:00:00:00:02");

        Assert.True(a == b);
        Assert.False(a != b);
        Assert.True(a != c);
        Assert.True(a.Equals((object)b));
        Assert.False(a.Equals((object?)null));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.True(MacAddress.Zero.IsZero);
        Assert.False(a.IsZero);
        Assert.Equal(default, MacAddress.Zero);
    }
}
