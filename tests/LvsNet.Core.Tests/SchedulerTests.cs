using LvsNet.Core.Configuration;
using LvsNet.Core.Scheduling;
using LvsNet.Packets;
using Xunit;

namespace LvsNet.Core.Tests;

public class SchedulerTests
{
    private static readonly FlowInfo Flow = new(IpProtocol.Tcp, 1, 1, 2, 80);

    internal static RealServerState[] Servers(params int[] weights)
    {
        var counters = new ServiceCounters();
        var key = new ServiceKey(IpProtocol.Tcp, 2, 80);
        return [.. weights.Select((w, i) => new RealServerState(i, key, counters, new RealServerConfig { Address = (uint)(100 + i), Port = 80, Weight = w }))];
    }

    private static string Sequence(IScheduler scheduler, RealServerState[] servers, int picks) =>
        string.Concat(Enumerable.Range(0, picks).Select(_ => scheduler.Schedule(Flow) is { } s ? (char)('A' + Array.IndexOf(servers, s)) : '-'));

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
}
