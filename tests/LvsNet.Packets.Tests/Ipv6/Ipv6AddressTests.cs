using System.Net;
using LvsNet.Packets.Ipv6;
using Xunit;

namespace LvsNet.Packets.Tests.Ipv6;

public class Ipv6AddressTests
{
    [Theory]
    [InlineData("2001:db8::1", "2001:0db8:0000:0000:0000:0000:0000:0001")]
    [InlineData("2001:db8::1:0:0:1", "2001:0db8:0000:0000:0001:0000:0000:0001")] // RFC 5952 §4.2.3: the first of equal runs
    [InlineData("::", "0000:0000:0000:0000:0000:0000:0000:0000")]
    [InlineData("fe80::1", "fe80:0000:0000:0000:0000:0000:0000:0001")]
    public void ParseAndFormat_FollowRfc5952(string canonical, string full)
    {
        var address = Ipv6Address.Parse(full);
        Assert.Equal(canonical, address.ToString());
        Assert.Equal(address, Ipv6Address.Parse(canonical));
        Assert.Equal(IPAddress.Parse(full).GetAddressBytes(), Bytes(address));
    }

    [Theory]
    [InlineData("10.0.0.1")]
    [InlineData("fe80::1%eth0")]
    [InlineData("2001:db8::1/64")]
    [InlineData("[2001:db8::1]")]
    [InlineData("2001:db8::g")]
    [InlineData("")]
    [InlineData(null)]
    public void TryParse_RefusesWhatIsNotAPlainIpv6Address(string? text) => Assert.False(Ipv6Address.TryParse(text, out _));

    [Fact]
    public void SolicitedNodeAndMulticastMac_MatchTheRfcExamples()
    {
        // RFC 4291 §2.7.1: 4037::01:800:200E:8C6C solicits at FF02::1:FF0E:8C6C.
        var solicited = Ipv6Address.Parse("4037::1:800:200e:8c6c").SolicitedNode;
        Assert.Equal(Ipv6Address.Parse("ff02::1:ff0e:8c6c"), solicited);

        // RFC 2464 §7: 33-33 followed by the last four octets.
        Assert.Equal(MacAddress.Parse("33:33:ff:0e:8c:6c"), solicited.MulticastMac());
        Assert.Equal(MacAddress.Parse("33:33:00:00:00:01"), Ipv6Address.AllNodes.MulticastMac());
        Assert.True(solicited.IsMulticast);
        Assert.True(solicited.MulticastMac().IsMulticast);
    }

    [Fact]
    public void Classification()
    {
        Assert.True(Ipv6Address.Parse("fe80::1").IsLinkLocal);
        Assert.True(Ipv6Address.Parse("febf::1").IsLinkLocal);
        Assert.False(Ipv6Address.Parse("fec0::1").IsLinkLocal);
        Assert.True(Ipv6Address.Parse("::1").IsLoopback);
        Assert.True(Ipv6Address.Parse("::").IsUnspecified);
        Assert.True(Ipv6Address.Parse("::ffff:10.0.0.1").IsIpv4Mapped);
        Assert.False(Ipv6Address.Parse("2001:db8::1").IsMulticast);
    }

    [Fact]
    public void Fold_XorsTheFourWordsInWireOrder()
    {
        var address = Ipv6Address.Parse("2001:db8:1234:5678:9abc:def0:1122:3344");
        Assert.Equal(0x20010DB8u ^ 0x12345678u ^ 0x9ABCDEF0u ^ 0x11223344u, address.Fold());
    }

    [Theory]
    [InlineData("2001:db8:1234:5678:9abc:def0:1122:3344", 64, "2001:db8:1234:5678::")]
    [InlineData("2001:db8:1234:5678:9abc:def0:1122:3344", 48, "2001:db8:1234::")]
    [InlineData("2001:db8:1234:5678:9abc:def0:1122:3344", 128, "2001:db8:1234:5678:9abc:def0:1122:3344")]
    [InlineData("2001:db8:1234:5678:9abc:def0:1122:3344", 0, "::")]
    [InlineData("2001:db8:1234:5678:9abc:def0:1122:3344", 36, "2001:db8:1000::")]
    public void Mask_KeepsThePrefix(string address, int prefixLength, string expected) =>
        Assert.Equal(Ipv6Address.Parse(expected), Ipv6Address.Parse(address).Mask(prefixLength));

    private static byte[] Bytes(Ipv6Address address)
    {
        var bytes = new byte[16];
        address.WriteTo(bytes);
        Assert.Equal(address, Ipv6Address.Read(bytes));
        return bytes;
    }
}
