namespace LvsNet.Core.Configuration;

/// <summary>
/// A virtual service's dynamic-feedback weight policy (YAML <c>dynamic_weights</c>): how the
/// effective weights the schedulers use are derived from measured load. See
/// <c>Feedback.DynamicWeightCalculator</c> for the formula and docs/schedulers.md for guidance.
/// </summary>
public sealed record DynamicWeightsConfig
{
    /// <summary>Whether the policy runs; false keeps the settings but uses the configured weights.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>The lowest effective weight, in percent of the configured weight (1..100).</summary>
    public int MinWeightPercent { get; init; } = 10;

    /// <summary>The highest effective weight, in percent of the configured weight (100..1000).</summary>
    public int MaxWeightPercent { get; init; } = 100;

    /// <summary>How often the weights are recomputed (1 s .. 1 h).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The EWMA weight of the newest load sample, in (0, 1]: 1 = no smoothing.</summary>
    public double Smoothing { get; init; } = 0.3;

    /// <summary>The feedback gain <c>γ</c> of the move <c>ln m ← ln m − γ·ln S</c>, in (0, 2]; settles without overshoot while γ times the load index's log-sensitivity is at most 1.</summary>
    public double Gain { get; init; } = 0.5;

    /// <summary>The largest change of the effective weight per move, in percent of its current value (1..100).</summary>
    public int MaxStepPercent { get; init; } = 25;

    /// <summary>The hysteresis band: no change while the smoothed load index is within this many percent of balanced (0..50).</summary>
    public int DeadBandPercent { get; init; } = 5;

    /// <summary>
    /// How many intervals after a move the weight holds before it may move again (0..10): the signals
    /// need that long to reflect the new weight (the health checks' latency is a moving mean).
    /// </summary>
    public int HoldIntervals { get; init; } = 1;

    /// <summary>
    /// The dead band widens to this many standard deviations of the load signal's measured noise
    /// (0..10; 0 = the fixed band only), so noise alone does not move a weight.
    /// </summary>
    public double NoiseBandFactor { get; init; } = 2.0;

    /// <summary>
    /// The half-life of the flap memory (0 .. 1 h; 0 disables the hold-down): every reversal of a
    /// weight's direction adds 1 to the memory, and an increase that reverses a decrease waits until
    /// the memory has decayed to ½.
    /// </summary>
    public TimeSpan FlapHalfLife { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The weight of the active-connection signal in the load index (≥ 0; 0 ignores it).</summary>
    public double ConnectionCoefficient { get; init; } = 1.0;

    /// <summary>The weight of the probe-latency signal in the load index (≥ 0; 0 ignores it).</summary>
    public double LatencyCoefficient { get; init; } = 1.0;

    /// <summary>
    /// The weight of the SYN-to-established signal in the load index (≥ 0; 0 ignores it): the mean
    /// time from a client's SYN to its connection becoming established, measured by the director for
    /// NAT and FULLNAT servers (it sees both directions), relative to the other servers' mean.
    /// </summary>
    public double HandshakeCoefficient { get; init; }

    /// <summary>How much load a probe failure ratio of 1 adds to the load index (≥ 0).</summary>
    public double FailureCoefficient { get; init; } = 2.0;
}
