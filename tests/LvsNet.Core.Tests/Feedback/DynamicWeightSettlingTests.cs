using LvsNet.Core.Configuration;
using LvsNet.Core.Feedback;
using Xunit;

namespace LvsNet.Core.Tests.Feedback;

/// <summary>
/// The control law on a simulated plant (pure logic). The plant is the one of the argument in
/// docs/schedulers.md ("Why it settles"): the slow server's load index is <c>(m/m*)^k·e^ε</c>, where
/// <c>m</c> is the multiplier that was in force one interval earlier (the signals lag by one
/// interval), <c>m*</c> the balance point, <c>k</c> the plant's log-sensitivity and <c>ε</c> noise.
/// The expected behaviour comes from the argument, not from running the code: with <c>γk ≤ 1</c> and
/// a lag within the hold, moves come only at intervals 1, h+2, 2h+3, …, never reverse, and stop once
/// <c>k·|ln(m/m*)| ≤ band</c>; once settled, a move needs a CUSUM of the samples' distance from the
/// settled level beyond twice the allowance (noise alone practically never gets there, a real change
/// of the plant does within ⌈2a/(|δ| − a)⌉ intervals); whatever the plant, the flap memory bounds the
/// reversals in T intervals by <c>3 + 2T/H</c> (H = the half-life in intervals).
/// </summary>
public class DynamicWeightSettlingTests
{
    private const double Balance = 0.38;

    // The lab's policy: interval 1 s, γ = 1, steps up to 50 %, band 10 %, hold 1, half-life 60 intervals.
    private static readonly DynamicWeightsConfig Lab = new()
    {
        Interval = TimeSpan.FromSeconds(1),
        Smoothing = 0.6,
        Gain = 1,
        MaxStepPercent = 50,
        DeadBandPercent = 10,
        HoldIntervals = 1,
        NoiseBandFactor = 2,
        FlapHalfLife = TimeSpan.FromSeconds(60),
        MinWeightPercent = 10,
    };

    [Theory]
    [InlineData(0.4)]
    [InlineData(0.5)]
    [InlineData(0.7)]
    [InlineData(1.0)]
    public void StaticPlant_SettlesWithinFiveIntervals_WithoutReversal(double k)
    {
        // From 1 to 0.38 is |x₀| = 0.97 in log units. The argument's sufficient condition for three
        // moves (intervals 1, 3, 5 with hold 1): after the moves the error k·|x| is inside the band.
        // For k in [0.4, 1] the clamped-then-proportional sequence gets there (docs/schedulers.md).
        var trace = Simulate(Lab, k, intervals: 200, plant: (m, _) => Math.Pow(m / Balance, k));

        var moves = MoveIntervals(trace);
        Assert.All(moves, t => Assert.Contains(t, new[] { 1, 3, 5 }));
        Assert.True(moves.Count >= 1);

        // Monotone: every move goes down (no reversal).
        Assert.All(Enumerable.Range(1, trace.Count - 1), t => Assert.True(trace[t] <= trace[t - 1]));

        // The weight at interval 5 is the final one, and the final one is inside the band around the balance.
        var final = trace[^1];
        Assert.Equal(Weight(final), Weight(trace[5]));
        Assert.True(k * Math.Abs(Math.Log(final / Balance)) <= Math.Log(1.1) + 1e-9, $"k {k}: final {final}");
    }

    [Fact]
    public void StaticPlant_TooSensitive_BisectionStopsTheHunting()
    {
        // γk = 2.5 > 2: the plain proportional law diverges into a ±max-step limit cycle (each move
        // overshoots by 1.5 times the error). With the step halved at every reversal the moves shrink
        // geometrically, so the weight stops; with the flap memory the reversals are at most 3 + 2T/H.
        const double k = 2.5;
        var trace = Simulate(Lab, k, intervals: 120, plant: (m, _) => Math.Pow(m / Balance, k));
        var reversals = Reversals(trace);
        Assert.InRange(reversals, 1, Bound(120));
        Assert.DoesNotContain(MoveIntervals(trace), t => t > 60);
    }

    [Fact]
    public void FlappingPlant_ReversalsStayWithinTheBound_AndWithoutMemoryTheyDoNot()
    {
        // The server is three times slower for 3 intervals, then as fast as the other for 3, for 120
        // intervals: balance 0.38 or 1 in turn. Bound from the flap memory: 3 + 2T/H = 7.
        double Plant(double m, int t) => Math.Pow(m / ((t / 3 % 2 == 0) ? Balance : 1.0), 0.6);
        var damped = Simulate(Lab, 0.6, 120, Plant);
        Assert.InRange(Reversals(damped), 0, Bound(120));

        // Without the memory (half-life 0) and the noise allowance nothing limits the reversals: every
        // flap is a change of 0.58 > 3a, detected at once, and the weight follows the flapping.
        var undamped = Simulate(Lab with { FlapHalfLife = TimeSpan.Zero, NoiseBandFactor = 0 }, 0.6, 120, Plant);
        Assert.True(Reversals(undamped) > 10, $"{Reversals(undamped)} reversals without the memory");
    }

    [Fact]
    public void NoisyPlant_NoiseBandAndMemory_BoundTheReversals()
    {
        // ln L carries Gaussian noise of σ = 0.2, twice the 10 % band (ln 1.1 = 0.095): with the
        // fixed band alone a settled weight would move on most intervals. The noise band (2σ̂), the
        // evidence test and the memory keep the reversals within 3 + 2T/H over 120 intervals.
        var random = new Random(20);
        double Noise() => 0.2 * Gaussian(random);
        var noisy = Simulate(Lab, 0.6, 120, (m, _) => Math.Pow(m / Balance, 0.6) * Math.Exp(Noise()));
        Assert.InRange(Reversals(noisy), 0, Bound(120));

        random = new Random(20);
        var raw = Simulate(Lab with { NoiseBandFactor = 0, FlapHalfLife = TimeSpan.Zero }, 0.6, 120, (m, _) => Math.Pow(m / Balance, 0.6) * Math.Exp(Noise()));
        Assert.True(Reversals(raw) > 5, $"{Reversals(raw)} reversals with the fixed band and no memory");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(10)]
    public void NoisyStaticPlant_OnceSettled_NoiseAloneDoesNotMoveTheWeight(int seed)
    {
        // k = 0.5 and noise σ = 0.04 on ln L: the descent is the one of the argument (moves at 1, 3, 5;
        // evaluated at 7 and settled), and the settled error sits anywhere inside the band, up to its
        // edge, where a per-interval band test leaves the band on a large share of the intervals. The
        // evidence test's allowance is the 10 % band (0.095 ≥ 2.4σ) and its threshold twice that
        // (4.8σ): for a reference within 1.5σ of the true level (the single settling sample; it then
        // becomes the running mean) Siegmund's approximation gives an in-control run length of several
        // thousand intervals, so 300 intervals of noise do not move the weight after the descent.
        var random = new Random(seed);
        var trace = Simulate(Lab, 0.5, intervals: 300, plant: (m, _) => Math.Pow(m / Balance, 0.5) * Math.Exp(0.04 * Gaussian(random)));
        Assert.DoesNotContain(MoveIntervals(trace), t => t > 8);
        Assert.Equal(0, Reversals(trace));
    }

    [Fact]
    public void OneLuckySample_DoesNotSettleAServerOutOfBalance()
    {
        // The first sample happens to be inside the band (1.05) but the server is out of balance
        // (1.25 from then on, ln 1.25 = 0.22 > 0.095). Settling needs two evaluations in a row inside
        // the band, the second on the average (0.6·1.25 + 0.4·1.05 = 1.17, ln = 0.16, outside): the
        // weight moves at interval 2, by γ·0.16 (γ = 1).
        var state = DynamicWeightController.Start(Lab, 100, 0.1, 1);
        Step(Lab, ref state, 1.05);
        Assert.Equal(1.0, state.Multiplier);
        Assert.False(state.Settled);
        Step(Lab, ref state, 1.25);
        Assert.Equal(Math.Exp(-Math.Log((0.6 * 1.25) + (0.4 * 1.05))), state.Multiplier, 9);
    }

    [Fact]
    public void OneSampleJustPastTheBalance_DoesNotTurnTheWeightBack()
    {
        // The lab's run that missed the goal: the descent reached the balance, then one sample fell
        // just outside the band on the far side (0.90: ln = −0.105, band ln 1.1 = 0.095) and the
        // weight went back up, to be corrected again. A reversal now needs two evaluations in a row:
        // the next sample (1.05) takes the average to 0.6·1.05 + 0.4·0.90 = 0.99, inside; a third
        // inside settles the server where the descent left it.
        var state = DynamicWeightController.Start(Lab, 100, 0.1, 1);
        Step(Lab, ref state, 1.5);             // interval 1: down
        var low = state.Multiplier;
        Assert.True(low < 1);
        Step(Lab, ref state, 1.0);             // hold
        Step(Lab, ref state, 0.90);            // a reversal, waiting for a second evaluation
        Assert.Equal(low, state.Multiplier);
        Assert.True(state.ReversalPending);
        Step(Lab, ref state, 1.05);            // the average is inside: no reversal
        Assert.False(state.ReversalPending);
        Step(Lab, ref state, 1.0);             // inside again: settled
        Assert.True(state.Settled);
        Assert.Equal(low, state.Multiplier);
        Assert.Equal(0, state.Reversals);
    }

    [Fact]
    public void ARealOvershoot_IsTurnedBackOnTheSecondEvaluation_ByAtMostHalfTheStep()
    {
        // 1.5 → down by ln 1.5 (the 50 % limit); the plant answers 0.7 twice: the first evaluation
        // waits, the second (average 0.7) reverses by at most half the last step.
        var state = DynamicWeightController.Start(Lab, 100, 0.1, 1);
        Step(Lab, ref state, 1.5);
        var low = state.Multiplier;
        Step(Lab, ref state, 1.0);             // hold
        Step(Lab, ref state, 0.7);
        Assert.Equal(low, state.Multiplier);
        Step(Lab, ref state, 0.7);
        Assert.Equal(1, state.Reversals);
        Assert.Equal(low * Math.Exp(Math.Log(1.5) / 2), state.Multiplier, 9);
    }

    [Fact]
    public void SettledOutsideTheBand_TheMeanOfTheSettledSamplesMovesIt()
    {
        // Two samples inside the band settle the server (1.09, then 1.09·0.6 + … inside), then the
        // load index sits at 1.25 (0.22): each sample gains only 0.22 − r − a on the change test once
        // the running mean r has followed it, but the mean itself leaves b + a = 0.19 within a few
        // samples, which is evidence as well: the weight moves.
        var state = DynamicWeightController.Start(Lab, 100, 0.1, 1);
        Step(Lab, ref state, 1.09);
        Step(Lab, ref state, 1.09);
        Assert.True(state.Settled);
        var intervals = 0;
        while (state.Multiplier == 1.0 && intervals < 20)
        {
            Step(Lab, ref state, 1.25);
            intervals++;
        }

        Assert.InRange(intervals, 1, 10);
        Assert.True(state.Multiplier < 1.0);
    }

    [Fact]
    public void SettledPlant_RealChange_IsFollowedWithinTheDetectionBound()
    {
        // The server recovers at interval 60: its balance goes from 0.38 to 1 (max weight), so ln L
        // drops by k·ln(1/0.38) = 0.48 at once (k = 0.5). With allowance a = 0.095 the lower CUSUM
        // gains 0.48 − 0.095 = 0.39 > 2a in the first interval that sees it, so the weight rises at
        // interval 61 (⌈2a/(δ − a)⌉ = 1); the rise is a reversal answering a change (memory ½, not a
        // flap) and is not held (memory 0 before it); from 0.38 to 1 is the descent in reverse:
        // moves at 61, 63, 65, so the weight is within b/k of 1 by interval 65 and stays there.
        var trace = Simulate(Lab, 0.5, intervals: 160, plant: (m, t) => Math.Pow(m / (t <= 60 ? Balance : 1.0), 0.5));
        var moves = MoveIntervals(trace);
        Assert.DoesNotContain(moves, t => t is > 7 and <= 60);
        Assert.Equal(61, moves.First(t => t > 60));
        Assert.DoesNotContain(moves, t => t > 65);
        Assert.True(0.5 * Math.Abs(Math.Log(trace[65])) <= Math.Log(1.1) + 1e-9, $"weight {Weight(trace[65])} at interval 65");
    }

    [Fact]
    public void LateCorrection_DoesNotCountAsFlapping_RecoveryIsNotHeld()
    {
        // Settled at 0.38, the balance then moves down to 0.25 at interval 30 (a real change of
        // k·ln(0.38/0.25) = 0.21 > 2a: the weight falls once more, not a reversal) and back up to 0.38
        // at interval 60 (the
        // weight rises: one reversal answering a change, memory ½); the server recovers at interval
        // 100. The memory is then ½·2^(−40/60) < ½, so the recovery is not held: it starts in the first
        // interval after the change is detected, and the weight is back within b/k of 1 four intervals later.
        double Plant(double m, int t) => Math.Pow(m / (t <= 30 ? Balance : t <= 60 ? 0.25 : t <= 100 ? Balance : 1.0), 0.5);
        var trace = Simulate(Lab, 0.5, intervals: 160, plant: Plant);
        var moves = MoveIntervals(trace);
        Assert.Contains(moves, t => t is > 30 and <= 60);
        Assert.Contains(moves, t => t is > 60 and <= 100);
        var firstRise = moves.First(t => t > 100);
        Assert.InRange(firstRise, 101, 102);
        Assert.True(trace[firstRise] > trace[100]);
        Assert.True(0.5 * Math.Abs(Math.Log(trace[firstRise + 4])) <= Math.Log(1.1) + 1e-9, $"weight {Weight(trace[firstRise + 4])} four intervals after the recovery started");
    }

    [Fact]
    public void FlapMemory_HoldsAnIncreaseThatReversesADecrease_ForAHalfLife()
    {
        // After a reversal the memory is at least 1; an increase reversing a decrease waits until it
        // has halved to ½: one half-life (here 10 intervals), decreases are never held.
        var policy = Lab with { FlapHalfLife = TimeSpan.FromSeconds(10) };
        var state = DynamicWeightController.Start(policy, 100, 0.1, 1);
        Step(policy, ref state, 0.5);          // interval 1: up is pinned at 1 (no move)
        Step(policy, ref state, 2.0);          // down
        Assert.True(state.Multiplier < 1);
        Step(policy, ref state, 2.0);          // hold
        Step(policy, ref state, 0.5);          // up: a reversal waits for a second evaluation in a row
        Assert.Equal(0, state.Reversals);
        Step(policy, ref state, 0.5);          // up: a reversal, memory was 0, allowed
        Assert.Equal(1, state.Reversals);
        Step(policy, ref state, 1);            // hold
        Step(policy, ref state, 2.0);          // down: a reversal, confirmed next interval
        Step(policy, ref state, 2.0);          // down: a reversal, never held
        Assert.Equal(2, state.Reversals);
        var low = state.Multiplier;
        var memory = state.FlapMemory;
        Assert.True(memory > 1.5);
        var held = 0;
        while (state.Multiplier == low && held < 100)
        {
            Step(policy, ref state, 0.5);
            held++;
        }

        // It waits until memory·2^(−t/10) ≤ ½: t ≥ 10·log2(2·memory) intervals (less the hold).
        var expected = 10 * Math.Log2(2 * memory);
        Assert.InRange(held, expected - 1, expected + 2);
    }

    private static void Step(DynamicWeightsConfig policy, ref DynamicWeightState state, double load) =>
        DynamicWeightController.Step(policy, load, ref state, policy.MinWeightPercent / 100.0, policy.MaxWeightPercent / 100.0);

    // trace[t] = the multiplier after interval t (trace[0] = 1, before the first interval).
    private static List<double> Simulate(DynamicWeightsConfig policy, double k, int intervals, Func<double, int, double> plant)
    {
        _ = k;
        var state = DynamicWeightController.Start(policy, 100, policy.MinWeightPercent / 100.0, policy.MaxWeightPercent / 100.0);
        var trace = new List<double> { state.Multiplier };
        for (var t = 1; t <= intervals; t++)
        {
            // The signals of interval t saw the multiplier in force during interval t − 1.
            var load = plant(trace[t - 1], t);
            Step(policy, ref state, load);
            trace.Add(state.Multiplier);
        }

        return trace;
    }

    // The reversal bound of docs/schedulers.md: 3 + 2T/H (every reversal adds at least ½ to the memory).
    private static int Bound(int intervals) => 3 + (2 * intervals / 60);

    private static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static int Weight(double multiplier) => DynamicWeightCalculator.EffectiveWeight(100, multiplier);

    private static List<int> MoveIntervals(List<double> trace) =>
        [.. Enumerable.Range(1, trace.Count - 1).Where(t => trace[t] != trace[t - 1])];

    private static int Reversals(List<double> trace)
    {
        var reversals = 0;
        var last = 0;
        for (var t = 1; t < trace.Count; t++)
        {
            var direction = Math.Sign(trace[t] - trace[t - 1]);
            if (direction != 0 && last != 0 && direction != last)
            {
                reversals++;
            }

            last = direction == 0 ? last : direction;
        }

        return reversals;
    }
}
