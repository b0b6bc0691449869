using LvsNet.Core.Scheduling;
using Xunit;

namespace LvsNet.Core.Tests;

/// <summary>twos with a seeded random source (reference §2.9, ip_vs_twos.c).</summary>
public class TwoChoicesSchedulerTests
{
    [Fact]
    public void EqualLoad_ChoiceOneFollowsWeightsIncludingTheHeadBias()
    {
        // r is uniform over 0..6 (total + 1 values): r ∈ {0, 1} → A, {2, 3} → B, {4, 5, 6} → C.
        var servers = ServerSets.Create(1, 2, 3);
        var scheduler = new TwoChoicesScheduler(servers, new Random(2024));
        var counts = new int[3];
        const int Picks = 70_000;
        for (var i = 0; i < Picks; i++)
        {
            counts[Array.IndexOf(servers, scheduler.Schedule(ServerSets.Flow)!)]++;
        }

        Assert.InRange(counts[0], 19_000, 21_000);
        Assert.InRange(counts[1], 19_000, 21_000);
        Assert.InRange(counts[2], 29_000, 31_000);
    }

    [Fact]
    public void SameSeed_SameSequence()
    {
        var servers = ServerSets.Create(3, 1, 4, 1, 5);
        var a = ServerSets.Sequence(new TwoChoicesScheduler(servers, new Random(77)), servers, 200);
        var b = ServerSets.Sequence(new TwoChoicesScheduler(servers, new Random(77)), servers, 200);
        Assert.Equal(a, b);
    }

    [Fact]
    public void LessLoadedSecondChoice_Wins()
    {
        // A is loaded, B idle: whenever the two draws differ B is returned, so A only gets the
        // draws where both choices are A. With r over 0..3, r ∈ {0, 1, 2} picks A (the head
        // bias), so that is (3/4)² = 0.5625 of the time.
        var servers = ServerSets.Create(2, 1);
        servers[0].SetConnectionCounts(10, 0);
        var scheduler = new TwoChoicesScheduler(servers, new Random(5));
        var a = 0;
        const int Picks = 40_000;
        for (var i = 0; i < Picks; i++)
        {
            if (scheduler.Schedule(ServerSets.Flow) == servers[0])
            {
                a++;
            }
        }

        Assert.InRange(a / (double)Picks, 0.55, 0.575);
    }

    [Fact]
    public void LiveLoad_BalancesConnectionsPerWeight()
    {
        // Each pick opens an active connection: the two-choice rule keeps act/w close across servers.
        var servers = ServerSets.Create(1, 2, 4);
        var scheduler = new TwoChoicesScheduler(servers, new Random(8));
        for (var i = 0; i < 7000; i++)
        {
            var chosen = scheduler.Schedule(ServerSets.Flow)!;
            chosen.OnConnectionCreated();
            chosen.OnActivityChanged(nowActive: true);
        }

        Assert.InRange(servers[0].ActiveConnections, 850, 1150);
        Assert.InRange(servers[1].ActiveConnections, 1800, 2200);
        Assert.InRange(servers[2].ActiveConnections, 3700, 4300);
    }
}
