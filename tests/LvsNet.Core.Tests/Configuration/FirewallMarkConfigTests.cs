using LvsNet.Core.Configuration;
using LvsNet.Packets;
using Xunit;

namespace LvsNet.Core.Tests;

/// <summary>The YAML of firewall-mark services: <c>firewall_marks</c> rules and <c>fwmark</c> services, and every error with its path.</summary>
public class FirewallMarkConfigTests
{
    private const string Head =
        """
        director:
          interface: eth0
          address: 10.77.0.2/24

        """;

    private static ConfigException Refused(string yaml) => Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(Head + yaml));

    [Fact]
    public void Parse_RulesAndService_GiveTheModel()
    {
        var config = LvsConfigReader.Parse(Head +
            """
            firewall_marks:
              - mark: 1
                protocol: tcp
                destinations: [10.77.0.100, 10.77.0.128/30]
                ports: [80, 443, 8000-8080]
              - mark: 2
                destinations: 10.77.0.101
            virtual_services:
              - fwmark: 1
                scheduler: rr
                persistence_timeout: 600
                real_servers:
                  - address: 10.77.0.11
                  - address: 10.77.0.12
                    port: 443
                    method: nat
            """);
        Assert.Equal(2, config.FirewallMarks.Length);
        var web = config.FirewallMarks[0];
        Assert.Equal(1u, web.Mark);
        Assert.Equal(IpProtocol.Tcp, web.Protocol);
        Assert.Equal([new AddressPrefix(Ipv4Address.Parse("10.77.0.100"), 32), new AddressPrefix(Ipv4Address.Parse("10.77.0.128"), 30)], web.Destinations.AsEnumerable());
        Assert.Equal([new PortRange(80, 80), new PortRange(443, 443), new PortRange(8000, 8080)], web.Ports.AsEnumerable());
        Assert.Null(config.FirewallMarks[1].Protocol);
        Assert.Empty(config.FirewallMarks[1].Ports);

        var service = Assert.Single(config.VirtualServices);
        Assert.Equal((1u, (IpProtocol)0, 0u, (ushort)0), (service.FirewallMark, service.Protocol, service.Address, service.Port));
        Assert.Equal(TimeSpan.FromSeconds(600), service.PersistenceTimeout);

        // A dr server of a fwmark service keeps no virtual port: none is forced on it (ipvsadm neither).
        Assert.Equal(0, service.RealServers[0].Port);
        Assert.Equal(443, service.RealServers[1].Port);
    }

    [Fact]
    public void Parse_FirewallMarkServiceWithoutPersistence_IsAccepted()
    {
        var config = LvsConfigReader.Parse(Head + "virtual_services:\n  - fwmark: 9\n    real_servers:\n      - address: 10.77.0.11\n");
        Assert.Null(Assert.Single(config.VirtualServices).PersistenceTimeout);
    }

    [Theory]
    [InlineData("virtual_services:\n  - fwmark: 1\n    address: 10.77.0.100\n    port: 80\n", "virtual_services[0].address", "does not go with fwmark")]
    [InlineData("virtual_services:\n  - fwmark: 0\n", "virtual_services[0].fwmark", "must be")]
    [InlineData("virtual_services:\n  - fwmark: 4294967296\n", "virtual_services[0].fwmark", "must be")]
    [InlineData("virtual_services:\n  - fwmark: 1\n  - fwmark: 1\n", "virtual_services[1]", "duplicates virtual_services[0] (fwmark 1)")]
    [InlineData("firewall_marks:\n  - mark: 1\n", "firewall_marks[0].destinations", "must list the destination")]
    [InlineData("firewall_marks:\n  - destinations: [10.77.0.100]\n", "firewall_marks[0].mark", "is required")]
    [InlineData("firewall_marks:\n  - mark: 1\n    protocol: sctp\n    destinations: [10.77.0.100]\n", "firewall_marks[0].protocol", "must be tcp, udp or any")]
    [InlineData("firewall_marks:\n  - mark: 1\n    destinations: [10.77.0.300]\n", "firewall_marks[0].destinations[0]", "IPv4 or IPv6 address or prefix")]
    [InlineData("firewall_marks:\n  - mark: 1\n    destinations: [10.77.0.100/33]\n", "firewall_marks[0].destinations[0]", "IPv4 or IPv6 address or prefix")]
    [InlineData("firewall_marks:\n  - mark: 1\n    destinations: [10.77.0.100]\n    ports: [0]\n", "firewall_marks[0].ports[0]", "port 1..65535")]
    [InlineData("firewall_marks:\n  - mark: 1\n    destinations: [10.77.0.100]\n    ports: [443-80]\n", "firewall_marks[0].ports[0]", "port 1..65535")]
    [InlineData("firewall_marks:\n  - mark: 1\n    destinations: [10.77.0.100]\n    colour: red\n", "firewall_marks[0].colour", "unknown key")]
    [InlineData("firewall_marks:\n  - mark: 1\n    destinations: [10.78.0.0/16]\n", "firewall_marks[0].destinations[0]", "wider than /24")]
    [InlineData("firewall_marks:\n  - mark: 1\n    destinations: [10.77.0.2]\n", "firewall_marks[0].destinations[0]", "the director's own address")]
    [InlineData("firewall_marks:\n  - mark: 1\n    destinations: [10.77.0.0/24]\n", "firewall_marks[0].destinations[0]", "10.77.0.0/24 contains")]
    [InlineData("firewall_marks:\n  - mark: 1\n    destinations: [127.0.0.1]\n", "firewall_marks[0].destinations[0]", "a loopback address")]
    [InlineData("firewall_marks:\n  - mark: 1\n    destinations: [10.77.0.11]\nvirtual_services:\n  - fwmark: 1\n    real_servers:\n      - address: 10.77.0.11\n", "firewall_marks[0].destinations[0]", "is a real server's address")]
    [InlineData("virtual_services:\n  - fwmark: 1\n    health_check:\n      checks:\n        - type: tcp\n          via_vip: true\n    real_servers:\n      - address: 10.77.0.11\n        port: 80\n", "virtual_services[0].real_servers[0]", "via_vip, which needs an address service")]
    public void Parse_BadFirewallMarkConfig_IsAnErrorWithItsPath(string yaml, string path, string message)
    {
        var error = Refused(yaml);
        Assert.Contains(error.Errors, e => e.Path == path && e.Message.Contains(message, StringComparison.Ordinal) && e.Line is > 0);
    }
}
