using LvsNet.Core.Configuration;
using LvsNet.Packets.Ipv6;
using Xunit;

namespace LvsNet.Core.Tests;

public class Ipv6ConfigTests
{
    private const string Director = "director:\n  interface: eth0\n  address: 10.0.0.2/24\n";

    [Fact]
    public void Parse_Ipv6Service_ReadsBareAndBracketedAddresses()
    {
        var config = LvsConfigReader.Parse(Director + """
            virtual_services:
              - protocol: tcp
                address: 2001:db8::100
                port: 80
                scheduler: rr
                real_servers:
                  - address: "[2001:db8::11]"
                  - address: 2001:DB8:0:0::12
                    weight: 2
            """);
        var service = Assert.Single(config.VirtualServices);
        Assert.True(service.IsIpv6);
        Assert.Equal(0u, service.Address);

        // 2001:db8::100 read big-endian: the words 2001 0db8 0000 ... 0100.
        Assert.Equal(new UInt128(0x2001_0DB8_0000_0000UL, 0x0000_0000_0000_0100UL), service.Address6!.Value.Value);
        Assert.Equal("[2001:db8::100]:80", service.EndpointText);
        Assert.Equal(["2001:db8::11", "2001:db8::12"], service.RealServers.Select(r => r.AddressText));
        Assert.All(service.RealServers, r => Assert.Equal((ushort)80, r.Port));
        Assert.Equal(2, service.RealServers[1].Weight);
    }

    [Fact]
    public void Parse_BadAddress_NamesBothFamiliesWithPathAndLine()
    {
        var yaml = Director + "virtual_services:\n  - address: 2001:db8::1%eth0\n    port: 80\n    real_servers:\n      - address: fe80::zz\n";
        var error = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(yaml));
        Assert.Contains(error.Errors, e => e.Path == "virtual_services[0].address" && e.Line == 5 && e.Message.Contains("IPv6", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Path == "virtual_services[0].real_servers[0].address" && e.Line == 8);
    }

    [Fact]
    public void Validate_Ipv6Service_RefusesWhatIsNotBuiltAndBadAddresses_EveryErrorWithItsLine()
    {
        var yaml = Director + """
            virtual_services:
              - protocol: tcp
                address: ff02::1
                port: 80
                scheduler: lblc
                persistence_timeout: 60
                real_servers:
                  - address: 2001:db8::11
                    method: tun
                  - address: 10.0.0.11
                  - address: fe80::1
                  - address: 2001:db8::11
            """;
        var error = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(yaml));
        var found = error.Errors.Select(e => $"{e.Path}@{e.Line}").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
            [
                "virtual_services[0].address@5",
                "virtual_services[0].real_servers[0].address@11",
                "virtual_services[0].real_servers[1].address@13",
                "virtual_services[0].real_servers[2].address@14",
                "virtual_services[0].real_servers[3]@15",
            ],
            found);
        Assert.Contains(error.Errors, e => e.Message.Contains("ff02::1 is a multicast address", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Message.Contains("mixing address families", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Message.Contains("fe80::1 is a link-local address", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_Ipv6Persistence_TakesAPrefixLength_AsIpvsadmDoesForIpv6()
    {
        var service = "virtual_services:\n  - address: 2001:db8::100\n    port: 80\n    persistence_timeout: 300\n    persistence_netmask: {0}\n    real_servers:\n      - address: 2001:db8::11\n";
        var config = LvsConfigReader.Parse(Director + string.Format(System.Globalization.CultureInfo.InvariantCulture, service, "/64"));
        var parsed = Assert.Single(config.VirtualServices);
        Assert.Equal(TimeSpan.FromSeconds(300), parsed.PersistenceTimeout);
        Assert.Equal(64, parsed.PersistencePrefixLength);
        Assert.Equal(uint.MaxValue, parsed.PersistenceNetmask);
        Assert.Equal(48, LvsConfigReader.Parse(Director + string.Format(System.Globalization.CultureInfo.InvariantCulture, service, "48")).VirtualServices[0].PersistencePrefixLength);
        Assert.Equal(128, LvsConfigReader.Parse(Director + "virtual_services:\n  - address: 2001:db8::100\n    port: 80\n    persistence_timeout: 300\n").VirtualServices[0].PersistencePrefixLength);

        // A dotted mask, 0 and 129 are not IPv6 prefix lengths (the kernel takes 1..128).
        foreach (var bad in new[] { "255.255.255.0", "/0", "/129", "64x" })
        {
            var error = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(Director + string.Format(System.Globalization.CultureInfo.InvariantCulture, service, bad)));
            var only = Assert.Single(error.Errors);
            Assert.Equal("virtual_services[0].persistence_netmask", only.Path);
            Assert.NotNull(only.Line);
            Assert.Contains("prefix length from 1 to 128", only.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Validate_Ipv6ServiceWithSeveralAfPacketWorkers_IsAccepted_OneWorkerOnAnyBackendToo()
    {
        var service = "virtual_services:\n  - address: 2001:db8::100\n    port: 80\n";
        Assert.Equal(2, LvsConfigReader.Parse(Director + "capture:\n  backend: afpacket\n  workers: 2\n" + service).Capture.Workers);

        Assert.Single(LvsConfigReader.Parse(Director + "capture:\n  backend: afpacket\n" + service).VirtualServices);
        Assert.Single(LvsConfigReader.Parse(Director + "capture:\n  backend: afxdp\n" + service).VirtualServices);
    }

    [Fact]
    public void Validate_Ipv6ServerInIpv4Service_IsRefused()
    {
        var yaml = Director + "virtual_services:\n  - address: 10.0.0.100\n    port: 80\n    real_servers:\n      - address: 2001:db8::11\n";
        var error = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(yaml));
        var only = Assert.Single(error.Errors);
        Assert.Equal("virtual_services[0].real_servers[0].address", only.Path);
        Assert.Contains("mixing address families", only.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SameVipTwice_IsADuplicateButIpv4AndIpv6ServicesOnOnePortAreNot()
    {
        var dual = Director + "virtual_services:\n  - address: 10.0.0.100\n    port: 80\n  - address: 2001:db8::100\n    port: 80\n  - address: 2001:db8::101\n    port: 80\n";
        Assert.Equal(3, LvsConfigReader.Parse(dual).VirtualServices.Length);

        var twice = Director + "virtual_services:\n  - address: 2001:db8::100\n    port: 80\n  - address: 2001:DB8::0100\n    port: 80\n";
        var error = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(twice));
        Assert.Equal("virtual_services[1]", Assert.Single(error.Errors).Path);
    }

    [Fact]
    public void ServiceKey_OfIpv6Services_DiffersByAddressAndPrintsBrackets()
    {
        var config = LvsConfigReader.Parse(Director + "virtual_services:\n  - address: 2001:db8::100\n    port: 80\n  - address: 2001:db8::101\n    port: 80\n");
        var a = ServiceKey.Of(config.VirtualServices[0]);
        var b = ServiceKey.Of(config.VirtualServices[1]);
        Assert.NotEqual(a, b);
        Assert.Equal("TCP [2001:db8::100]:80", a.ToString());
        Assert.Equal(Ipv6Address.Parse("2001:db8::100"), a.Address6);
    }

    [Fact]
    public void Validate_Ipv6NatServer_IsAcceptedAndMayChangeThePort_DrMayNot()
    {
        var config = LvsConfigReader.Parse(Director + "virtual_services:\n  - address: 2001:db8::100\n    port: 80\n    real_servers:\n      - address: 2001:db8::11\n        port: 8080\n        method: nat\n");
        var server = Assert.Single(Assert.Single(config.VirtualServices).RealServers);
        Assert.Equal(ForwardingMethod.Nat, server.Method);
        Assert.Equal((ushort)8080, server.Port);

        var dr = Director + "virtual_services:\n  - address: 2001:db8::100\n    port: 80\n    real_servers:\n      - address: 2001:db8::11\n        port: 8080\n";
        var error = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(dr));
        Assert.Equal("virtual_services[0].real_servers[0].port", Assert.Single(error.Errors).Path);
    }

    [Fact]
    public void Parse_DirectorAddress6AndGateway6_AreReadWithTheirPrefix()
    {
        var config = LvsConfigReader.Parse("director:\n  interface: eth0\n  address: 10.0.0.2/24\n  address6: 2001:db8::2/56\n  gateway6: fe80::1\n");
        Assert.Equal(Ipv6Address.Parse("2001:db8::2"), config.Director.Address6);
        Assert.Equal(56, config.Director.PrefixLength6);
        Assert.Equal(Ipv6Address.Parse("fe80::1"), config.Director.Gateway6);

        var defaults = LvsConfigReader.Parse("director:\n  interface: eth0\n  address: 10.0.0.2/24\n  address6: 2001:db8::2\n");
        Assert.Equal(64, defaults.Director.PrefixLength6);
        Assert.Null(defaults.Director.Gateway6);
    }

    [Fact]
    public void Validate_BadDirectorAddress6OrGateway6_EveryErrorWithItsPath()
    {
        var yaml = "director:\n  interface: eth0\n  address: 10.0.0.2/24\n  address6: fe80::2/64\n  gateway6: ff02::1\n";
        var errors = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(yaml)).Errors;
        Assert.Equal(["director.address6", "director.gateway6"], errors.Select(e => e.Path).Order(StringComparer.Ordinal));
        Assert.Contains(errors, e => e.Message.Contains("fe80::2 is a link-local address", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Message.Contains("ff02::1 cannot be a gateway", StringComparison.Ordinal));

        var badPrefix = "director:\n  interface: eth0\n  address: 10.0.0.2/24\n  address6: 2001:db8::2/129\n  gateway6: 10.0.0.1\n";
        errors = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(badPrefix)).Errors;
        Assert.Equal(["director.address6", "director.gateway6"], errors.Select(e => e.Path).Order(StringComparer.Ordinal));
    }
}
