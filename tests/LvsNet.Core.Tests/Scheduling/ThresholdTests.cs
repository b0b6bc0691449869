using LvsNet.Core.Scheduling;
using Xunit;

namespace LvsNet.Core.Tests;

/// <summary>Upper/lower connection thresholds and the OVERLOAD flag (reference §1.3; ip_vs_bind_dest/ip_vs_unbind_dest).</summary>
public class ThresholdTests
{
    private static RealServerState Server(int upper, int lower) =>
        new(0, ServerSets.Key, new ServiceCounters(), ServerSets.Config(0, 1, upper, lower));

    private static void Bind(RealServerState server, int count)
    {
        for (var i = 0; i < count; i++)
        {
            server.OnConnectionCreated();
        }
    }

    private static void Unbind(RealServerState server, int count, bool active = false)
    {
        for (var i = 0; i < count; i++)
        {
            server.OnConnectionFreed(active);
        }
    }

    [Fact]
    public void Upper_SetWhenTotalReachesIt()
    {
        var server = Server(upper: 5, lower: 0);
        Bind(server, 4);
        Assert.False(server.IsOverloaded);
        Bind(server, 1);
        Assert.True(server.IsOverloaded);
    }

    [Fact]
    public void Upper_CountsActiveAndInactive()
    {
        var server = Server(upper: 5, lower: 0);
        Bind(server, 3);
        server.OnActivityChanged(nowActive: true);
        server.OnActivityChanged(nowActive: true);
        Assert.Equal(2, server.ActiveConnections);
        Bind(server, 1);
        Assert.False(server.IsOverloaded);
        Bind(server, 1);
        Assert.True(server.IsOverloaded);
    }

    [Fact]
    public void Lower_ClearsOnlyBelowIt()
    {
        var server = Server(upper: 10, lower: 4);
        Bind(server, 10);
        Assert.True(server.IsOverloaded);
        Unbind(server, 6);
        Assert.Equal(4, server.InactiveConnections);
        Assert.True(server.IsOverloaded);
        Unbind(server, 1);
        Assert.False(server.IsOverloaded);
    }

    [Fact]
    public void NoLower_ClearsBelowThreeQuartersOfUpper()
    {
        // (act + inact) * 4 < u * 3: with u = 8, clear at 5 (20 < 24), not at 6 (24 < 24 is false).
        var server = Server(upper: 8, lower: 0);
        Bind(server, 8);
        Assert.True(server.IsOverloaded);
        Unbind(server, 2);
        Assert.True(server.IsOverloaded);
        Unbind(server, 1, active: false);
        Assert.False(server.IsOverloaded);
    }

    [Fact]
    public void NoThresholds_UnbindClearsAManualFlag()
    {
        var server = Server(upper: 0, lower: 0);
        Bind(server, 3);
        server.IsOverloaded = true;
        Unbind(server, 1);
        Assert.False(server.IsOverloaded);
    }

    [Fact]
    public void ActiveConnectionUnbind_AlsoReevaluates()
    {
        var server = Server(upper: 2, lower: 1);
        Bind(server, 2);
        server.OnActivityChanged(nowActive: true);
        server.OnActivityChanged(nowActive: true);
        Assert.True(server.IsOverloaded);
        server.OnConnectionFreed(wasActive: true);
        Assert.True(server.IsOverloaded);
        server.OnConnectionFreed(wasActive: true);
        Assert.False(server.IsOverloaded);
    }

    [Theory]
    [InlineData(10, 0, true)]   // threshold removed: cleared
    [InlineData(10, 12, true)]  // raised: cleared
    [InlineData(10, 10, false)] // unchanged: kept
    [InlineData(10, 8, false)]  // lowered: kept
    public void Edit_ClearsWhenUpperRemovedOrRaised(int oldUpper, int newUpper, bool cleared)
    {
        var server = Server(upper: oldUpper, lower: 0);
        Bind(server, oldUpper);
        Assert.True(server.IsOverloaded);
        server.Apply(ServerSets.Config(0, 1, newUpper));
        Assert.Equal(!cleared, server.IsOverloaded);
    }

    [Fact]
    public void OverloadedByThreshold_SkippedByEveryScheduler_ThenBackAfterUnbind()
    {
        var servers = ServerSets.Create(1, 1);
        servers[0].Apply(ServerSets.Config(0, 1, upper: 2));
        var scheduler = new RoundRobinScheduler(servers);
        Bind(servers[0], 2);
        Assert.Equal("BBB", ServerSets.Sequence(scheduler, servers, 3));
        Unbind(servers[0], 1);
        Assert.Contains('A', ServerSets.Sequence(scheduler, servers, 2));
    }

    [Fact]
    public void LastWeight_KeepsLatestNonZeroWeight()
    {
        var server = new RealServerState(0, ServerSets.Key, new ServiceCounters(), ServerSets.Config(0, 5));
        Assert.Equal(5, server.LastWeight);
        server.Apply(ServerSets.Config(0, 0));
        Assert.Equal(0, server.Weight);
        Assert.Equal(5, server.LastWeight);
        server.Apply(ServerSets.Config(0, 7));
        Assert.Equal(7, server.LastWeight);

        // A server added with weight 0 has last_weight 0 (it takes no mh slots).
        var quiet = new RealServerState(1, ServerSets.Key, new ServiceCounters(), ServerSets.Config(1, 0));
        Assert.Equal(0, quiet.LastWeight);
    }

    [Fact]
    public void EffectiveWeight_FollowsConfiguredAndStaysPositive()
    {
        var server = new RealServerState(0, ServerSets.Key, new ServiceCounters(), ServerSets.Config(0, 10));
        Assert.Equal(10, server.EffectiveWeight);
        server.SetEffectiveWeight(0);
        Assert.Equal(1, server.EffectiveWeight);
        server.SetEffectiveWeight(4);
        Assert.Equal(4, server.EffectiveWeight);

        // Re-applying the same weight keeps the dynamic value; a new weight restarts from it.
        server.Apply(ServerSets.Config(0, 10));
        Assert.Equal(4, server.EffectiveWeight);
        server.Apply(ServerSets.Config(0, 20));
        Assert.Equal(20, server.EffectiveWeight);
        server.Apply(ServerSets.Config(0, 0));
        Assert.Equal(0, server.EffectiveWeight);
        server.SetEffectiveWeight(5);
        Assert.Equal(0, server.EffectiveWeight);
    }
}
