using LvsNet.Core.Configuration;
using LvsNet.Core.Feedback;
using Xunit;

namespace LvsNet.Core.Tests.Feedback;

/// <summary>The dynamic-feedback weight formula, interval by interval.</summary>
public class DynamicWeightCalculatorTests
{
    private static readonly DynamicWeightsConfig Policy = new();

    private static int[] Run(DynamicWeightsConfig policy, DynamicWeightInput[] inputs, DynamicWeightState[] states)
    {
        var weights = new int[inputs.Length];
        DynamicWeightCalculator.Update(policy, inputs, states, weights);
        return weights;
    }

    [Fact]
    public void Balanced_KeepsConfiguredWeights()
    {
        var states = new DynamicWeightState[3];
        for (var i = 0; i < 20; i++)
        {
            var weights = Run(Policy, [new(100, 10), new(200, 20), new(100, 10)], states);
            Assert.Equal([100, 200, 100], weights);
        }

        Assert.All(states, s => Assert.Equal(1.0, s.Multiplier));
    }

    [Fact]
    public void Idle_KeepsConfiguredWeights()
    {
        var states = new DynamicWeightState[2];
        Assert.Equal([100, 50], Run(Policy, [new(100, 0), new(50, 0)], states));
    }

    [Fact]
    public void MoreThanItsShare_WeightFallsByAtMostMaxStep_DownToMinimum()
    {
        var states = new DynamicWeightState[2];
        var previous = 100;
        var reachedMinimum = false;
        for (var i = 0; i < 100; i++)
        {
            // A carries 3x B's connections at equal weights. A move divides the weight by at most
            // 1 + max_step (25 %): it keeps at least 80 % of the weight (plus rounding).
            var weights = Run(Policy, [new(100, 300), new(100, 100)], states);
            Assert.InRange(previous - weights[0], 0, (int)Math.Ceiling(previous * 0.2) + 1);
            Assert.Equal(100, weights[1]);
            previous = weights[0];
            reachedMinimum |= weights[0] == 10;
        }

        Assert.True(reachedMinimum);
        Assert.Equal(10, previous);
    }

    [Fact]
    public void WithinDeadBand_NoChange()
    {
        // 1.04 of its share, inside the 5 % band.
        var states = new DynamicWeightState[2];
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal([100, 100], Run(Policy, [new(100, 103), new(100, 97)], states));
        }
    }

    [Fact]
    public void Smoothing_OneSpikeMovesTheAverageOnly()
    {
        // The first interval starts the average from its sample (balanced, 1: settled there); the
        // second is a spike of ln 1.25 = 0.22, less than three allowances (3·ln 1.1 = 0.29), so it is no
        // evidence of a change (docs/schedulers.md, "Why it stays settled") and only enters the average.
        var states = new DynamicWeightState[2];
        var policy = Policy with { Smoothing = 0.25, DeadBandPercent = 10 };
        Run(policy, [new(100, 0, new ServerLoadSample(TimeSpan.FromMilliseconds(10), 0)), new(100, 0, new ServerLoadSample(TimeSpan.FromMilliseconds(10), 0))], states);
        Assert.Equal(1.0, states[0].SmoothedLoad, 6);
        Run(policy, [new(100, 0, new ServerLoadSample(TimeSpan.FromMilliseconds(30), 0)), new(100, 0, new ServerLoadSample(TimeSpan.FromMilliseconds(10), 0))], states);

        // Latency index 1.5, connection index 1 → load 1.25 → S = 0.25·1.25 + 0.75·1.
        Assert.Equal(1.25, states[0].LastLoad, 6);
        Assert.Equal(1.0625, states[0].SmoothedLoad, 6);
    }

    [Fact]
    public void Step_IsGainTimesLogOfLoad_ClampedToMaxStep()
    {
        var states = new DynamicWeightState[2];
        var policy = Policy with { Smoothing = 1, Gain = 0.1, MaxStepPercent = 10, ConnectionCoefficient = 0 };
        var slow = new DynamicWeightInput(1000, 0, new ServerLoadSample(TimeSpan.FromMilliseconds(15), 0));
        var fast = new DynamicWeightInput(1000, 0, new ServerLoadSample(TimeSpan.FromMilliseconds(5), 0));
        var weights = Run(policy, [slow, fast], states);

        // Mean 10 ms: the slow server's index is 1.5, step −0.1·ln 1.5 = −0.0405: 1000·e^−0.0405 = 960.
        Assert.Equal(960, weights[0]);

        // The fast one (index 0.5) would rise, but the maximum is 100 % by default.
        Assert.Equal(1000, weights[1]);
        var boosted = new DynamicWeightState[2];
        weights = Run(policy with { MaxWeightPercent = 200, Gain = 1 }, [slow, fast], boosted);

        // ±ln 1.5 and ±ln 2 are clamped to ln 1.1: 1000/1.1 and 1000·1.1.
        Assert.Equal(909, weights[0]);
        Assert.Equal(1100, weights[1]);
    }

    [Fact]
    public void Failures_AddLoad()
    {
        var states = new DynamicWeightState[2];
        var policy = Policy with { Smoothing = 1 };
        Run(policy, [new(100, 10, new ServerLoadSample(null, 0.5)), new(100, 10, new ServerLoadSample(null, 0))], states);
        Assert.Equal(2.0, states[0].LastLoad, 6);
        Assert.True(states[0].Multiplier < 1);
        Assert.Equal(1.0, states[1].Multiplier);
    }

    [Fact]
    public void WeightZero_StaysZero_NewConfiguredWeightRestarts()
    {
        var states = new DynamicWeightState[3];
        for (var i = 0; i < 10; i++)
        {
            var weights = Run(Policy, [new(100, 300), new(100, 100), new(0, 0)], states);
            Assert.Equal(0, weights[2]);
        }

        Assert.True(states[0].Multiplier < 1);
        var restarted = Run(Policy, [new(50, 0), new(100, 0), new(0, 0)], states);
        Assert.Equal(50, restarted[0]);
        Assert.Equal(1.0, states[0].Multiplier);
    }

    [Fact]
    public void SmallWeights_NeverDropToZero()
    {
        var states = new DynamicWeightState[2];
        for (var i = 0; i < 100; i++)
        {
            var weights = Run(Policy, [new(1, 500), new(1, 1)], states);
            Assert.Equal(1, weights[0]);
        }
    }

    [Fact]
    public void ClosedLoop_SlowServerSettlesLowerWithoutFlapping()
    {
        // Two servers configured equal; B has half A's capacity, so its latency grows twice as fast
        // with load. wlc-like placement: connections split in proportion to effective weights.
        var policy = new DynamicWeightsConfig { MinWeightPercent = 10 };
        var states = new DynamicWeightState[2];
        var weights = new[] { 100, 100 };
        var history = new List<int>();
        for (var interval = 0; interval < 300; interval++)
        {
            const int Connections = 1000;
            var a = Connections * weights[0] / (weights[0] + weights[1]);
            var b = Connections - a;
            var latencyA = TimeSpan.FromMilliseconds(1 + (a / 100.0));
            var latencyB = TimeSpan.FromMilliseconds(1 + (b / 50.0));
            weights = Run(policy, [new(100, a, new ServerLoadSample(latencyA, 0)), new(100, b, new ServerLoadSample(latencyB, 0))], states);
            history.Add(weights[1]);
        }

        Assert.True(weights[1] < weights[0]);
        Assert.InRange(weights[1], 40, 90);

        // Settled: the last 100 intervals do not change the weight at all.
        Assert.Single(history.Skip(200).Distinct());
    }

    [Fact]
    public void MismatchedSpans_Throw()
    {
        Assert.Throws<ArgumentException>(() => DynamicWeightCalculator.Update(Policy, new DynamicWeightInput[2], new DynamicWeightState[1], new int[2]));
    }
}
