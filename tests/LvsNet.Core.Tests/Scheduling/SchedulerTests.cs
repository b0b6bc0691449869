using LvsNet.Core.Configuration;
using LvsNet.Core.Scheduling;
using Xunit;

namespace LvsNet.Core.Tests;

/// <summary>rr and wrr: exact sequences (ip_vs_rr.c, ip_vs_wrr.c).</summary>
public class SchedulerTests
{
    private static readonly FlowInfo Flow = ServerSets.Flow;

    internal static RealServerState[] Servers(params int[] weights) => ServerSets.Create(weights);

    private static string Sequence(IScheduler scheduler, RealServerState[] servers, int picks) => ServerSets.Sequence(scheduler, servers, picks);

    [Fact]
    public void RoundRobin_CyclesInListOrder()
    {
        var servers = Servers(1, 1, 1);
        Assert.Equal("ABCABCA", Sequence(new RoundRobinScheduler(servers), servers, 7));
    }

    [Fact]
    public void RoundRobin_SkipsWeightZeroAndOverloaded()
    {
        var servers = Servers(1, 0, 1, 1);
        servers[3].IsOverloaded = true;
        Assert.Equal("ACACAC", Sequence(new RoundRobinScheduler(servers), servers, 6));
    }

    [Fact]
    public void RoundRobin_WeightMagnitudeIgnored()
    {
        var servers = Servers(5, 1, 100);
        Assert.Equal("ABCABC", Sequence(new RoundRobinScheduler(servers), servers, 6));
    }

    [Fact]
    public void RoundRobin_AllQuiescent_ReturnsNull()
    {
        var servers = Servers(0, 0);
        Assert.Null(new RoundRobinScheduler(servers).Schedule(Flow));
    }

    [Fact]
    public void RoundRobin_SuccessorKeepsPosition()
    {
        var servers = Servers(1, 1, 1);
        var first = new RoundRobinScheduler(servers);
        first.Schedule(Flow);
        first.Schedule(Flow);
        var next = new RoundRobinScheduler(servers, first);
        Assert.Same(servers[2], next.Schedule(Flow));
    }

    [Fact]
    public void RoundRobin_PointerOnRemovedServer_MovesToPredecessor()
    {
        // ip_vs_rr_del_dest(): the pointer moves to the deleted server's predecessor, so the
        // rotation continues with the server that followed the deleted one.
        var servers = Servers(1, 1, 1, 1);
        var first = new RoundRobinScheduler(servers);
        Assert.Equal("ABC", Sequence(first, servers, 3));
        RealServerState[] without = [servers[0], servers[1], servers[3]];
        var next = new RoundRobinScheduler(without, first);
        Assert.Same(servers[3], next.Schedule(Flow));

        // Deleting the head while it is the pointer restarts at the new head.
        var again = new RoundRobinScheduler(servers);
        again.Schedule(Flow);
        var fromHead = new RoundRobinScheduler([servers[1], servers[2]], again);
        Assert.Same(servers[1], fromHead.Schedule(Flow));
    }

    [Fact]
    public void WeightedRoundRobin_432_GivesKernelSequence()
    {
        var servers = Servers(4, 3, 2);
        Assert.Equal("AABABCABC" + "AABABCABC", Sequence(new WeightedRoundRobinScheduler(servers), servers, 18));
    }

    [Fact]
    public void WeightedRoundRobin_31_Gives75_25()
    {
        var servers = Servers(3, 1);
        var sequence = Sequence(new WeightedRoundRobinScheduler(servers), servers, 100);
        Assert.Equal(75, sequence.Count(c => c == 'A'));
        Assert.Equal(25, sequence.Count(c => c == 'B'));
    }

    [Fact]
    public void WeightedRoundRobin_GcdSteps()
    {
        var servers = Servers(4, 2);
        Assert.Equal("AABAAB", Sequence(new WeightedRoundRobinScheduler(servers), servers, 6));
    }

    [Fact]
    public void WeightedRoundRobin_WeightZeroNeverChosen_AllZeroGivesNull()
    {
        var servers = Servers(2, 0, 1);
        Assert.DoesNotContain('B', Sequence(new WeightedRoundRobinScheduler(servers), servers, 30));
        var none = Servers(0, 0);
        Assert.Null(new WeightedRoundRobinScheduler(none).Schedule(Flow));
    }

    [Fact]
    public void WeightedRoundRobin_SkipsOverloaded()
    {
        var servers = Servers(4, 3, 2);
        servers[0].IsOverloaded = true;
        Assert.DoesNotContain('A', Sequence(new WeightedRoundRobinScheduler(servers), servers, 20));
    }

    [Fact]
    public void WeightedRoundRobin_AllOverloaded_ReturnsNullThenRecovers()
    {
        var servers = Servers(4, 3, 2);
        var scheduler = new WeightedRoundRobinScheduler(servers);
        Assert.Equal("AA", Sequence(scheduler, servers, 2));
        foreach (var server in servers)
        {
            server.IsOverloaded = true;
        }

        Assert.Null(scheduler.Schedule(Flow));
        foreach (var server in servers)
        {
            server.IsOverloaded = false;
        }

        Assert.NotNull(scheduler.Schedule(Flow));
    }

    [Fact]
    public void WeightedRoundRobin_Successor_RestartsAtHeadKeepingCurrentWeight()
    {
        // ip_vs_wrr_dest_changed(): cl = head, cw kept when still in range.
        var servers = Servers(4, 3, 2);
        var first = new WeightedRoundRobinScheduler(servers);
        Assert.Equal("AAB", Sequence(first, servers, 3)); // now at B with cw = 3
        var next = new WeightedRoundRobinScheduler(servers, first);
        Assert.Equal("ABABC", Sequence(next, servers, 5)); // restart at head with cw = 3
    }

    [Fact]
    public void WeightedRoundRobin_EffectiveWeightChange_RecomputesMarks()
    {
        var servers = Servers(4, 4);
        var scheduler = new WeightedRoundRobinScheduler(servers);
        Assert.Equal("ABAB", Sequence(scheduler, servers, 4));
        servers[1].SetEffectiveWeight(1);
        var sequence = Sequence(scheduler, servers, 50);
        Assert.Equal(40, sequence.Count(c => c == 'A'));
        Assert.Equal(10, sequence.Count(c => c == 'B'));
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(5, 3, 1)]
    [InlineData(7, 0, 2)]
    [InlineData(100, 1, 50)]
    public void WeightedRoundRobin_LongRunSharesFollowWeights(int a, int b, int c)
    {
        var servers = Servers(a, b, c);
        var total = a + b + c;
        var sequence = Sequence(new WeightedRoundRobinScheduler(servers), servers, total * 10);
        Assert.Equal(a * 10, sequence.Count(x => x == 'A'));
        Assert.Equal(b * 10, sequence.Count(x => x == 'B'));
        Assert.Equal(c * 10, sequence.Count(x => x == 'C'));
    }

    [Fact]
    public void WeightedRoundRobin_RandomWeightSets_FollowWeightsOverOneCycle()
    {
        var random = new Random(1234);
        for (var round = 0; round < 200; round++)
        {
            var weights = Enumerable.Range(0, random.Next(1, 8)).Select(_ => random.Next(0, 20)).ToArray();
            var servers = Servers(weights);
            var scheduler = new WeightedRoundRobinScheduler(servers);
            var total = weights.Sum();
            if (total == 0)
            {
                Assert.Null(scheduler.Schedule(Flow));
                continue;
            }

            var counts = new int[weights.Length];
            for (var i = 0; i < total * 3; i++)
            {
                counts[Array.IndexOf(servers, scheduler.Schedule(Flow)!)]++;
            }

            Assert.Equal(weights.Select(w => w * 3), counts);
        }
    }

    [Fact]
    public void Servers_HelperStillServesOtherTests()
    {
        var servers = Servers(1);
        Assert.Equal(1, servers[0].Weight);
        Assert.IsType<RealServerConfig>(servers[0].Config);
    }
}
