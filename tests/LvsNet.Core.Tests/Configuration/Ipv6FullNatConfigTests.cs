using LvsNet.Core.Configuration;
using LvsNet.Packets.Ipv6;
using Xunit;

namespace LvsNet.Core.Tests;

public class Ipv6FullNatConfigTests
{
    private const string Director = "director:\n  interface: eth0\n  address: 10.0.0.2/24\n  address6: 2001:db8::2/64\n";

    [Fact]
    public void Parse_Ipv6FullNatService_TakesIpv6LocalAddresses()
    {
        var config = LvsConfigReader.Parse(Director + """
            virtual_services:
              - address: 2001:db8::100
                port: 80
                local_addresses: [2001:db8::50, fd00::51]
                real_servers:
                  - address: 2001:db8::11
                    port: 8080
                    method: fullnat
            """);
        var service = Assert.Single(config.VirtualServices);
        Assert.Equal([Ipv6Address.Parse("2001:db8::50"), Ipv6Address.Parse("fd00::51")], service.LocalAddresses6.ToArray());
        Assert.Empty(service.LocalAddresses);
        Assert.Equal(ForwardingMethod.FullNat, service.RealServers[0].Method);
    }

    [Fact]
    public void Validate_Ipv6LocalAddresses_EveryBadEntryWithItsOwnIndexAndLine()
    {
        // Line 5 is the service; the IPv4 entry at [0] (NAT64's pool, valid) shifts the IPv6 entries' indices.
        var yaml = Director + """
            virtual_services:
              - address: 2001:db8::100
                port: 80
                local_addresses: [10.0.0.50, 2001:db8::2, fe80::5, 2001:db8::100, 2001:db8::11, 2001:db8::60, 2001:db8::60]
                real_servers:
                  - address: 2001:db8::11
                    port: 8080
                    method: fullnat
            """;
        var error = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(yaml));
        var found = error.Errors.Select(e => $"{e.Path}@{e.Line}").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
            [
                "virtual_services[0].local_addresses[1]@6",
                "virtual_services[0].local_addresses[2]@6",
                "virtual_services[0].local_addresses[3]@6",
                "virtual_services[0].local_addresses[4]@6",
                "virtual_services[0].local_addresses[6]@6",
            ],
            found);
        Assert.Contains(error.Errors, e => e.Path.EndsWith("[1]", StringComparison.Ordinal) && e.Message.Contains("director's own address6", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Path.EndsWith("[2]", StringComparison.Ordinal) && e.Message.Contains("link-local", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Path.EndsWith("[3]", StringComparison.Ordinal) && e.Message.Contains("is a VIP", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Path.EndsWith("[4]", StringComparison.Ordinal) && e.Message.Contains("real server", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Path.EndsWith("[6]", StringComparison.Ordinal) && e.Message.Contains("listed twice", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_Ipv6FullNatServerWithoutIpv6LocalAddresses_IsRefused()
    {
        var yaml = Director + "virtual_services:\n  - address: 2001:db8::100\n    port: 80\n    real_servers:\n      - address: 2001:db8::11\n        method: fullnat\n";
        var error = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(yaml));
        var only = Assert.Single(error.Errors);
        Assert.Equal("virtual_services[0].real_servers[0].method", only.Path);
        Assert.Equal(9, only.Line);
        Assert.Contains("IPv6 local_addresses", only.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Ipv6LocalAddressInAnIpv4Service_IsRefusedAtItsIndex()
    {
        var yaml = Director + "virtual_services:\n  - address: 10.0.0.100\n    port: 80\n    local_addresses: [10.0.0.50, 2001:db8::50]\n    real_servers:\n      - address: 10.0.0.11\n        method: fullnat\n";
        var error = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(yaml));
        var only = Assert.Single(error.Errors);
        Assert.Equal("virtual_services[0].local_addresses[1]", only.Path);
        Assert.Contains("IPv4 local addresses", only.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ToaAndSynProxyOnIpv6FullNatAndNat_AreAccepted()
    {
        var config = LvsConfigReader.Parse(Director + "virtual_services:\n  - address: 2001:db8::100\n    port: 80\n    toa: true\n    syn_proxy: true\n    local_addresses: [2001:db8::50]\n    real_servers:\n      - address: 2001:db8::11\n        method: fullnat\n"
            + "  - address: 2001:db8::101\n    port: 80\n    syn_proxy: true\n    real_servers:\n      - address: 2001:db8::12\n        method: nat\n"
            + "  - address: 2001:db8::102\n    port: 80\n    toa: true\n    syn_proxy: true\n    local_addresses: [10.0.0.50]\n    real_servers:\n      - address: 10.0.0.11\n        method: fullnat\n");
        Assert.True(config.VirtualServices[0].Toa && config.VirtualServices[0].SynProxy);
        Assert.True(config.VirtualServices[1].SynProxy);
        Assert.True(config.VirtualServices[2].Toa && config.VirtualServices[2].SynProxy);
    }

    [Fact]
    public void Validate_SynProxyWithADrServer_ToaOnUdpOrWithoutFullNat_AreRefusedWithPathAndLine()
    {
        var yaml = Director
            + "virtual_services:\n"
            + "  - address: 2001:db8::100\n    port: 80\n    syn_proxy: true\n    local_addresses: [10.0.0.50]\n    real_servers:\n"
            + "      - address: 2001:db8::11\n        method: dr\n"
            + "      - address: 10.0.0.11\n        port: 8080\n        method: fullnat\n"
            + "  - protocol: udp\n    address: 2001:db8::100\n    port: 53\n    toa: true\n    syn_proxy: true\n    local_addresses: [2001:db8::50]\n    real_servers:\n      - address: 2001:db8::11\n        method: fullnat\n"
            + "  - address: 2001:db8::101\n    port: 80\n    toa: true\n    real_servers:\n      - address: 2001:db8::12\n        method: nat\n";
        var error = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(yaml));
        Assert.Equal(
            [
                ("virtual_services[0].real_servers[0].method", 11, "syn_proxy needs every real server to use method nat or fullnat"),
                ("virtual_services[1].toa", 16, "toa is a TCP option; this service is udp"),
                ("virtual_services[1].syn_proxy", 16, "syn_proxy is for TCP services; this service is udp"),
                ("virtual_services[2].toa", 25, "toa applies to fullnat servers"),
            ],
            error.Errors.Select(e => (e.Path, e.Line ?? 0, Prefix(e.Message))).ToArray());

        static string Prefix(string message) =>
            new[] { "syn_proxy needs every real server to use method nat or fullnat", "toa is a TCP option; this service is udp", "syn_proxy is for TCP services; this service is udp", "toa applies to fullnat servers" }
                .FirstOrDefault(p => message.StartsWith(p, StringComparison.Ordinal)) ?? message;
    }
}
