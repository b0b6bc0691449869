using LvsNet.Control.Protocol;
using LvsNet.Packets;
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
}
