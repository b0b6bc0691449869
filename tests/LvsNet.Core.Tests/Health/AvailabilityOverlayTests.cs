using LvsNet.Core.Configuration;
using LvsNet.Core.Health;
using LvsNet.Core.Scheduling;
using LvsNet.Packets;
using Xunit;
using static LvsNet.Core.Tests.Health.HealthFixtures;

namespace LvsNet.Core.Tests.Health;

/// <summary>Publishing health through <see cref="LvsRuntime.SetHealth"/>: the snapshot the data path sees.</summary>
public class AvailabilityOverlayTests
{
    private static RealServerState? Pick(LvsRuntime runtime) =>
        ServiceOf(runtime).Scheduler.Schedule(new FlowInfo(IpProtocol.Tcp, Ipv4Address.Parse("10.77.0.10"), 40000, Vip, 80));

    [Fact]
    public void SetHealth_Down_RemovesTheServerFromTheSchedulersArray()
    {
        var runtime = new LvsRuntime();
        runtime.Apply(Config(Tcp()));
        var rs1 = Configured(runtime, Rs1);

        var changes = runtime.SetHealth(Key(Rs1), Down());

        Assert.Equal([Rs2], Pool(runtime));
        Assert.False(rs1.IsAvailable);
        Assert.Equal(PoolMembership.Removed, rs1.Health!.Membership);
        Assert.Equal(HealthState.Down, rs1.Health.State);
        Assert.Equal("connection refused", rs1.Health.Reason);
        Assert.Single(changes!.ServersRemoved);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(Rs2, Pick(runtime)!.Address);
        }

        runtime.SetHealth(Key(Rs1), Up());
        Assert.Equal([Rs1, Rs2], Pool(runtime));
        Assert.Same(rs1, ServiceOf(runtime).Servers[0]);
        Assert.True(rs1.IsAvailable);
        Assert.Equal(PoolMembership.InPool, rs1.Health!.Membership);
    }

    [Fact]
    public void SetHealth_InhibitOnFailure_KeepsTheServerListedAtWeight0_AndRestoresItsWeight()
    {
        var runtime = new LvsRuntime();
        runtime.Apply(Config(Tcp(inhibit: true), servers: [(Rs1, 3), (Rs2, 1)]));
        var rs1 = Configured(runtime, Rs1);

        var changes = runtime.SetHealth(Key(Rs1), Down());
        Assert.Equal([Rs1, Rs2], Pool(runtime));
        Assert.Equal(0, rs1.Weight);
        Assert.Equal(3, rs1.LastWeight);
        Assert.True(rs1.IsAvailable, "existing connections continue, as with ipvsadm -e -w 0");
        Assert.Equal(PoolMembership.Inhibited, rs1.Health!.Membership);
        Assert.Equal(3, rs1.Health.ConfiguredWeight);
        Assert.Single(changes!.ServersEdited);
        Assert.Equal(Rs2, Pick(runtime)!.Address);

        runtime.SetHealth(Key(Rs1), Up());
        Assert.Equal(3, rs1.Weight);
        Assert.Equal(3, rs1.EffectiveWeight);
    }

    [Fact]
    public void Apply_Alpha_ServersStartOutOfThePoolUntilACheckSucceeds()
    {
        var runtime = new LvsRuntime();
        var changes = runtime.Apply(Config(Tcp(alpha: true)));

        Assert.Empty(Pool(runtime));
        Assert.Empty(changes.ServersAdded);
        Assert.Empty(changes.ServersRemoved);
        Assert.All(ServiceOf(runtime).Health!.ConfiguredServers, s => Assert.Equal(HealthState.Down, s.Health!.State));
        Assert.Null(Pick(runtime));

        changes = runtime.SetHealth(Key(Rs2), Up())!;
        Assert.Equal([Rs2], Pool(runtime));
        Assert.Single(changes.ServersAdded);
    }

    [Fact]
    public void Apply_AlphaWithInhibit_ServersStartListedAtWeight0()
    {
        var runtime = new LvsRuntime();
        runtime.Apply(Config(Tcp(alpha: true, inhibit: true)));
        Assert.Equal([Rs1, Rs2], Pool(runtime));
        Assert.All(ServiceOf(runtime).Servers, s => Assert.Equal(0, s.Weight));
        Assert.Null(Pick(runtime));
    }

    [Fact]
    public void Apply_Reload_KeepsTheHealthOfServersThatStay_AndForgetsServersThatLeave()
    {
        var runtime = new LvsRuntime();
        runtime.Apply(Config(Tcp()));
        runtime.SetHealth(Key(Rs1), Down());

        // A reload that changes weights keeps rs1 out of the pool: it is still down.
        var changes = runtime.Apply(Config(Tcp(), servers: [(Rs1, 5), (Rs2, 2)]));
        Assert.Equal([Rs2], Pool(runtime));
        Assert.Empty(changes.ServersAdded);
        Assert.Equal(HealthState.Down, runtime.Health.Get(Key(Rs1))!.State);

        // Removing rs1 forgets its health: when it comes back it starts up (not alpha).
        runtime.Apply(Config(Tcp(), servers: [(Rs2, 1)]));
        Assert.Null(runtime.Health.Get(Key(Rs1)));
        runtime.Apply(Config(Tcp()));
        Assert.Equal([Rs1, Rs2], Pool(runtime));
    }

    [Fact]
    public void Apply_ChecksRemoved_ServerIsUpAgainAndItsReportForgotten()
    {
        var runtime = new LvsRuntime();
        runtime.Apply(Config(Tcp()));
        runtime.SetHealth(Key(Rs1), Down());
        runtime.Apply(Config(null));
        Assert.Equal([Rs1, Rs2], Pool(runtime));
        Assert.Null(Configured(runtime, Rs1).Health);
        Assert.Null(runtime.Health.Get(Key(Rs1)));
    }

    [Fact]
    public void SetHealth_EveryServerDown_SorryServerTakesOver_AndLeavesWhenQuorumReturns()
    {
        var runtime = new LvsRuntime();
        var quorumChanges = new List<QuorumChange>();
        runtime.Health.QuorumChanged += quorumChanges.Add;
        runtime.Apply(Config(Tcp(), new QuorumConfig { SorryServer = new SorryServerConfig { Address = Sorry, Port = 80 } }));
        Assert.Equal([Rs1, Rs2], Pool(runtime));
        Assert.Equal([new QuorumChange(Service, true, true, 2, 1, ServiceOf(runtime).Health!.Quorum)], quorumChanges);
        Assert.Equal(PoolMembership.Removed, ServiceOf(runtime).Health!.SorryServer!.Health!.Membership);

        runtime.SetHealth(Key(Rs1), Down());
        Assert.Equal([Rs2], Pool(runtime));
        runtime.SetHealth(Key(Rs2), Down());
        Assert.Equal([Sorry], Pool(runtime));
        Assert.True(ServiceOf(runtime).Health!.SorryServerActive);
        Assert.False(ServiceOf(runtime).Health!.QuorumUp);
        Assert.Equal(Sorry, Pick(runtime)!.Address);
        Assert.False(quorumChanges[^1].Up);
        Assert.Equal(0, quorumChanges[^1].LiveWeight);

        runtime.SetHealth(Key(Rs2), Up());
        Assert.Equal([Rs2], Pool(runtime));
        Assert.True(quorumChanges[^1].Up);
        var sorry = ServiceOf(runtime).Health!.SorryServer!;
        Assert.False(sorry.IsAvailable);
        Assert.Equal(PoolMembership.Removed, sorry.Health!.Membership);
        Assert.Equal(3, quorumChanges.Count);
    }

    [Fact]
    public void SetHealth_QuorumLostWithSorryServer_UpServersAreDisplaced_InhibitedOnesStayAtWeight0()
    {
        var runtime = new LvsRuntime();
        runtime.Apply(Config(
            Tcp(inhibit: true),
            new QuorumConfig { Quorum = 2, SorryServer = new SorryServerConfig { Address = Sorry, Port = 80, Inhibit = true } },
            servers: [(Rs1, 1), (Rs2, 1), (Rs3, 1)]));
        var sorry = ServiceOf(runtime).Health!.SorryServer!;
        Assert.Equal([Rs1, Rs2, Rs3, Sorry], Pool(runtime));
        Assert.Equal(0, sorry.Weight);

        runtime.SetHealth(Key(Rs1), Down());
        runtime.SetHealth(Key(Rs2), Down());

        // Live weight 1 < quorum 2: rs3 (up) is displaced; rs1 and rs2 stay inhibited; the sorry server has weight 1.
        Assert.Equal([Rs1, Rs2, Sorry], Pool(runtime));
        Assert.Equal(PoolMembership.Displaced, Configured(runtime, Rs3).Health!.Membership);
        Assert.Equal(1, sorry.Weight);
        Assert.Equal(Sorry, Pick(runtime)!.Address);
    }

    [Fact]
    public void SetHealth_QuorumWithHysteresis_SorryServerFollowsTheThresholds()
    {
        var runtime = new LvsRuntime();
        runtime.Apply(Config(
            Tcp(),
            new QuorumConfig { Quorum = 2, Hysteresis = 1, SorryServer = new SorryServerConfig { Address = Sorry, Port = 80 } },
            servers: [(Rs1, 1), (Rs2, 1), (Rs3, 1)]));
        Assert.True(ServiceOf(runtime).Health!.QuorumUp);

        runtime.SetHealth(Key(Rs1), Down());
        runtime.SetHealth(Key(Rs2), Down());
        Assert.True(ServiceOf(runtime).Health!.QuorumUp); // live 1 is not below quorum - hysteresis = 1
        Assert.Equal([Rs3], Pool(runtime));

        runtime.SetHealth(Key(Rs3), Down());
        Assert.False(ServiceOf(runtime).Health!.QuorumUp);
        Assert.Equal([Sorry], Pool(runtime));

        runtime.SetHealth(Key(Rs1), Up());
        runtime.SetHealth(Key(Rs2), Up());
        Assert.False(ServiceOf(runtime).Health!.QuorumUp); // live 2 below quorum + hysteresis = 3
        Assert.Equal([Sorry], Pool(runtime));

        runtime.SetHealth(Key(Rs3), Up());
        Assert.True(ServiceOf(runtime).Health!.QuorumUp);
        Assert.Equal([Rs1, Rs2, Rs3], Pool(runtime));
    }

    [Fact]
    public void SetHealth_DynamicWeight_IsTheWeightInForce_AndCountsForTheQuorum()
    {
        var runtime = new LvsRuntime();
        runtime.Apply(Config(Tcp(), new QuorumConfig { Quorum = 4 }, servers: [(Rs1, 2), (Rs2, 2)]));
        Assert.True(ServiceOf(runtime).Health!.QuorumUp);

        runtime.SetHealth(Key(Rs1), Up(weight: 7));
        Assert.Equal(7, Configured(runtime, Rs1).Weight);
        Assert.Equal(7, Configured(runtime, Rs1).Health!.DynamicWeight);
        Assert.Equal(9, ServiceOf(runtime).Health!.LiveWeight);

        runtime.SetHealth(Key(Rs1), Up(weight: 0));
        runtime.SetHealth(Key(Rs2), Down());
        Assert.False(ServiceOf(runtime).Health!.QuorumUp);
        Assert.Equal(0, Configured(runtime, Rs1).Weight);
    }

    [Fact]
    public void Apply_NoHealthSettings_NothingIsTrackedOrReported()
    {
        var runtime = new LvsRuntime();
        var quorumChanges = new List<QuorumChange>();
        runtime.Health.QuorumChanged += quorumChanges.Add;
        runtime.Apply(Config(null));
        Assert.Empty(quorumChanges);
        Assert.Null(ServiceOf(runtime).Health!.QuorumUp);
        Assert.All(ServiceOf(runtime).Servers, s => Assert.Null(s.Health));
    }

    [Fact]
    public void SetHealth_BeforeAnyConfiguration_IsStoredAndApplied()
    {
        var runtime = new LvsRuntime();
        Assert.Null(runtime.SetHealth(Key(Rs1), Down()));
        runtime.Apply(Config(Tcp()));
        Assert.Equal([Rs2], Pool(runtime));
    }
}
