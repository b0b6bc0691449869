using LvsNet.Core.Configuration;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;
using Xunit;
using static LvsNet.Core.Tests.DataPath.Ipv6.Ipv6Harness;

namespace LvsNet.Core.Tests.DataPath.Ipv6;

public class Ipv6LocalitySchedulingTests
{
    [Theory]
    [InlineData("lblc")]
    [InlineData("lblcr")]
    public void Locality_KeepsTheVipOnItsCachedServer_WhereWlcAlternates(string scheduler)
    {
        // lblc/lblcr cache a server per destination (the VIP, folded as ip_vs_lblc_hashkey folds an
        // IPv6 address): new clients follow the cached server while it is not overloaded (more
        // active connections than its weight, 100 here). wlc over the same flows alternates.
        var locality = new Ipv6Harness(scheduler, edit: Weight100);
        locality.ResolveRealServers();
        var wlc = new Ipv6Harness("wlc", edit: Weight100);
        wlc.ResolveRealServers();
        for (var i = 1; i <= 10; i++)
        {
            var client = Ipv6Address.Parse($"2001:db8:{i:x}::1");
            locality.Feed(Tcp(client, 40000, TcpFlags.Syn));
            wlc.Feed(Tcp(client, 40000, TcpFlags.Syn));
        }

        Assert.Equal(10, locality.Device.Sent.Count);
        Assert.Single(locality.Device.Sent.Select(DestinationMac).Distinct());
        Assert.Equal(5, wlc.Device.Sent.Count(f => DestinationMac(f) == Rs1Mac));
        Assert.Equal(5, wlc.Device.Sent.Count(f => DestinationMac(f) == Rs2Mac));
    }

    private static LvsConfig Weight100(LvsConfig config) =>
        DataPathHarness.EditService(config, s => s with { RealServers = [.. s.RealServers.Select(r => r with { Weight = 100 })] });
}
