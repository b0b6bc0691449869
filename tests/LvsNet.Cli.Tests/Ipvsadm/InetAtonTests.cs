using LvsNet.Cli.Ipvsadm;
using Xunit;

namespace LvsNet.Cli.Tests.Ipvsadm;

public class InetAtonTests
{
    // Expected values from inet_aton(3): "a.b.c" takes c as 16 bits, "a.b" b as 24 bits, "a" as 32 bits;
    // a leading 0 is octal and 0x hexadecimal.
    [Theory]
    [InlineData("10.0.0.1", 0x0A000001u)]
    [InlineData("255.255.0", 0xFFFF0000u)]
    [InlineData("10.1", 0x0A000001u)]
    [InlineData("127.1", 0x7F000001u)]
    [InlineData("4294967295", 0xFFFFFFFFu)]
    [InlineData("0x7f.1", 0x7F000001u)]
    [InlineData("010.0.0.1", 0x08000001u)]
    [InlineData("1.2.65535", 0x0102FFFFu)]
    [InlineData("1.16777215", 0x01FFFFFFu)]
    public void TryParse_ValidForms(string text, uint expected)
    {
        Assert.True(InetAton.TryParse(text, out var address));
        Assert.Equal(expected, address);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1.2.3.4.5")]
    [InlineData("256.1.1.1")]
    [InlineData("1.2.65536")]
    [InlineData("1.16777216")]
    [InlineData("4294967296")]
    [InlineData("08.1.1.1")]
    [InlineData("1..2")]
    [InlineData("1.2.3.")]
    [InlineData("host")]
    [InlineData("0xg")]
    public void TryParse_InvalidForms(string text) => Assert.False(InetAton.TryParse(text, out _));
}
