using LvsNet.Core.Configuration;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;
using Xunit;

namespace LvsNet.Core.Tests;

public class Nat64ConfigTests
{
    private const string Director = "director:\n  interface: eth0\n  address: 10.0.0.2/24\n  address6: 2001:db8::2/64\n";

    [Fact]
    public void Parse_Ipv6ServiceWithIpv4LocalAddressesAndIpv4FullNatServers_IsNat64()
    {
        var config = LvsConfigReader.Parse(Director + """
            virtual_services:
              - address: 2001:db8::100
                port: 80
                local_addresses: [10.0.0.50, 2001:db8::50]
                real_servers:
                  - address: 10.0.0.11
                    port: 8080
                    method: fullnat
                  - address: 2001:db8::11
                    method: fullnat
            """);
        var service = Assert.Single(config.VirtualServices);
        Assert.Equal([Ipv4Address.Parse("10.0.0.50")], service.LocalAddresses.ToArray());
        Assert.Equal([Ipv6Address.Parse("2001:db8::50")], service.LocalAddresses6.ToArray());
        Assert.False(service.RealServers[0].IsIpv6);
        Assert.Equal(ForwardingMethod.FullNat, service.RealServers[0].Method);
    }

    [Fact]
    public void Validate_Nat64ServerWithoutIpv4LocalAddresses_IsRefusedAtItsMethodAndLine()
    {
        // Line 5 is the service, 9 the first real server.
        var yaml = Director + "virtual_services:\n  - address: 2001:db8::100\n    port: 80\n    local_addresses: [2001:db8::50]\n    real_servers:\n      - address: 10.0.0.11\n        method: fullnat\n";
        var error = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(yaml));
        var only = Assert.Single(error.Errors);
        Assert.Equal("virtual_services[0].real_servers[0].method", only.Path);
        Assert.Equal(10, only.Line);
        Assert.Contains("NAT64", only.Message, StringComparison.Ordinal);
        Assert.Contains("IPv4 entries in the service's local_addresses", only.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dr")]
    [InlineData("nat")]
    public void Validate_Ipv4ServerWithDrOrNat_InAnIpv6Service_IsStillRefused(string method)
    {
        var yaml = Director + $"virtual_services:\n  - address: 2001:db8::100\n    port: 80\n    local_addresses: [10.0.0.50]\n    real_servers:\n      - address: 10.0.0.11\n        method: {method}\n";
        var error = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(yaml));
        var only = Assert.Single(error.Errors);
        Assert.Equal("virtual_services[0].real_servers[0].address", only.Path);
        Assert.Equal(10, only.Line);
        Assert.Contains("mixing address families", only.Message, StringComparison.Ordinal);
        Assert.Contains("NAT64 (method: fullnat", only.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BadIpv4LocalAddressesOfANat64Pool_EachAtItsYamlIndex_AndBadServers()
    {
        var yaml = Director + """
            virtual_services:
              - address: 10.0.0.100
                port: 80
                real_servers:
                  - address: 10.0.0.12
              - address: 2001:db8::100
                port: 80
                local_addresses: [2001:db8::50, 10.0.0.2, 10.0.0.100, 10.0.0.12, 10.0.0.60, 2001:db8::51, 10.0.0.60, 127.0.0.1]
                real_servers:
                  - address: 10.0.0.11
                    method: fullnat
                  - address: 10.0.0.11
                    method: fullnat
                  - address: 10.0.0.2
                    method: fullnat
            """;
        var error = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(yaml));
        var found = error.Errors.Select(e => $"{e.Path}@{e.Line}").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
            [
                "virtual_services[1].local_addresses[1]@10",
                "virtual_services[1].local_addresses[1]@10",
                "virtual_services[1].local_addresses[2]@10",
                "virtual_services[1].local_addresses[3]@10",
                "virtual_services[1].local_addresses[6]@10",
                "virtual_services[1].local_addresses[7]@10",
                "virtual_services[1].real_servers[1]@16",
                "virtual_services[1].real_servers[2].address@18",
            ],
            found);
        // [1] is the DIP, which real_servers[2] also names: both are said.
        Assert.Contains(error.Errors, e => e.Path.EndsWith("[1]", StringComparison.Ordinal) && e.Message.Contains("director's own address", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Path.EndsWith("local_addresses[1]", StringComparison.Ordinal) && e.Message.Contains("real server's address", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Path.EndsWith("[2]", StringComparison.Ordinal) && e.Message.Contains("is a VIP", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Path.EndsWith("[3]", StringComparison.Ordinal) && e.Message.Contains("real server", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Path.EndsWith("[6]", StringComparison.Ordinal) && e.Message.Contains("listed twice", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Path.EndsWith("real_servers[1]", StringComparison.Ordinal) && e.Message.Contains("duplicates real_servers[0]", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Path.EndsWith("real_servers[2].address", StringComparison.Ordinal) && e.Message.Contains("director itself", StringComparison.Ordinal));
    }
}
