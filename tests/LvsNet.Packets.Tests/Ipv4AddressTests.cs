using System.Net;
using Xunit;

namespace LvsNet.Packets.Tests;

public class Ipv4AddressTests
{
    [Theory]
    [InlineData("10.0.0.1", 0x0A00_0001u)]
    [InlineData("0.0.0.0", 0u)]
    [InlineData("255.255.255.255", 0xFFFF_FFFFu)]
    [InlineData("192.168.100.7", 0xC0A8_6407u)]
    [InlineData("1.2.3.4", 0x0102_0304u)]
    public void Parse_DottedQuad_ReturnsBigEndianValue(string text, uint expected)
    {
        Assert.Equal(expected, Ipv4Address.Parse(text));
        Assert.True(Ipv4Address.TryParse(text, out var address));
        Assert.Equal(expected, address);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("10.1")]
    [InlineData("10.1.2")]
    [InlineData("167772161")]
    [InlineData("256.0.0.1")]
    [InlineData("010.0.0.1")]
    [InlineData("0x0A.0.0.1")]
    [InlineData("10.0.0.0001")]
    [InlineData("10..0.1")]
    [InlineData("10.0.0.256")]
    [InlineData("1.2.3.4.5")]
    [InlineData("-1.0.0.0")]
    [InlineData("a.b.c.d")]
    [InlineData("10.0.0.1/24")]
    [InlineData("10.0.0.1:80")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fe80::1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("2001:db8::10.0.0.1")]
    [InlineData("localhost")]
    public void TryParse_NotADottedQuad_ReturnsFalse(string? text)
    {
        Assert.False(Ipv4Address.TryParse(text, out var address));
        Assert.Equal(0u, address);
    }

    [Fact]
    public void Parse_Invalid_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => Ipv4Address.Parse("10.1"));
        Assert.Throws<FormatException>(() => Ipv4Address.Parse("::1"));
    }

    [Theory]
    [InlineData(0x0A00_0001u, "10.0.0.1")]
    [InlineData(0u, "0.0.0.0")]
    [InlineData(0xFFFF_FFFFu, "255.255.255.255")]
    [InlineData(0xC0A8_6407u, "192.168.100.7")]
    [InlineData(0x8000_00FFu, "128.0.0.255")]
    public void Format_Value_ReturnsDottedQuad(uint address, string expected)
    {
        Assert.Equal(expected, Ipv4Address.Format(address));
    }

    [Fact]
    public void FormatThenParse_RandomValues_RoundTrips()
    {
        var random = new Random(32);
        for (var i = 0; i < 2000; i++)
        {
            var address = (uint)random.NextInt64(0, 1L << 32);

            Assert.Equal(address, Ipv4Address.Parse(Ipv4Address.Format(address)));
            Assert.Equal(address, Ipv4Address.FromIPAddress(Ipv4Address.ToIPAddress(address)));
            Assert.Equal(Ipv4Address.Format(address), Ipv4Address.ToIPAddress(address).ToString());
        }
    }

    [Fact]
    public void FromIPAddress_Ipv4_ReturnsBigEndianValue()
    {
        Assert.Equal(0x0A00_0001u, Ipv4Address.FromIPAddress(IPAddress.Parse("10.0.0.1")));
        Assert.Equal(0x7F00_0001u, Ipv4Address.FromIPAddress(IPAddress.Loopback));
    }

    [Fact]
    public void FromIPAddress_Ipv6_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => Ipv4Address.FromIPAddress(IPAddress.IPv6Loopback));
        Assert.Throws<ArgumentNullException>(() => Ipv4Address.FromIPAddress(null!));
    }

    [Theory]
    [InlineData(0, 0x0000_0000u)]
    [InlineData(1, 0x8000_0000u)]
    [InlineData(8, 0xFF00_0000u)]
    [InlineData(16, 0xFFFF_0000u)]
    [InlineData(24, 0xFFFF_FF00u)]
    [InlineData(31, 0xFFFF_FFFEu)]
    [InlineData(32, 0xFFFF_FFFFu)]
    public void PrefixToMask_PrefixLength_ReturnsMask(int prefixLength, uint expected)
    {
        Assert.Equal(expected, Ipv4Address.PrefixToMask(prefixLength));
    }

    [Fact]
    public void PrefixToMask_Slash24_MasksNetwork()
    {
        Assert.Equal(Ipv4Address.Parse("192.168.100.0"), Ipv4Address.Parse("192.168.100.7") & Ipv4Address.PrefixToMask(24));
    }
}
