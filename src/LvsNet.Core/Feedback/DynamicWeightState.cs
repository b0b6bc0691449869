namespace LvsNet.Core.Feedback;

/// <summary>What <see cref="DynamicWeightCalculator"/> remembers about one server between intervals.</summary>
/// <param name="ConfiguredWeight">The configured weight the state belongs to; 0 means not started, and a different weight restarts it.</param>
/// <param name="SmoothedLoad">The smoothed load index (1 = exactly the server's share).</param>
/// <param name="Multiplier">The effective weight as a fraction of the configured one.</param>
/// <param name="LastLoad">The last load index before smoothing (diagnostics).</param>
public record struct DynamicWeightState(int ConfiguredWeight, double SmoothedLoad, double Multiplier, double LastLoad)
{
    /// <summary>The largest move allowed next, in natural-log units of the multiplier (0 = not started: the policy's maximum).</summary>
    public double StepLimit { get; set; }

    /// <summary>The last move's size in log units, signed (negative = down; 0 = none yet).</summary>
    public double LastStep { get; set; }

    /// <summary>Intervals since the last move (or since the start).</summary>
    public int SinceMove { get; set; }

    /// <summary>The flap memory: +1 per reversal while seeking, +½ per reversal answering a detected change; halves every flap half-life.</summary>
    public double FlapMemory { get; set; }

    /// <summary>The smoothed absolute change of <c>ln L</c> between two settled intervals (the signal's noise).</summary>
    public double Noise { get; set; }

    /// <summary>How much of the noise estimate's smoothing has been filled (<c>1 − 0.8ⁿ</c> after n samples; divides the estimate to remove its start at 0).</summary>
    public double NoiseWeight { get; set; }

    /// <summary>Whether the signal was inside the band after the last move: a move then needs evidence that the plant moved.</summary>
    public bool Settled { get; set; }

    /// <summary>How many evaluations in a row, while seeking, found the signal inside the band (two settle the server).</summary>
    public int InsideBand { get; set; }

    /// <summary>Whether the last evaluation, while seeking, called for a reversal that waits for a second evaluation in a row.</summary>
    public bool ReversalPending { get; set; }

    /// <summary>Whether a change of the plant was detected and not yet answered by a move (the answer gets the full step and counts as half a flap).</summary>
    public bool ChangePending { get; set; }

    /// <summary>The level the server settled at: <c>ln S</c> when it settled, then the mean of <c>ln L</c> over the settled intervals (the CUSUMs measure the distance from it).</summary>
    public double Reference { get; set; }

    /// <summary>How many samples <see cref="Reference"/> is the mean of.</summary>
    public int SettledSamples { get; set; }

    /// <summary>The upper CUSUM: evidence, in log units, that the load index rose above the settled level.</summary>
    public double Rise { get; set; }

    /// <summary>The lower CUSUM: evidence, in log units, that the load index fell below the settled level.</summary>
    public double Fall { get; set; }

    /// <summary>The dead band in force at the last interval, in log units (diagnostics).</summary>
    public double Band { get; set; }

    /// <summary>Whether the last interval wanted an increase that the flap hold-down refused (diagnostics).</summary>
    public bool HeldDown { get; set; }

    /// <summary>How many reversals of direction the multiplier has made since the state started.</summary>
    public int Reversals { get; set; }
}
