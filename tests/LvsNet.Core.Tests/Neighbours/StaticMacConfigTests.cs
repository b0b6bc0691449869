using LvsNet.Core.Configuration;
using LvsNet.Core.Neighbours;
using LvsNet.Packets;
using Xunit;

namespace LvsNet.Core.Tests.Neighbours;

public class StaticMacConfigTests
{
    [Fact]
    public void Parse_MacKeys_GiveStaticNeighbours()
    {
        const string Yaml =
            """
            director:
              interface: eth0
              address: 10.77.0.2/24
              gateway: 10.77.0.1
              gateway_mac: 52-54-00-00-00-01
            virtual_services:
              - address: 10.77.0.100
                port: 80
                scheduler: rr
                real_servers:
                  - address: 10.77.0.11
                    mac: 52:54:00:AA:BB:11
                  - address: 10.77.0.12
            """;
        var config = LvsConfigReader.Parse(Yaml);
        Assert.Equal(MacAddress.Parse("52:54:00:00:00:01"), config.Director.GatewayMac);
        Assert.Equal(MacAddress.Parse("52:54:00:aa:bb:11"), config.VirtualServices[0].RealServers[0].Mac);
        Assert.Null(config.VirtualServices[0].RealServers[1].Mac);

        var statics = StaticNeighbours.From(config);
        Assert.Equal(2, statics.Count);
        Assert.Equal(MacAddress.Parse("52:54:00:00:00:01"), statics[Ipv4Address.Parse("10.77.0.1")]);
        Assert.Equal(MacAddress.Parse("52:54:00:aa:bb:11"), statics[Ipv4Address.Parse("10.77.0.11")]);
    }

    [Fact]
    public void Parse_BadMacs_AreAllReportedWithPathAndLine()
    {
        const string Bad =
            """
            director:
              interface: eth0
              address: 10.77.0.2/24
              gateway_mac: 52:54:00:00:00:01
            virtual_services:
              - address: 10.77.0.100
                port: 80
                scheduler: rr
                real_servers:
                  - address: 10.77.0.11
                    mac: 52:54:00:zz:00:11
                  - address: 10.77.0.12
                    mac: 01:00:5e:00:00:01
                  - address: 10.77.0.13
                    mac: 00:00:00:00:00:00
                  - address: 10.77.0.14
                    mac: ff:ff:ff:ff:ff:ff
            """;
        var ex = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(Bad, "bad.yaml"));
        var errors = ex.Errors.Select(e => e.ToString()).ToList();
        Assert.Contains(errors, e => e.StartsWith("director.gateway_mac (line 4): needs gateway", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("virtual_services[0].real_servers[0].mac (line 11): must be a MAC address", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("virtual_services[0].real_servers[1].mac (line 13): must be a unicast MAC address", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("virtual_services[0].real_servers[2].mac (line 15): must be a unicast MAC address", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("virtual_services[0].real_servers[3].mac (line 17): must be a unicast MAC address", StringComparison.Ordinal));
        Assert.Equal(5, errors.Count);
    }

    [Fact]
    public void Parse_TwoMacsForOneAddress_IsRejected()
    {
        const string Bad =
            """
            director:
              interface: eth0
              address: 10.77.0.2/24
              gateway: 10.77.0.1
              gateway_mac: 52:54:00:00:00:01
            virtual_services:
              - address: 10.77.0.100
                port: 80
                scheduler: rr
                real_servers:
                  - address: 10.77.0.11
                    mac: 52:54:00:00:00:11
              - address: 10.77.0.100
                port: 443
                scheduler: rr
                real_servers:
                  - address: 10.77.0.11
                    mac: 52:54:00:00:00:99
                  - address: 10.77.0.1
                    method: nat
                    mac: 52:54:00:00:00:01
            """;
        var ex = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(Bad, "bad.yaml"));
        var error = Assert.Single(ex.Errors).ToString();
        Assert.StartsWith("virtual_services[1].real_servers[0].mac (line 17): 10.77.0.11 is given 52:54:00:00:00:99 here but 52:54:00:00:00:11 at virtual_services[0].real_servers[0].mac", error, StringComparison.Ordinal);
    }
}
