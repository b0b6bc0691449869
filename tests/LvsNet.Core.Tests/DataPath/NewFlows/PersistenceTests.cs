using LvsNet.Core.Configuration;
using LvsNet.Core.DataPath;
using LvsNet.Packets;
using LvsNet.Testing;
using Xunit;
using static LvsNet.Core.Tests.DataPath.DataPathHarness;

namespace LvsNet.Core.Tests.DataPath.NewFlows;

public class PersistenceTests
{
    private static DataPathHarness Persistent(TimeSpan timeout, uint mask = uint.MaxValue, Func<LvsConfig, LvsConfig>? more = null, params (uint, int)[] servers) =>
        new(c => (more ?? (x => x))(EditService(c, s => s with { PersistenceTimeout = timeout, PersistenceNetmask = mask })), "rr", 1024, servers);

    [Fact]
    public void SameClient_ManyConnections_OneServer_OtherClientsStillBalanced()
    {
        var h = Persistent(TimeSpan.FromSeconds(360));
        h.ResolveRealServers();
        for (ushort port = 1000; port < 1010; port++)
        {
            h.Feed(h.TcpFrom(Client, port, TcpFlags.Syn));
            Assert.Equal(Rs1Mac, h.LastDestination);
        }

        h.Feed(h.TcpFrom(Client + 1, 2000, TcpFlags.Syn));
        Assert.Equal(Rs2Mac, h.LastDestination);
        var rs1 = h.Runtime.Current!.Services[0].Servers[0];
        Assert.Equal(1, rs1.PersistentConnections);
        Assert.Equal(10, rs1.Connections);

        var templates = h.Processor.ListConnections().Where(c => c.IsTemplate).ToList();
        Assert.Equal(2, templates.Count);
        var mine = Assert.Single(templates, t => t.ClientAddress == Client);
        Assert.Equal(0, mine.ClientPort);
        Assert.Equal("NONE", mine.StateName);
        Assert.Equal(TimeSpan.FromSeconds(360), mine.Expires);

        h.Feed(h.TcpFrom(Client, 1000, TcpFlags.Ack));
        Assert.Equal("ASSURED", h.Processor.ListConnections().Single(c => c.IsTemplate && c.ClientAddress == Client).StateName);
    }

    [Fact]
    public void Netmask_GroupsClientsOfOneSubnet()
    {
        var h = Persistent(TimeSpan.FromSeconds(60), Ipv4Address.PrefixToMask(24));
        h.ResolveRealServers();
        h.Feed(h.TcpFrom(Ipv4Address.Parse("192.0.2.10"), 1, TcpFlags.Syn));
        var first = h.LastDestination;
        h.Feed(h.TcpFrom(Ipv4Address.Parse("192.0.2.200"), 1, TcpFlags.Syn));
        Assert.Equal(first, h.LastDestination);
        h.Feed(h.TcpFrom(Ipv4Address.Parse("192.0.3.10"), 1, TcpFlags.Syn));
        Assert.NotEqual(first, h.LastDestination);
    }

    [Fact]
    public void Template_ExpiresAfterTimeout_ButNotWhileItControlsConnections()
    {
        var h = Persistent(TimeSpan.FromSeconds(30));
        h.ResolveRealServers();
        h.Feed(h.TcpFrom(Client, 1, TcpFlags.Syn));
        h.Feed(h.TcpFrom(Client, 1, TcpFlags.Ack));

        // The connection is ESTABLISHED (900 s): the template outlives its 30 s, re-armed by 60 s steps.
        h.Advance(TimeSpan.FromSeconds(200));
        Assert.Contains(h.Processor.ListConnections(), c => c.IsTemplate);

        // Close the connection: CLOSE lasts 10 s, then the template has ≤ 60 s left.
        h.Feed(h.TcpFrom(Client, 1, TcpFlags.Rst));
        h.Advance(TimeSpan.FromSeconds(11));
        Assert.DoesNotContain(h.Processor.ListConnections(), c => !c.IsTemplate);
        h.Advance(TimeSpan.FromSeconds(61));
        Assert.Empty(h.Processor.ListConnections());
        Assert.Equal(0, h.Runtime.Current!.Services[0].Servers[0].PersistentConnections);
    }

    [Fact]
    public void NewConnectionRefreshesTemplate()
    {
        var h = Persistent(TimeSpan.FromSeconds(30));
        h.ResolveRealServers();
        h.Feed(h.TcpFrom(Client, 1, TcpFlags.Rst | TcpFlags.Syn));
        h.Feed(h.TcpFrom(Client, 2, TcpFlags.Syn));
        Assert.Equal(Rs1Mac, h.LastDestination);
        h.Advance(TimeSpan.FromSeconds(20));
        h.Feed(h.TcpFrom(Client, 3, TcpFlags.Syn));
        Assert.Equal(Rs1Mac, h.LastDestination);
        var template = h.Processor.ListConnections().Single(c => c.IsTemplate);
        Assert.Equal(TimeSpan.FromSeconds(30), template.Expires);
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void QuiescentServer_TemplateUsedUnlessExpireQuiescentTemplate(bool expireQuiescent, bool expectSameServer)
    {
        var h = Persistent(TimeSpan.FromSeconds(300), more: c => c with { Connections = c.Connections with { ExpireQuiescentTemplates = expireQuiescent } });
        h.ResolveRealServers();
        h.Feed(h.TcpFrom(Client, 1, TcpFlags.Syn));
        Assert.Equal(Rs1Mac, h.LastDestination);
        h.Runtime.Apply(EditService(h.Runtime.Current!.Config, s => s with { RealServers = [s.RealServers[0] with { Weight = 0 }, s.RealServers[1]] }));
        h.Processor.BeginBatch();
        h.Feed(h.TcpFrom(Client, 2, TcpFlags.Syn));
        Assert.Equal(expectSameServer ? Rs1Mac : Rs2Mac, h.LastDestination);
    }

    [Fact]
    public void ExpireNodestConn_RemovedServer_SynReschedulesAndOthersAreForgotten()
    {
        var h = new DataPathHarness(c => c with { Connections = c.Connections with { ExpireNodestConnections = true } });
        h.ResolveRealServers();
        h.Feed(h.TcpFrom(Client, 1, TcpFlags.Syn));
        h.Feed(h.TcpFrom(Client, 2, TcpFlags.Syn));
        h.Runtime.Apply(Config("rr", (Rs2, 1)) with { Connections = new ConnectionTableConfig { ExpireNodestConnections = true } });
        h.Processor.BeginBatch();
        h.Device.Sent.Clear();
        h.Feed(h.TcpFrom(Client, 1, TcpFlags.Ack));
        Assert.Empty(h.Device.Sent);
        Assert.Equal(1, h.Processor.Counters[DropReason.NoConnection]);
        h.Feed(h.TcpFrom(Client, 1, TcpFlags.Syn));
        Assert.Equal(Rs2Mac, h.LastDestination);
    }

    [Fact]
    public void OnePacketScheduling_SchedulesEveryDatagramAndKeepsNoEntry()
    {
        var h = new DataPathHarness(c => c with
        {
            VirtualServices = [c.VirtualServices[0] with { Protocol = IpProtocol.Udp, Port = 53, OnePacketScheduling = true, RealServers = [.. c.VirtualServices[0].RealServers.Select(r => r with { Port = 53 })] }],
        });
        h.ResolveRealServers();
        for (var i = 0; i < 6; i++)
        {
            h.Feed(FrameBuilder.Udp(DirectorMac, ClientMac, Client, 5353, Vip, 53));
        }

        Assert.Equal([Rs1Mac, Rs2Mac, Rs1Mac, Rs2Mac, Rs1Mac, Rs2Mac], h.Device.Sent.Select(f => MacAddress.Read(f)));
        Assert.Equal(0, h.Processor.Table.Count);
        Assert.Equal(3, h.Runtime.Current!.Services[0].Servers[0].Connections);
        Assert.Equal(0, h.Runtime.Current!.Services[0].Servers[0].InactiveConnections);
    }

    [Fact]
    public void Udp_WithoutOps_StaysOnOneServerPerClientPort()
    {
        var h = new DataPathHarness(c => c with
        {
            VirtualServices = [c.VirtualServices[0] with { Protocol = IpProtocol.Udp, Port = 53, RealServers = [.. c.VirtualServices[0].RealServers.Select(r => r with { Port = 53 })] }],
        });
        h.ResolveRealServers();
        for (var i = 0; i < 4; i++)
        {
            h.Feed(FrameBuilder.Udp(DirectorMac, ClientMac, Client, 5353, Vip, 53));
        }

        Assert.All(h.Device.Sent, f => Assert.Equal(Rs1Mac, MacAddress.Read(f)));
        var server = h.Runtime.Current!.Services[0].Servers[0];
        Assert.Equal((0, 1), (server.ActiveConnections, server.InactiveConnections));
        h.Advance(TimeSpan.FromSeconds(301));
        Assert.Equal(0, h.Processor.Table.Count);
    }

    [Fact]
    public void PortZeroService_CatchesEveryPortOfTheVip()
    {
        var h = Persistent(TimeSpan.FromSeconds(100), more: c => EditService(c, s => s with { Port = 0, RealServers = [.. s.RealServers.Select(r => r with { Port = 0 })] }));
        h.ResolveRealServers();
        h.Feed(h.TcpFrom(Client, 1, TcpFlags.Syn, port: 443));
        Assert.Equal(Rs1Mac, h.LastDestination);
        h.Feed(h.TcpFrom(Client, 2, TcpFlags.Syn, port: 8443));
        Assert.Equal(Rs1Mac, h.LastDestination);
        Assert.Single(h.Processor.ListConnections(), c => c.IsTemplate && c.VirtualPort == 0);
    }
}
