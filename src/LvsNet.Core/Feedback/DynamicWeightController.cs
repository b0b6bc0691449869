using LvsNet.Core.Configuration;

namespace LvsNet.Core.Feedback;

/// <summary>
/// The control law of the dynamic weights: given one server's load index for an interval, moves its
/// weight multiplier. Pure; the argument for why it settles, stays settled and does not oscillate is
/// in docs/schedulers.md ("Why it settles", "Why it stays settled" and "Why it does not oscillate").
/// </summary>
/// <remarks>
/// In log units (<c>x = ln m</c>, <c>e = ln S</c>), per interval:
/// <list type="number">
/// <item>Hold: for <c>h</c> = hold_intervals intervals after a move nothing moves, and the first
/// interval after the hold restarts the smoothing from the fresh sample (<c>S = L</c>), so a move
/// is always decided on a signal that has seen the previous move.</item>
/// <item>Band: <c>b = max(ln(1 + d), z·σ̂)</c>, the fixed dead band or <c>z</c> standard deviations
/// of the measured noise of <c>ln S</c>, whichever is wider.</item>
/// <item>Seeking (after a start or a detected change): inside the band on two evaluations in a row
/// the server is settled at the reference <c>r = ln S</c>; outside it moves <c>Δ = clamp(−γ·e, ±u)</c>.
/// The limit <c>u</c> starts at <c>ln(1 + max_step)</c>; a move opposite to the previous one (a
/// reversal: an overshoot) is made only when two evaluations in a row call for it, and halves the
/// previous move's size into <c>u</c> (bisection); a move in the same direction doubles <c>u</c>
/// back towards its maximum.</item>
/// <item>Settled: nothing moves until a two-sided CUSUM of the fresh samples' distance from
/// <c>r</c> (then the running mean of the settled samples), with allowance <c>a = max(ln(1 + d), z·σ̂_L)</c>, exceeds <c>2a</c> (evidence that the
/// plant moved, not one noisy interval). Then, if <c>|e| &gt; b</c>, the server moves as in seeking,
/// with the full step limit (the balance is no longer inside the last step); otherwise it settles
/// again at the new level.</item>
/// <item>Flap hold-down: a reversal while seeking adds 1 to the flap memory <c>P</c>, a reversal
/// after a detected change adds ½; <c>P</c> halves every flap half-life; an increase that reverses a
/// decrease waits while <c>P &gt; ½</c>. Decreases are never held.</item>
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

    // What a reversal adds to the flap memory: an overshoot while seeking counts as a flap, the
    // answer to a detected change of the plant as half of one (one alone never holds an increase).
    internal const double SeekingReversal = 1.0;
    internal const double ChangeReversal = 0.5;

    // The CUSUM's decision threshold, in allowances.
    internal const double EvidenceThreshold = 2.0;

    // Load indexes are positive; a floor keeps the logarithm finite for a server with nothing at all.
    private const double LoadFloor = 1e-3;

    /// <summary>The starting state for a server (multiplier 1 clamped, full step, seeking, first interval evaluates).</summary>
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

        state.LastLoad = load;
        var fresh = state.SinceMove <= hold + 1;
        state.SmoothedLoad = fresh ? load : (smoothing * load) + ((1 - smoothing) * state.SmoothedLoad);
        state.FlapMemory *= FlapDecay(policy);

        // σ of ln L, from the intervals before this one (this sample is judged against it, so a change
        // of the plant does not widen its own test); σ of ln S is reduced by the EWMA (σ·√(s/(2 − s)))
        // once it has more than one sample. The estimate is bias-corrected (it starts at 0), so the
        // first settled intervals do not see a band narrower than the noise.
        var sampleSigma = state.NoiseWeight > 0 ? state.Noise / state.NoiseWeight / AbsoluteChangePerSigma : 0;
        var sigma = fresh ? sampleSigma : sampleSigma * Math.Sqrt(smoothing / (2 - smoothing));
        var fixedBand = Math.Log(1 + (policy.DeadBandPercent / 100.0));
        state.Band = Math.Max(fixedBand, policy.NoiseBandFactor * sigma);
        var error = Math.Log(Math.Max(state.SmoothedLoad, LoadFloor));
        if (state.SinceMove <= hold)
        {
            return;
        }

        var measureNoise = state.SinceMove > hold + 2;
        if (state.Settled)
        {
            // Settled: a move needs evidence that the plant moved away from the level it settled at.
            var allowance = Math.Max(fixedBand, policy.NoiseBandFactor * sampleSigma);
            var distance = logLoad - state.Reference;
            state.Rise = Math.Max(0, state.Rise + distance - allowance);
            state.Fall = Math.Max(0, state.Fall - distance - allowance);

            // The reference is the mean of the settled samples so far: its own noise shrinks as 1/√n,
            // and a slow drift still shows (the mean lags it by half its size).
            state.SettledSamples++;
            state.Reference += (logLoad - state.Reference) / state.SettledSamples;

            // The settled level itself, measured by that mean, more than one allowance outside the
            // band: the server settled on lucky samples; that is evidence too.
            var outside = Math.Abs(state.Reference) > state.Band + allowance;
            if (!outside && Math.Max(state.Rise, state.Fall) <= EvidenceThreshold * allowance)
            {
                UpdateNoise(ref state, logLoad, previousLogLoad, measureNoise);
                return;
            }

            // The plant moved: this sample's jump is the change, not noise. Seek again from this
            // sample (the smoothed past is the old plant's); the move that answers the change is not
            // an overshoot (until it is made, even if held down).
            state.Settled = false;
            state.ChangePending = true;
            state.SmoothedLoad = load;
            error = logLoad;
            state.Band = Math.Max(fixedBand, policy.NoiseBandFactor * sampleSigma);
        }
        else
        {
            UpdateNoise(ref state, logLoad, previousLogLoad, measureNoise);
        }

        if (Math.Abs(error) <= state.Band)
        {
            // Settled only on two evaluations in a row inside the band (the second on the average of
            // both samples): one lucky sample of a server that is out of balance does not settle it.
            state.ReversalPending = false;
            state.InsideBand++;
            if (state.InsideBand >= 2)
            {
                Settle(ref state, error);
            }

            return;
        }

        state.InsideBand = 0;

        var change = state.ChangePending;
        var limit = change || state.StepLimit <= 0 ? MaxStep(policy) : state.StepLimit;
        var step = Math.Clamp(-policy.Gain * error, -limit, limit);
        var reversal = state.LastStep != 0 && Math.Sign(step) != Math.Sign(state.LastStep);
        if (reversal && !change && !state.ReversalPending)
        {
            // An overshoot is believed on two evaluations in a row (the second on the average of both
            // samples), as a settle is: one sample just outside the band, on the far side of a
            // balance the last step reached, does not turn the weight back.
            state.ReversalPending = true;
            return;
        }

        if (reversal && step > 0 && state.FlapMemory > FlapThreshold)
        {
            // Slow recovery: an increase right after decreases waits for the flap memory to fade. A
            // settled server keeps its evidence and tries again next interval; a confirmed reversal
            // stays confirmed while it waits.
            state.HeldDown = true;
            return;
        }

        state.ReversalPending = false;

        if (reversal && !change)
        {
            // An overshoot: the balance lies inside the last step, go back at most half of it.
            limit = Math.Min(limit, Math.Abs(state.LastStep) / 2);
            step = Math.Clamp(step, -limit, limit);
        }

        var multiplier = Math.Clamp(state.Multiplier * Math.Exp(step), min, max);
        if (multiplier == state.Multiplier)
        {
            // Pinned at a bound: not a move; the server stays where it is until the plant moves.
            Settle(ref state, error);
            return;
        }

        state.Multiplier = multiplier;
        state.StepLimit = reversal && !change ? limit : Math.Min(MaxStep(policy), 2 * limit);
        state.LastStep = step;
        state.SinceMove = 0;
        state.Settled = false;
        state.ChangePending = false;
        state.InsideBand = 0;
        if (reversal)
        {
            state.FlapMemory += change ? ChangeReversal : SeekingReversal;
            state.Reversals++;
        }
    }

    // Noise: only from two samples that were both taken after the last move had taken effect, so the
    // controller's own moves are not mistaken for noise.
    private static void UpdateNoise(ref DynamicWeightState state, double logLoad, double previousLogLoad, bool measure)
    {
        if (measure)
        {
            state.Noise = (NoiseSmoothing * Math.Abs(logLoad - previousLogLoad)) + ((1 - NoiseSmoothing) * state.Noise);
            state.NoiseWeight = NoiseSmoothing + ((1 - NoiseSmoothing) * state.NoiseWeight);
        }
    }

    // Nothing to correct: remember the level the signal settled at and start collecting evidence afresh.
    private static void Settle(ref DynamicWeightState state, double error)
    {
        state.Settled = true;
        state.ChangePending = false;
        state.InsideBand = 0;
        state.Reference = error;
        state.SettledSamples = 1;
        state.Rise = 0;
        state.Fall = 0;
    }
}
