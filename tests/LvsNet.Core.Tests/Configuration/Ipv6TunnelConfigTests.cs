using LvsNet.Core.Configuration;
using Xunit;

namespace LvsNet.Core.Tests;

public class Ipv6TunnelConfigTests
{
    private const string Director = "director:\n  interface: eth0\n  address: 10.0.0.2/24\n";
    private const string Director6 = "director:\n  interface: eth0\n  address: 10.0.0.2/24\n  address6: 2001:db8::2/64\n";

    [Fact]
    public void MixedFamilies_WithTun_AreAccepted_BothWays()
    {
        var config = LvsConfigReader.Parse(Director6 + """
            virtual_services:
              - address: 10.0.0.100
                port: 80
                real_servers:
                  - address: 2001:db8::11
                    method: tun
                  - address: 10.0.0.11
                    method: tun
              - address: 2001:db8::100
                port: 80
                real_servers:
                  - address: 10.0.0.12
                    method: tun
                  - address: 2001:db8::12
                    method: tun
            """);
        Assert.Equal(2, config.VirtualServices.Length);
        Assert.True(config.VirtualServices[0].RealServers[0].IsIpv6);
        Assert.False(config.VirtualServices[1].RealServers[0].IsIpv6);
    }

    [Fact]
    public void MixedFamilies_OtherMethodsOrNoAddress6_AreRefused_EachWithPathAndLine()
    {
        var yaml = Director + """
            virtual_services:
              - address: 10.0.0.100
                port: 80
                real_servers:
                  - address: 2001:db8::11
                    method: tun
                  - address: 2001:db8::12
                    method: nat
                  - address: 2001:db8::13
                    port: 8080
                    method: tun
              - address: 2001:db8::100
                port: 80
                real_servers:
                  - address: 10.0.0.12
                    method: dr
                  - address: 10.0.0.2
                    method: tun
                  - address: 2001:db8::14
                    method: tun
            """;
        var error = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(yaml));
        var found = error.Errors.Select(e => $"{e.Path}@{e.Line}").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
            [
                "virtual_services[0].real_servers[0].address@8",
                "virtual_services[0].real_servers[1].address@10",
                "virtual_services[0].real_servers[2].address@12",
                "virtual_services[0].real_servers[2].port@12",
                "virtual_services[1].real_servers[0].address@18",
                "virtual_services[1].real_servers[1].address@20",
                "virtual_services[1].real_servers[2].address@22",
            ],
            found);
        Assert.Equal(3, error.Errors.Count(e => e.Message.Contains("needs director.address6", StringComparison.Ordinal)));
        Assert.Equal(2, error.Errors.Count(e => e.Message.Contains("only possible with tunnels", StringComparison.Ordinal)));
        Assert.Contains(error.Errors, e => e.Message.Contains("cannot be the director itself", StringComparison.Ordinal));
    }

    [Fact]
    public void Ipv6Tun_NeedsTheVirtualPort_LikeIpvsadm()
    {
        var yaml = Director6 + "virtual_services:\n  - address: 2001:db8::100\n    port: 80\n    real_servers:\n      - address: 2001:db8::11\n        port: 8080\n        method: tun\n";
        var error = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(yaml));
        var only = Assert.Single(error.Errors);
        Assert.Equal(("virtual_services[0].real_servers[0].port", 9), (only.Path, only.Line));
        Assert.Contains("tun cannot change the port", only.Message, StringComparison.Ordinal);
    }
}
