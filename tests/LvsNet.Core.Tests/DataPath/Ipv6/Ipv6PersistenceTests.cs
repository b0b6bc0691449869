using LvsNet.Core.Configuration;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;
using Xunit;
using static LvsNet.Core.Tests.DataPath.Ipv6.Ipv6Harness;

namespace LvsNet.Core.Tests.DataPath.Ipv6;

public class Ipv6PersistenceTests
{
    private static Ipv6Harness Persistent(int prefixLength, TimeSpan? timeout = null) =>
        new("rr", edit: c => DataPathHarness.EditService(c, s => s with { PersistenceTimeout = timeout ?? TimeSpan.FromSeconds(300), PersistencePrefixLength = prefixLength }));

    [Fact]
    public void SameSlash64_StaysOnOneServer_AnotherSlash64IsScheduled()
    {
        var h = Persistent(64);
        h.ResolveRealServers();
        var first = Ipv6Address.Parse("2001:db8:0:1::a");
        var sameNet = Ipv6Address.Parse("2001:db8:0:1:ffff:1:2:3");
        var otherNet = Ipv6Address.Parse("2001:db8:0:2::a");

        var servers = new List<MacAddress>();
        for (ushort port = 40000; port < 40010; port++)
        {
            h.Feed(Tcp(port % 2 == 0 ? first : sameNet, port, TcpFlags.Syn));
            servers.Add(DestinationMac(h.Device.Sent[^1]));
        }

        Assert.All(servers, m => Assert.Equal(Rs1Mac, m));
        h.Feed(Tcp(otherNet, 40000, TcpFlags.Syn));
        Assert.Equal(Rs2Mac, DestinationMac(h.Device.Sent[^1]));

        // Ten connections and the /64 template of each prefix (port 0), with PersistConn counted per server.
        Assert.Equal(11 + 2, h.Processor.Table6.Count);
        var services = h.Runtime.Current!.Services;
        Assert.Equal(1, services[0].Servers[0].PersistentConnections);
        Assert.Equal(1, services[0].Servers[1].PersistentConnections);
    }

    [Fact]
    public void Slash128_PinsOnlyTheAddress_AndWithoutPersistenceRrAlternates()
    {
        var h = Persistent(128);
        h.ResolveRealServers();
        h.Feed(Tcp(Ipv6Address.Parse("2001:db8:0:1::a"), 40000, TcpFlags.Syn));
        h.Feed(Tcp(Ipv6Address.Parse("2001:db8:0:1::b"), 40000, TcpFlags.Syn));
        h.Feed(Tcp(Ipv6Address.Parse("2001:db8:0:1::a"), 40001, TcpFlags.Syn));
        Assert.Equal(new[] { Rs1Mac, Rs2Mac, Rs1Mac }, h.Device.Sent.Select(DestinationMac));

        var plain = new Ipv6Harness();
        plain.ResolveRealServers();
        for (ushort port = 40000; port < 40004; port++)
        {
            plain.Feed(Tcp(Client, port, TcpFlags.Syn));
        }

        Assert.Equal(new[] { Rs1Mac, Rs2Mac, Rs1Mac, Rs2Mac }, plain.Device.Sent.Select(DestinationMac));
    }

    [Fact]
    public void Template_OutlivesItsConnections_ThenExpires_AndTheClientIsScheduledAgain()
    {
        var h = Persistent(64, TimeSpan.FromSeconds(30));
        h.ResolveRealServers();
        var client = Ipv6Address.Parse("2001:db8:0:1::a");
        h.Feed(Tcp(Ipv6Address.Parse("2001:db8:0:9::a"), 40000, TcpFlags.Syn)); // takes rs1
        h.Feed(Tcp(client, 40000, TcpFlags.Syn)); // rs2, template for 2001:db8:0:1::/64
        Assert.Equal(Rs2Mac, DestinationMac(h.Device.Sent[^1]));

        // The SYN_RECV connection ends after 60 s; the template is re-armed while it controls it,
        // then lives its 30 s: at 70 s the client still goes to rs2 (new connection, same template).
        h.Advance(TimeSpan.FromSeconds(70));
        h.Feed(Tcp(client, 40001, TcpFlags.Syn));
        Assert.Equal(Rs2Mac, DestinationMac(h.Device.Sent[^1]));

        // Everything idle for long enough: the template is gone, and rr picks the next server (rs1).
        h.Advance(TimeSpan.FromSeconds(200));
        Assert.Equal(0, h.Processor.Table6.Count);
        h.Feed(Tcp(client, 40002, TcpFlags.Syn));
        Assert.Equal(Rs1Mac, DestinationMac(h.Device.Sent[^1]));
    }

    [Fact]
    public void TemplateWhoseServerIsGone_IsRepointed()
    {
        var h = Persistent(64);
        h.ResolveRealServers();
        var client = Ipv6Address.Parse("2001:db8:0:1::a");
        h.Feed(Tcp(client, 40000, TcpFlags.Syn));
        Assert.Equal(Rs1Mac, DestinationMac(h.Device.Sent[^1]));

        // rs1 leaves the service: the next connection of the prefix goes to rs2 and the template follows.
        h.Runtime.Apply(DataPathHarness.EditService(h.Runtime.Current!.Config, s => s.Protocol == IpProtocol.Tcp ? s with { RealServers = [s.RealServers[1]] } : s));
        h.Advance(TimeSpan.FromMilliseconds(250));
        h.Feed(Tcp(client, 40001, TcpFlags.Syn));
        Assert.Equal(Rs2Mac, DestinationMac(h.Device.Sent[^1]));
        h.Feed(Tcp(client, 40002, TcpFlags.Syn));
        Assert.Equal(Rs2Mac, DestinationMac(h.Device.Sent[^1]));
    }
}
