using LvsNet.Control.Protocol;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;
using Xunit;

namespace LvsNet.Control.Tests.Protocol;

public class ConnectionFilterTests
{
    private static readonly uint Client = Ipv4Address.Parse("192.0.2.77");
    private static readonly uint Vip = Ipv4Address.Parse("10.0.0.100");
    private static readonly uint Server = Ipv4Address.Parse("10.0.0.11");

    private static bool Matches(ConnectionFilter filter, uint client = 0, ushort clientPort = 40000, uint vip = 0, ushort vport = 80, uint server = 0, ushort rport = 80, IpProtocol protocol = IpProtocol.Tcp)
    {
        Assert.True(filter.IsValid(out var error), error);
        return filter.ToPredicate()(protocol, client == 0 ? Client : client, clientPort, vip == 0 ? Vip : vip, vport, server == 0 ? Server : server, rport);
    }

    [Fact]
    public void EmptyFilter_MatchesEverything() => Assert.True(Matches(new ConnectionFilter()));

    [Fact]
    public void Client_MatchesTheAddressOrItsPrefix_AndThePortWhenGiven()
    {
        Assert.True(Matches(new ConnectionFilter { ClientAddress = "192.0.2.77" }));
        Assert.False(Matches(new ConnectionFilter { ClientAddress = "192.0.2.78" }));

        // 192.0.2.64/26 holds .64 to .127.
        Assert.True(Matches(new ConnectionFilter { ClientAddress = "192.0.2.64", ClientPrefixLength = 26 }));
        Assert.False(Matches(new ConnectionFilter { ClientAddress = "192.0.2.64", ClientPrefixLength = 26 }, client: Ipv4Address.Parse("192.0.2.128")));
        Assert.True(Matches(new ConnectionFilter { ClientAddress = "0.0.0.0", ClientPrefixLength = 0 }));

        Assert.True(Matches(new ConnectionFilter { ClientAddress = "192.0.2.77", ClientPort = 40000 }));
        Assert.False(Matches(new ConnectionFilter { ClientAddress = "192.0.2.77", ClientPort = 40001 }));
    }

    [Fact]
    public void ServerServiceAndProtocol_MustAllMatch()
    {
        var filter = new ConnectionFilter { ServerAddress = "10.0.0.11", ServerPort = 80, ServiceAddress = "10.0.0.100", ServicePort = 80, Protocol = "tcp" };
        Assert.True(Matches(filter));
        Assert.False(Matches(filter, server: Ipv4Address.Parse("10.0.0.12")));
        Assert.False(Matches(filter, rport: 8080));
        Assert.False(Matches(filter, vip: Ipv4Address.Parse("10.0.0.101")));
        Assert.False(Matches(filter, vport: 443));
        Assert.False(Matches(filter, protocol: IpProtocol.Udp));
        Assert.True(Matches(filter with { Protocol = null }, protocol: IpProtocol.Udp));
    }

    [Theory]
    [InlineData("client", "192.0.2.256")]
    [InlineData("server", "ten")]
    [InlineData("service", "10.0.0")]
    [InlineData("prefix", "33")]
    [InlineData("protocol", "sctp")]
    public void Invalid_SaysWhatIsWrong(string part, string value)
    {
        var filter = part switch
        {
            "client" => new ConnectionFilter { ClientAddress = value },
            "server" => new ConnectionFilter { ServerAddress = value },
            "service" => new ConnectionFilter { ServiceAddress = value },
            "prefix" => new ConnectionFilter { ClientAddress = "192.0.2.1", ClientPrefixLength = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) },
            _ => new ConnectionFilter { Protocol = value },
        };
        Assert.False(filter.IsValid(out var error));
        Assert.Contains(value, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Ipv6_ClientPrefixServerAndService_MatchIpv6Entries()
    {
        var client = Ipv6Address.Parse("2001:db8:1:2::a");
        var vip = Ipv6Address.Parse("2001:db8::100");
        var rip = Ipv6Address.Parse("2001:db8::11");
        bool Match6(ConnectionFilter filter, Ipv6Address? server = null) =>
            filter.IsValid(out _) && filter.ToPredicate6()(IpProtocol.Tcp, client, 40000, vip, 80, server ?? rip, 80);

        Assert.True(Match6(new ConnectionFilter()));
        Assert.True(Match6(new ConnectionFilter { ClientAddress = "2001:db8:1::", ClientPrefixLength = 48 }));
        Assert.False(Match6(new ConnectionFilter { ClientAddress = "2001:db8:2::", ClientPrefixLength = 48 }));
        Assert.True(Match6(new ConnectionFilter { ClientAddress = "2001:db8:1:2::a", ClientPrefixLength = 128, ClientPort = 40000 }));
        Assert.False(Match6(new ConnectionFilter { ClientAddress = "2001:db8:1:2::b", ClientPrefixLength = 128 }));
        Assert.True(Match6(new ConnectionFilter { ServerAddress = "2001:db8::11", ServerPort = 80, ServiceAddress = "2001:db8::100", ServicePort = 80, Protocol = "tcp" }));
        Assert.False(Match6(new ConnectionFilter { ServerAddress = "2001:db8::12" }));
        Assert.False(Match6(new ConnectionFilter { Protocol = "udp" }));

        // A filter naming an IPv4 address matches no IPv6 entry, and one naming an IPv6 address no IPv4 entry.
        Assert.False(Match6(new ConnectionFilter { ServiceAddress = "10.0.0.100" }));
        var ipv6Filter = new ConnectionFilter { ServiceAddress = "2001:db8::100" };
        Assert.False(ipv6Filter.ToPredicate()(IpProtocol.Tcp, 1, 1, 0, 80, 0, 80));
    }

    [Theory]
    [InlineData("2001:db8::", 129)]
    [InlineData("2001:db8::", -1)]
    public void Ipv6_PrefixUpTo128(string address, int prefix)
    {
        Assert.False(new ConnectionFilter { ClientAddress = address, ClientPrefixLength = prefix }.IsValid(out var error));
        Assert.Contains("between 0 and 128", error, StringComparison.Ordinal);
        Assert.True(new ConnectionFilter { ClientAddress = address, ClientPrefixLength = 128 }.IsValid(out _));
    }
}
