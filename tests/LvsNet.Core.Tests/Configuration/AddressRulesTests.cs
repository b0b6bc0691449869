using LvsNet.Core.Configuration;
using LvsNet.Packets;
using Xunit;

namespace LvsNet.Core.Tests;

public class AddressRulesTests
{
    private static readonly DirectorConfig Director = new() { Interface = "eth0", Address = Ipv4Address.Parse("10.0.0.2"), PrefixLength = 24 };

    [Theory]
    [InlineData("0.0.0.0", "0.0.0.0 is the unspecified address; a VIP must be a unicast address of the network")]
    [InlineData("0.1.2.3", "0.1.2.3 is in 0.0.0.0/8 (\"this network\"); a VIP must be a unicast address of the network")]
    [InlineData("127.0.0.1", "127.0.0.1 is a loopback address; a VIP must be a unicast address of the network")]
    [InlineData("127.255.255.254", "127.255.255.254 is a loopback address; a VIP must be a unicast address of the network")]
    [InlineData("224.0.0.1", "224.0.0.1 is a multicast address; a VIP must be a unicast address of the network")]
    [InlineData("239.255.255.255", "239.255.255.255 is a multicast address; a VIP must be a unicast address of the network")]
    [InlineData("255.255.255.255", "255.255.255.255 is the limited broadcast address; a VIP must be a unicast address of the network")]
    [InlineData("10.0.0.255", "10.0.0.255 is the broadcast address of the director's subnet 10.0.0.0/24; a VIP must be a unicast address of the network")]
    [InlineData("10.0.0.2", "10.0.0.2 is the director's own address (the kernel holds that one); a VIP must be a unicast address of the network")]
    public void Problem_NonUnicastOrOwn_IsNamed(string address, string expected) =>
        Assert.Equal(expected, AddressRules.Problem(Ipv4Address.Parse(address), "a VIP", Director));

    [Theory]
    [InlineData("10.0.0.100")]
    [InlineData("10.0.0.0")]
    [InlineData("10.0.1.255")]
    [InlineData("1.0.0.0")]
    [InlineData("126.255.255.255")]
    [InlineData("128.0.0.0")]
    [InlineData("223.255.255.255")]
    [InlineData("240.0.0.1")]
    public void Problem_UnicastAddress_IsNone(string address) =>
        Assert.Null(AddressRules.Problem(Ipv4Address.Parse(address), "a VIP", Director));

    [Fact]
    public void Problem_PointToPointSubnet_HasNoBroadcast()
    {
        var director = Director with { Address = Ipv4Address.Parse("10.0.0.2"), PrefixLength = 31 };
        Assert.Null(AddressRules.Problem(Ipv4Address.Parse("10.0.0.3"), "a real server", director));
    }

    [Fact]
    public void Yaml_BadAddresses_EveryErrorWithItsPathAndLine()
    {
        const string yaml = """
            director:
              interface: eth0
              address: 10.0.0.2/24
            virtual_services:
              - address: 127.0.0.1
                port: 80
                real_servers:
                  - address: 10.0.0.11
              - address: 10.0.0.100
                port: 80
                real_servers:
                  - address: 224.0.0.5
                    method: nat
                  - address: 0.0.0.0
                    method: nat
                  - address: 10.0.0.255
                    method: nat
            """;
        var ex = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(yaml, "lvsnet.yaml"));
        Assert.Equal(
        [
            "virtual_services[0].address (line 5): 127.0.0.1 is a loopback address; a VIP must be a unicast address of the network",
            "virtual_services[1].real_servers[0].address (line 12): 224.0.0.5 is a multicast address; a real server must be a unicast address of the network",
            "virtual_services[1].real_servers[1].address (line 14): 0.0.0.0 is the unspecified address; a real server must be a unicast address of the network",
            "virtual_services[1].real_servers[2].address (line 16): 10.0.0.255 is the broadcast address of the director's subnet 10.0.0.0/24; a real server must be a unicast address of the network",
        ],
        ex.Errors.Select(e => e.ToString()));
    }
}
