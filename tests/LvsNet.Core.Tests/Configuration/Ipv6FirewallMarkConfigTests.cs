using LvsNet.Core.Configuration;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;
using Xunit;

namespace LvsNet.Core.Tests;

/// <summary>
/// The YAML of IPv6 firewall-mark services (<c>family: inet6</c>), IPv6 <c>firewall_marks</c>
/// destinations, IPv6 sorry servers and one-packet scheduling of IPv6 UDP services, and every error with its path and line.
/// </summary>
public class Ipv6FirewallMarkConfigTests
{
    private const string Head =
        """
        director:
          interface: eth0
          address: 10.77.0.2/24
          address6: 2001:db8::2/64

        """;

    private static ConfigException Refused(string yaml) => Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(Head + yaml));

    [Fact]
    public void Parse_Ipv6MarkServiceAndMixedRule_GiveTheModel()
    {
        var config = LvsConfigReader.Parse(Head +
            """
            firewall_marks:
              - mark: 1
                protocol: tcp
                destinations: [10.77.0.100, "2001:db8::100", 2001:db8::1:0/124]
                ports: [80, 443]
            virtual_services:
              - fwmark: 1
                family: inet6
                persistence_timeout: 600
                persistence_netmask: /64
                sorry_server:
                  address: 2001:db8::99
                real_servers:
                  - address: 2001:db8::11
                  - address: 2001:db8::12
              - fwmark: 1
                real_servers:
                  - address: 10.77.0.11
            """);
        var rule = Assert.Single(config.FirewallMarks);
        Assert.Equal([new AddressPrefix(Ipv4Address.Parse("10.77.0.100"), 32)], rule.Destinations.AsEnumerable());
        Assert.Equal([new Ipv6Prefix(Ipv6Address.Parse("2001:db8::100"), 128), new Ipv6Prefix(Ipv6Address.Parse("2001:db8::1:0"), 124)], rule.Destinations6.AsEnumerable());

        var marked6 = config.VirtualServices[0];
        Assert.Equal((1u, true, Ipv6Address.Unspecified, (IpProtocol)0, (ushort)0, 64), (marked6.FirewallMark, marked6.IsIpv6, marked6.Address6!.Value, marked6.Protocol, marked6.Port, marked6.PersistencePrefixLength));
        Assert.Equal(Ipv6Address.Parse("2001:db8::99"), marked6.Quorum!.SorryServer!.Address6);
        Assert.Equal("[2001:db8::99]:0", marked6.Quorum.SorryServer.EndpointText);

        // An IPv4 -f 1 and an IPv6 -f 1 -6 are two services, as in the kernel (keyed by family and mark).
        Assert.False(config.VirtualServices[1].IsIpv6);
        Assert.NotEqual(ServiceKey.Of(config.VirtualServices[0]), ServiceKey.Of(config.VirtualServices[1]));
        Assert.Equal("FWM 1 IPv6", ServiceKey.Of(marked6).ToString());
    }

    [Theory]
    [InlineData("ipv6", true)]
    [InlineData("INET6", true)]
    [InlineData("inet", false)]
    [InlineData("ipv4", false)]
    public void Parse_Family_TakesKeepalivedsAndPlainNames(string family, bool ipv6)
    {
        var config = LvsConfigReader.Parse(Head + $"virtual_services:\n  - fwmark: 3\n    family: {family}\n");
        Assert.Equal(ipv6, config.VirtualServices[0].IsIpv6);

        // On an address service it may repeat the address's family.
        Assert.True(LvsConfigReader.Parse(Head + "virtual_services:\n  - address: 2001:db8::100\n    port: 80\n    family: inet6\n").VirtualServices[0].IsIpv6);
    }

    [Fact]
    public void Validate_OnePacketScheduling_Ipv6Udp_IsAccepted()
    {
        var config = LvsConfigReader.Parse(Head + "virtual_services:\n  - protocol: udp\n    address: 2001:db8::100\n    port: 53\n    one_packet_scheduling: true\n    real_servers:\n      - address: 2001:db8::11\n        method: nat\n");
        Assert.True(config.VirtualServices[0].OnePacketScheduling);
    }

    [Theory]
    [InlineData("virtual_services:\n  - fwmark: 1\n    family: inet7\n", "virtual_services[0].family", 7, "must be inet or inet6")]
    [InlineData("virtual_services:\n  - address: 10.77.0.100\n    port: 80\n    family: inet6\n", "virtual_services[0].family", 8, "says inet6 but the address is IPv4")]
    [InlineData("virtual_services:\n  - fwmark: 1\n  - fwmark: 1\n    family: ipv6\n  - fwmark: 1\n    family: inet6\n", "virtual_services[2]", 9, "duplicates virtual_services[1] (fwmark 1)")]
    [InlineData("firewall_marks:\n  - mark: 1\n    destinations: [10.77.0.100, 2001:db8::/119]\nvirtual_services:\n  - fwmark: 1\n    family: inet6\n", "firewall_marks[0].destinations[1]", 6, "wider than /120")]
    [InlineData("firewall_marks:\n  - mark: 1\n    destinations: [\"2001:db8::11\"]\nvirtual_services:\n  - fwmark: 1\n    family: inet6\n    real_servers:\n      - address: 2001:db8::11\n", "firewall_marks[0].destinations[0]", 6, "is a real server's address")]
    [InlineData("firewall_marks:\n  - mark: 1\n    destinations: [\"2001:db8::2\"]\nvirtual_services:\n  - fwmark: 1\n    family: inet6\n", "firewall_marks[0].destinations[0]", 6, "the director's address6")]
    [InlineData("firewall_marks:\n  - mark: 1\n    destinations: [\"fe80::1\"]\nvirtual_services:\n  - fwmark: 1\n    family: inet6\n", "firewall_marks[0].destinations[0]", 6, "is a link-local address")]
    [InlineData("firewall_marks:\n  - mark: 1\n    destinations: [\"2001:db8::zz\"]\n", "firewall_marks[0].destinations[0]", 7, "must be an IPv4 or IPv6 address or prefix")]
    [InlineData("virtual_services:\n  - fwmark: 1\n    family: inet6\n    real_servers:\n      - address: 10.77.0.11\n", "virtual_services[0].real_servers[0].address", 9, "mixing address families")]
    [InlineData("virtual_services:\n  - protocol: tcp\n    address: 2001:db8::100\n    port: 80\n    one_packet_scheduling: true\n", "virtual_services[0].one_packet_scheduling", 6, "for UDP services only")]
    [InlineData("virtual_services:\n  - protocol: udp\n    address: 2001:db8::100\n    port: 53\n    one_packet_scheduling: true\n    local_addresses: [\"2001:db8::50\"]\n    real_servers:\n      - address: 2001:db8::11\n        method: fullnat\n", "virtual_services[0].real_servers[0].method", 12, "fullnat cannot be used with one_packet_scheduling")]
    [InlineData("virtual_services:\n  - address: 2001:db8::100\n    port: 80\n    sorry_server:\n      address: 10.77.0.99\n    real_servers:\n      - address: 2001:db8::11\n", "virtual_services[0].sorry_server.address", 6, "must be an IPv6 address")]
    [InlineData("virtual_services:\n  - address: 10.77.0.100\n    port: 80\n    sorry_server:\n      address: 2001:db8::99\n    real_servers:\n      - address: 10.77.0.11\n", "virtual_services[0].sorry_server.address", 6, "must be an IPv4 address")]
    [InlineData("virtual_services:\n  - address: 2001:db8::100\n    port: 80\n    sorry_server:\n      address: ff02::1\n    real_servers:\n      - address: 2001:db8::11\n", "virtual_services[0].sorry_server.address", 6, "ff02::1 is a multicast address")]
    [InlineData("virtual_services:\n  - address: 2001:db8::100\n    port: 80\n    sorry_server:\n      address: 2001:db8::11\n    real_servers:\n      - address: 2001:db8::11\n", "virtual_services[0].sorry_server", 6, "is also a real server of this service")]
    [InlineData("virtual_services:\n  - address: 2001:db8::100\n    port: 80\n    sorry_server:\n      address: 2001:db8::99\n      method: fullnat\n    real_servers:\n      - address: 2001:db8::11\n", "virtual_services[0].sorry_server.method", 6, "needs IPv6 local_addresses")]
    public void Parse_BadIpv6MarkOrSorryConfig_IsAnErrorWithItsPathAndLine(string yaml, string path, int line, string message)
    {
        var error = Refused(yaml);
        Assert.True(
            error.Errors.Any(e => e.Path == path && e.Message.Contains(message, StringComparison.Ordinal) && e.Line == line),
            string.Join("\n", error.Errors.Select(e => $"{e.Path}@{e.Line}: {e.Message}")));
    }
}
