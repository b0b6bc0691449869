using LvsNet.Core.Scheduling;
using Xunit;

namespace LvsNet.Core.Tests;

/// <summary>
/// Property-style checks over many random weight sets: long-run shares follow weights where the
/// scheduler promises it (wrr exactly per cycle; wlc, sed and nq balance active connections per
/// weight when connections accumulate; rr ignores magnitudes).
/// </summary>
public class SchedulerPropertyTests
{
    private static int[] RandomWeights(Random random) =>
        [.. Enumerable.Range(0, random.Next(2, 9)).Select(_ => random.Next(0, 12))];

    // wlc equalises act/w, so every count is within 1 of its weighted share. sed and nq equalise
    // (act + 1)/w, which favours heavier servers by up to one connection per server in the service.
    [Theory]
    [InlineData("wlc")]
    [InlineData("sed")]
    [InlineData("nq")]
    public void LoadBalancing_AccumulatingConnections_FollowWeights(string name)
    {
        var random = new Random(99);
        for (var round = 0; round < 150; round++)
        {
            var weights = RandomWeights(random);
            var total = weights.Sum();
            var servers = ServerSets.Create(weights);
            var scheduler = SchedulerFactory.Create(name, servers);
            if (total == 0)
            {
                Assert.Null(scheduler.Schedule(ServerSets.Flow));
                continue;
            }

            var tolerance = name == "wlc" ? 1 : weights.Count(w => w > 0) + 1;
            var picks = total * 20;
            for (var i = 0; i < picks; i++)
            {
                var chosen = scheduler.Schedule(ServerSets.Flow)!;
                chosen.OnConnectionCreated();
                chosen.OnActivityChanged(nowActive: true);
            }

            for (var s = 0; s < servers.Length; s++)
            {
                var expected = picks * (double)weights[s] / total;
                Assert.InRange(servers[s].ActiveConnections, expected - tolerance, expected + tolerance);
            }
        }
    }

    [Fact]
    public void WeightedRoundRobin_RandomWeightSets_ExactPerCycle()
    {
        var random = new Random(7);
        for (var round = 0; round < 300; round++)
        {
            var weights = RandomWeights(random);
            var total = weights.Sum();
            var servers = ServerSets.Create(weights);
            var scheduler = new WeightedRoundRobinScheduler(servers);
            if (total == 0)
            {
                Assert.Null(scheduler.Schedule(ServerSets.Flow));
                continue;
            }

            var counts = new int[servers.Length];
            for (var i = 0; i < total * 4; i++)
            {
                counts[Array.IndexOf(servers, scheduler.Schedule(ServerSets.Flow)!)]++;
            }

            Assert.Equal(weights.Select(w => w * 4), counts);
        }
    }

    [Fact]
    public void RoundRobin_RandomWeightSets_EqualSharesAmongPositive()
    {
        var random = new Random(3);
        for (var round = 0; round < 200; round++)
        {
            var weights = RandomWeights(random);
            var positive = weights.Count(w => w > 0);
            var servers = ServerSets.Create(weights);
            var scheduler = new RoundRobinScheduler(servers);
            var counts = new int[servers.Length];
            for (var i = 0; i < positive * 5; i++)
            {
                counts[Array.IndexOf(servers, scheduler.Schedule(ServerSets.Flow)!)]++;
            }

            Assert.Equal(weights.Select(w => w > 0 ? 5 : 0), counts);
        }
    }

    [Fact]
    public void SourceHash_SharesFollowBucketCounts()
    {
        var random = new Random(12);
        for (var round = 0; round < 50; round++)
        {
            var weights = RandomWeights(random).Select(w => w + 1).ToArray();
            var servers = ServerSets.Create(weights);
            var scheduler = new SourceHashScheduler(servers);
            var buckets = new int[servers.Length];
            foreach (var owner in scheduler.Buckets)
            {
                buckets[Array.IndexOf(servers, owner)]++;
            }

            Assert.Equal(256, buckets.Sum());

            // Within one table cycle each server holds its weight in consecutive buckets.
            var cycle = weights.Sum();
            if (cycle <= 256)
            {
                for (var s = 0; s < servers.Length; s++)
                {
                    Assert.InRange(buckets[s], weights[s] * (256 / cycle), weights[s] * ((256 / cycle) + 1));
                }
            }
        }
    }
}
