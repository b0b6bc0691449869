using LvsNet.Cli.Ipvsadm;
using LvsNet.Control.Editing;
using LvsNet.Control.Listings;
using LvsNet.Core.Configuration;
using LvsNet.Core.Runtime;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;
using Xunit;
using static LvsNet.Testing.ControlFixtures;

namespace LvsNet.Control.Tests.Editing;

/// <summary>ipvsadm edits of IPv6 services reaching the configuration, and -S/-R over them.</summary>
public class Ipv6EditTests
{
    private static readonly Ipv6Address Vip = Ipv6Address.Parse("2001:db8::100");

    [Fact]
    public void AddServiceAndServers_Ipv6_BuildsAnIpv6ServiceWithIpv6Servers()
    {
        var config = Apply(
            Empty,
            "-A -t [2001:db8::100]:80 -s rr",
            "-a -t [2001:db8::100]:80 -r [2001:db8::11]:80 -w 3",
            "-a -t [2001:db8::100]:80 -r 2001:db8::12");
        var service = Assert.Single(config.VirtualServices);
        Assert.Equal((IpProtocol.Tcp, 0u, (Ipv6Address?)Vip, (ushort)80), (service.Protocol, service.Address, service.Address6, service.Port));
        Assert.Equal([Ipv6Address.Parse("2001:db8::12"), Ipv6Address.Parse("2001:db8::11")], service.RealServers.Select(s => s.Address6!.Value));
        Assert.All(service.RealServers, s => Assert.Equal((0u, (ushort)80), (s.Address, s.Port)));
        Assert.Equal(3, service.RealServers[1].Weight);
    }

    [Fact]
    public void EditAndDelete_Ipv6_FindServiceAndServerByTheirIpv6Addresses()
    {
        var config = Apply(
            Empty,
            "-A -t [2001:db8::100]:80 -s rr",
            "-A -t [2001:db8::200]:80 -s rr",
            "-a -t [2001:db8::100]:80 -r [2001:db8::11]:80",
            "-a -t [2001:db8::100]:80 -r [2001:db8::12]:80",
            "-e -t [2001:db8::100]:80 -r [2001:db8::11]:80 -w 7",
            "-d -t [2001:db8::100]:80 -r [2001:db8::12]:80",
            "-E -t [2001:db8::100]:80 -s wlc",
            "-D -t [2001:db8::200]:80");
        var service = Assert.Single(config.VirtualServices);
        Assert.Equal("wlc", service.Scheduler);
        var server = Assert.Single(service.RealServers);
        Assert.Equal((Ipv6Address.Parse("2001:db8::11"), 7), (server.Address6!.Value, server.Weight));

        // An IPv6 server is not found under the IPv4 address 0.0.0.0 or another IPv6 address.
        Assert.Equal("No such destination", Assert.Throws<ConfigEditException>(() => Apply(config, "-d -t [2001:db8::100]:80 -r [2001:db8::13]:80")).Message);
        Assert.Equal("Service not defined", Assert.Throws<ConfigEditException>(() => Apply(config, "-a -t [2001:db8::101]:80 -r [2001:db8::13]:80")).Message);
        Assert.Equal("Service already exists", Assert.Throws<ConfigEditException>(() => Apply(config, "-A -t [2001:db8:0::100]:80")).Message);
    }

    [Fact]
    public void Persistence_Ipv6_TakesThePrefixLength()
    {
        var config = Apply(Empty, "-A -t [2001:db8::100]:80 -s rr -p 600 -M 64");
        var service = Assert.Single(config.VirtualServices);
        Assert.Equal((TimeSpan.FromSeconds(600), 64, uint.MaxValue), (service.PersistenceTimeout!.Value, service.PersistencePrefixLength, service.PersistenceNetmask));

        // -E without -M goes back to the default, /128.
        var edited = Apply(config, "-E -t [2001:db8::100]:80 -s rr -p 600");
        Assert.Equal(128, edited.VirtualServices[0].PersistencePrefixLength);
    }

    [Fact]
    public void SaveThenRestore_Ipv6_GivesTheSameServices()
    {
        var config = Apply(
            Empty,
            "-A -t 10.0.0.100:80 -s rr",
            "-a -t 10.0.0.100:80 -r 10.0.0.11:80",
            "-A -t [2001:db8::100]:80 -s wlc",
            "-a -t [2001:db8::100]:80 -r [2001:db8::11]:80 -w 2",
            "-a -t [2001:db8::100]:80 -r [2001:db8::12]:80",
            "-A -u [2001:db8::100]:53 -s rr",
            "-a -u [2001:db8::100]:53 -r [2001:db8::11]:53");
        var runtime = new LvsRuntime();
        runtime.Apply(config);
        var saved = IpvsadmFormatter.Save(ListingBuilder.Build(runtime.Current!, null, 4096), ListFormat.Numeric, NumericNameResolver.Instance);
        Assert.Equal(
            "-A -t 10.0.0.100:80 -s rr\n" +
            "-a -t 10.0.0.100:80 -r 10.0.0.11:80 -g -w 1\n" +
            "-A -t [2001:db8::100]:80 -s wlc\n" +
            "-a -t [2001:db8::100]:80 -r [2001:db8::11]:80 -g -w 2\n" +
            "-a -t [2001:db8::100]:80 -r [2001:db8::12]:80 -g -w 1\n" +
            "-A -u [2001:db8::100]:53 -s rr\n" +
            "-a -u [2001:db8::100]:53 -r [2001:db8::11]:53 -g -w 1\n",
            saved);

        var restored = Apply(Empty, [.. saved.Split('\n', StringSplitOptions.RemoveEmptyEntries)]);
        Assert.Equal(config.VirtualServices.Length, restored.VirtualServices.Length);
        foreach (var service in config.VirtualServices)
        {
            var match = restored.VirtualServices.Single(r => r.Protocol == service.Protocol && r.Address == service.Address && r.Address6 == service.Address6 && r.Port == service.Port);
            Assert.Equal(service.RealServers.OrderBy(s => s.EndpointText, StringComparer.Ordinal).Select(s => (s.Address, s.Address6, s.Port, s.Weight)), match.RealServers.OrderBy(s => s.EndpointText, StringComparer.Ordinal).Select(s => (s.Address, s.Address6, s.Port, s.Weight)));
        }
    }

    [Fact]
    public void List_Ipv6Service_ThroughTheListingBuilder()
    {
        var config = Apply(Empty, "-A -t [2001:db8::100]:80 -s rr", "-a -t [2001:db8::100]:80 -r [2001:db8::11]:80 -w 2");
        var runtime = new LvsRuntime();
        runtime.Apply(config);
        var text = IpvsadmFormatter.List(ListingBuilder.Build(runtime.Current!, null, 4096), ListFormat.Numeric, NumericNameResolver.Instance);
        Assert.EndsWith("TCP  [2001:db8::100]:80 rr\n  -> [2001:db8::11]:80            Route   2      0          0         \n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Persistence_Ipv6_ListedAndSavedWithThePrefixLength()
    {
        var config = Apply(Empty, "-A -t [2001:db8::100]:80 -s rr -p 600 -M 64", "-a -t [2001:db8::100]:80 -r [2001:db8::11]:80", "-A -u [2001:db8::100]:53 -s rr -p 60");
        var runtime = new LvsRuntime();
        runtime.Apply(config);
        var listing = ListingBuilder.Build(runtime.Current!, null, 4096);

        // ipvsadm: " mask %i" and " -M %i" only when the IPv6 netmask is not 128.
        var text = IpvsadmFormatter.List(listing, ListFormat.Numeric, NumericNameResolver.Instance);
        Assert.Contains("\nTCP  [2001:db8::100]:80 rr persistent 600 mask 64\n", text, StringComparison.Ordinal);
        Assert.Contains("\nUDP  [2001:db8::100]:53 rr persistent 60\n", text, StringComparison.Ordinal);
        var saved = IpvsadmFormatter.Save(listing, ListFormat.Numeric, NumericNameResolver.Instance);
        Assert.Equal("-A -t [2001:db8::100]:80 -s rr -p 600 -M 64\n-a -t [2001:db8::100]:80 -r [2001:db8::11]:80 -g -w 1\n-A -u [2001:db8::100]:53 -s rr -p 60\n", saved);
        Assert.Equal(config.VirtualServices.AsEnumerable(), Apply(Empty, [.. saved.Split('\n', StringSplitOptions.RemoveEmptyEntries)]).VirtualServices.AsEnumerable());
    }
}
