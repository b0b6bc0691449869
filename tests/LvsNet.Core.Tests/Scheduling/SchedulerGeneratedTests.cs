using CsCheck;
using LvsNet.Core.Configuration;
using LvsNet.Core.Scheduling;
using Xunit;

namespace LvsNet.Core.Tests;

/// <summary>
/// Scheduler invariants over generated weight sets, with shrinking to the smallest failing set:
/// wrr hands out exactly each server's weight per cycle (reference §2.2), rr ignores weights but
/// skips weight 0, and every mh table (reference §2.14) is full, owned only by servers of positive
/// weight, with each server's slot count within one round of turns of its weighted share.
/// </summary>
public class SchedulerGeneratedTests
{
    private static readonly Gen<int[]> Weights = Gen.Int[0, 12].Array[1, 10];

    [Fact]
    public void WeightedRoundRobin_EveryCycleHandsOutExactlyTheWeights()
    {
        Gen.Select(Weights, Gen.Int[1, 4], (weights, cycles) => (weights, cycles)).Sample((weights, cycles) =>
        {
            var servers = ServerSets.Create(weights);
            var scheduler = new WeightedRoundRobinScheduler(servers);
            var total = weights.Sum();
            if (total == 0)
            {
                Assert.Null(scheduler.Schedule(ServerSets.Flow));
                return;
            }

            var counts = new int[servers.Length];
            for (var i = 0; i < total * cycles; i++)
            {
                counts[Array.IndexOf(servers, scheduler.Schedule(ServerSets.Flow)!)]++;
            }

            Assert.Equal(weights.Select(w => w * cycles), counts);
        }, iter: 500);
    }

    [Fact]
    public void RoundRobin_EqualTurnsForEveryPositiveWeight()
    {
        Weights.Sample(weights =>
        {
            var servers = ServerSets.Create(weights);
            var scheduler = new RoundRobinScheduler(servers);
            var positive = weights.Count(w => w > 0);
            if (positive == 0)
            {
                Assert.Null(scheduler.Schedule(ServerSets.Flow));
                return;
            }

            var counts = new int[servers.Length];
            for (var i = 0; i < positive * 3; i++)
            {
                counts[Array.IndexOf(servers, scheduler.Schedule(ServerSets.Flow)!)]++;
            }

            Assert.Equal(weights.Select(w => w > 0 ? 3 : 0), counts);
        }, iter: 500);
    }

    [Fact]
    public void MaglevHash_TableIsFull_OwnedByPositiveWeights_SharesWithinOneRound()
    {
        var sizes = Gen.OneOf(251, 509, 1021);
        Gen.Select(Gen.Int[0, 10].Array[1, 20], sizes, (weights, size) => (weights, size)).Sample((weights, size) =>
        {
            var servers = ServerSets.Create(weights);
            var scheduler = new MaglevHashScheduler(servers, SchedulerFlags.None, size);
            var counts = new int[servers.Length];
            var empty = 0;
            for (var slot = 0; slot < scheduler.TableSize; slot++)
            {
                var owner = scheduler.SlotOwner(slot);
                if (owner is null)
                {
                    empty++;
                }
                else
                {
                    counts[Array.IndexOf(servers, owner)]++;
                }
            }

            var positive = weights.Where(w => w > 0).ToArray();
            if (positive.Length == 0)
            {
                Assert.Equal(size, empty);
                return;
            }

            Assert.Equal(0, empty);

            // Each round of the population gives every server its turns (weight / gcd; weights
            // this small need no shift); the last round may stop part-way.
            var gcd = positive.Aggregate(Gcd);
            var turns = weights.Select(w => w / gcd).ToArray();
            var totalTurns = turns.Sum();
            for (var i = 0; i < servers.Length; i++)
            {
                if (weights[i] == 0)
                {
                    Assert.Equal(0, counts[i]);
                    continue;
                }

                var share = size * (double)turns[i] / totalTurns;
                Assert.InRange(counts[i], share - turns[i] - 1, share + turns[i] + 1);
            }
        }, iter: 300);
    }

    private static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);
}
