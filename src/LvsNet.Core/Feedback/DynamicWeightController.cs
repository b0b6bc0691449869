using LvsNet.Core.Configuration;

namespace LvsNet.Core.Feedback;

/// <summary>
/// The control law of the dynamic weights: given one server's load index for an interval, moves its
/// weight multiplier. Pure; the argument for why it settles and does not oscillate is in
/// docs/schedulers.md ("Why it settles" and "Why it does not oscillate").
/// </summary>
/// <remarks>
/// In log units (<c>x = ln m</c>, <c>e = ln S</c>), per interval:
/// <list type="number">
/// <item>Hold: for <c>h</c> = hold_intervals intervals after a move nothing moves, and the first
/// interval after the hold restarts the smoothing from the fresh sample (<c>S = L</c>), so a move
/// is always decided on a signal that has seen the previous move.</item>
/// <item>Band: <c>b = max(ln(1 + d), z·σ̂)</c>, the fixed dead band or <c>z</c> standard deviations
/// of the measured noise of <c>ln S</c>, whichever is wider. Inside it nothing moves.</item>
/// <item>Move: <c>Δ = clamp(−γ·e, ±u)</c>, <c>x ← x + Δ</c>. The limit <c>u</c> starts at
/// <c>ln(1 + max_step)</c>; a move opposite to the previous one (a reversal) halves the previous
/// move's size into <c>u</c> (the balance lies inside the last step: bisection); a move in the same
/// direction doubles <c>u</c> back towards its maximum.</item>
/// <item>Flap hold-down: every reversal adds 1 to the flap memory <c>P</c>, which halves every flap
/// half-life; an increase that reverses a decrease waits while <c>P &gt; ½</c>. Decreases are
/// never held (fast decrease, slow recovery).</item>
/// </list>
/// </remarks>
internal static class DynamicWeightController
{
    // E|X − Y| = 2σ/√π for two independent normal samples: the mean absolute change estimates σ·1.128.
    private const double AbsoluteChangePerSigma = 1.1283791670955126;

    // The noise estimate's own smoothing (about the last 5 settled intervals).
    private const double NoiseSmoothing = 0.2;

    // An increase that reverses a decrease waits until the flap memory is at most this.
    internal const double FlapThreshold = 0.5;

    // Load indexes are positive; a floor keeps the logarithm finite for a server with nothing at all.
    private const double LoadFloor = 1e-3;

    /// <summary>The starting state for a server (multiplier 1 clamped, full step, first interval evaluates).</summary>
    public static DynamicWeightState Start(DynamicWeightsConfig policy, int configuredWeight, double min, double max) =>
        new(configuredWeight, 1.0, Math.Clamp(1.0, min, max), 1.0)
        {
            StepLimit = MaxStep(policy),
            SinceMove = policy.HoldIntervals,
        };

    /// <summary>The largest move, in log units: <c>ln(1 + max_step_percent/100)</c>.</summary>
    public static double MaxStep(DynamicWeightsConfig policy) => Math.Log(1 + (policy.MaxStepPercent / 100.0));

    /// <summary>The flap memory's decay per interval: <c>2^(−interval / half-life)</c> (0 with no half-life: no memory).</summary>
    public static double FlapDecay(DynamicWeightsConfig policy) =>
        policy.FlapHalfLife <= TimeSpan.Zero ? 0 : Math.Pow(2, -policy.Interval.TotalSeconds / policy.FlapHalfLife.TotalSeconds);

    /// <summary>One interval of one server.</summary>
    /// <param name="policy">The service's policy.</param>
    /// <param name="load">This interval's load index <c>L</c>.</param>
    /// <param name="state">The server's state, updated in place.</param>
    /// <param name="min">The lowest multiplier.</param>
    /// <param name="max">The highest multiplier.</param>
    public static void Step(DynamicWeightsConfig policy, double load, ref DynamicWeightState state, double min, double max)
    {
        var hold = policy.HoldIntervals;
        var smoothing = Math.Clamp(policy.Smoothing, double.Epsilon, 1.0);
        var logLoad = Math.Log(Math.Max(load, LoadFloor));
        var previousLogLoad = Math.Log(Math.Max(state.LastLoad, LoadFloor));
        state.SinceMove = state.SinceMove >= int.MaxValue - 1 ? state.SinceMove : state.SinceMove + 1;
        state.HeldDown = false;

        // Noise: only from two samples that were both taken after the last move had taken effect, so
        // the controller's own moves are not mistaken for noise.
        if (state.SinceMove > hold + 2)
        {
            state.Noise = (NoiseSmoothing * Math.Abs(logLoad - previousLogLoad)) + ((1 - NoiseSmoothing) * state.Noise);
        }

        state.LastLoad = load;
        var fresh = state.SinceMove <= hold + 1;
        state.SmoothedLoad = fresh ? load : (smoothing * load) + ((1 - smoothing) * state.SmoothedLoad);
        state.FlapMemory *= FlapDecay(policy);

        // σ of ln S: σ of ln L, reduced by the EWMA (σ·√(s/(2 − s))) once it has more than one sample.
        var sigma = state.Noise / AbsoluteChangePerSigma;
        if (!fresh)
        {
            sigma *= Math.Sqrt(smoothing / (2 - smoothing));
        }

        state.Band = Math.Max(Math.Log(1 + (policy.DeadBandPercent / 100.0)), policy.NoiseBandFactor * sigma);
        var error = Math.Log(Math.Max(state.SmoothedLoad, LoadFloor));
        if (state.SinceMove <= hold || Math.Abs(error) <= state.Band)
        {
            return;
        }

        var limit = state.StepLimit > 0 ? state.StepLimit : MaxStep(policy);
        var step = Math.Clamp(-policy.Gain * error, -limit, limit);
        var reversal = state.LastStep != 0 && Math.Sign(step) != Math.Sign(state.LastStep);
        if (reversal && step > 0 && state.FlapMemory > FlapThreshold)
        {
            // Slow recovery: an increase right after decreases waits for the flap memory to fade.
            state.HeldDown = true;
            return;
        }

        if (reversal)
        {
            // The balance lies inside the last step: go back at most half of it.
            limit = Math.Min(limit, Math.Abs(state.LastStep) / 2);
            step = Math.Clamp(step, -limit, limit);
        }

        var multiplier = Math.Clamp(state.Multiplier * Math.Exp(step), min, max);
        if (multiplier == state.Multiplier)
        {
            // Pinned at a bound: not a move.
            return;
        }

        state.Multiplier = multiplier;
        state.StepLimit = reversal ? limit : Math.Min(MaxStep(policy), 2 * limit);
        state.LastStep = step;
        state.SinceMove = 0;
        if (reversal)
        {
            state.FlapMemory += 1;
            state.Reversals++;
        }
    }
}
