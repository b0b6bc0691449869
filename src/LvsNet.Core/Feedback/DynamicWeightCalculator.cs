using LvsNet.Core.Configuration;

namespace LvsNet.Core.Feedback;

/// <summary>
/// The dynamic-feedback weight formula (LVS "动态反馈负载均衡", after Wensong Zhang's feedback loop
/// <c>W ← W + A·∛(0.95 − load)</c>, with relative signals and a control law that provably settles). Pure: state in, state out, no
/// clock; <see cref="DynamicWeightDriver"/> calls it once per interval.
/// </summary>
/// <remarks>
/// For every server <c>i</c> with a base weight <c>Bᵢ = Wᵢ·pᵢ &gt; 0</c> (configured weight times
/// the agent's factor <c>pᵢ</c>, 1 without an agent), per interval:
/// <list type="number">
/// <item>Connection index <c>cᵢ = (Aᵢ + 1) / (A·Bᵢ/B + 1)</c>: its active connections against its
/// weighted share of all active connections <c>A</c> (<c>B</c> = sum of base weights); 1 when
/// balanced or idle. With one server it is 1.</item>
/// <item>Latency index <c>lᵢ = latencyᵢ / mean latency</c> over the servers that reported one,
/// when at least two did; otherwise absent.</item>
/// <item>Load <c>Lᵢ = (α·cᵢ + β·lᵢ) / (α + β) + φ·failureRatioᵢ</c> (terms without data drop out of
/// the mean; 1 when no signal remains).</item>
/// <item>The multiplier <c>mᵢ</c> moves by <see cref="DynamicWeightController"/>'s law (log-proportional
/// step, hold after a move, noise-relative dead band, step halving on reversal, flap hold-down),
/// clamped to [min%, max%]; the effective weight is <c>max(1, round(mᵢ·Bᵢ))</c>.</item>
/// </list>
/// A restart (first interval, or a new configured weight) sets <c>m = 1</c>. Weight-0 servers keep
/// effective weight 0; a server its agent drains (<c>pᵢ = 0</c>) gets 0 and its state is frozen
/// until the agent lets it back.
/// </remarks>
public static class DynamicWeightCalculator
{
    /// <summary>Computes one interval.</summary>
    /// <param name="policy">The service's policy.</param>
    /// <param name="inputs">One input per server, in any fixed order.</param>
    /// <param name="states">The servers' states, same order; updated in place (a default state starts fresh).</param>
    /// <param name="effectiveWeights">Receives the effective weight of each server.</param>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void Update(DynamicWeightsConfig policy, ReadOnlySpan<DynamicWeightInput> inputs, Span<DynamicWeightState> states, Span<int> effectiveWeights)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (states.Length != inputs.Length || effectiveWeights.Length != inputs.Length)
        {
            throw new ArgumentException("inputs, states and weights must have the same length");
        }

        long totalActive = 0;
        double totalWeight = 0;
        var eligible = 0;
        double latencySum = 0;
        var latencyCount = 0;
        double handshakeSum = 0;
        var handshakeCount = 0;
        foreach (var input in inputs)
        {
            if (input.BaseWeight <= 0)
            {
                continue;
            }

            eligible++;
            totalActive += Math.Max(0, input.ActiveConnections);
            totalWeight += input.BaseWeight;
            if (input.Sample?.Latency is { } latency && latency > TimeSpan.Zero)
            {
                latencySum += latency.TotalMilliseconds;
                latencyCount++;
            }

            if (input.Handshake is { } handshake && handshake > TimeSpan.Zero)
            {
                handshakeSum += handshake.TotalMilliseconds;
                handshakeCount++;
            }
        }

        var means = new Means(latencyCount >= 2 ? latencySum / latencyCount : 0, handshakeCount >= 2 ? handshakeSum / handshakeCount : 0);
        var min = policy.MinWeightPercent / 100.0;
        var max = policy.MaxWeightPercent / 100.0;
        for (var i = 0; i < inputs.Length; i++)
        {
            var input = inputs[i];
            ref var state = ref states[i];
            if (input.ConfiguredWeight <= 0)
            {
                state = default;
                effectiveWeights[i] = 0;
                continue;
            }

            if (state.ConfiguredWeight != input.ConfiguredWeight)
            {
                state = DynamicWeightController.Start(policy, input.ConfiguredWeight, min, max);
            }

            if (input.BaseWeight <= 0)
            {
                // Drained by its agent: no share to measure against; resume where it stopped.
                effectiveWeights[i] = 0;
                continue;
            }

            var load = LoadIndex(policy, input, eligible, totalActive, totalWeight, means);
            DynamicWeightController.Step(policy, load, ref state, min, max);
            effectiveWeights[i] = EffectiveWeight(input.ConfiguredWeight, state.Multiplier * input.AgentFactor);
        }
    }

    /// <summary><c>max(1, round(multiplier · configured))</c>, or 0 for a quiescent server.</summary>
    public static int EffectiveWeight(int configuredWeight, double multiplier) =>
        configuredWeight <= 0 ? 0 : (int)Math.Max(1, Math.Min(int.MaxValue, Math.Round(multiplier * configuredWeight, MidpointRounding.AwayFromZero)));

    private static double LoadIndex(DynamicWeightsConfig policy, DynamicWeightInput input, int eligible, long totalActive, double totalWeight, Means means)
    {
        double sum = 0;
        double coefficients = 0;
        if (policy.ConnectionCoefficient > 0)
        {
            var connections = 1.0;
            if (eligible >= 2)
            {
                var expected = totalActive * input.BaseWeight / totalWeight;
                connections = (Math.Max(0, input.ActiveConnections) + 1.0) / (expected + 1.0);
            }

            sum += policy.ConnectionCoefficient * connections;
            coefficients += policy.ConnectionCoefficient;
        }

        if (policy.LatencyCoefficient > 0 && means.Latency > 0 && input.Sample?.Latency is { } latency && latency > TimeSpan.Zero)
        {
            sum += policy.LatencyCoefficient * (latency.TotalMilliseconds / means.Latency);
            coefficients += policy.LatencyCoefficient;
        }

        if (policy.HandshakeCoefficient > 0 && means.Handshake > 0 && input.Handshake is { } handshake && handshake > TimeSpan.Zero)
        {
            sum += policy.HandshakeCoefficient * (handshake.TotalMilliseconds / means.Handshake);
            coefficients += policy.HandshakeCoefficient;
        }

        var load = coefficients > 0 ? sum / coefficients : 1.0;
        if (input.Sample is { } sample)
        {
            load += policy.FailureCoefficient * Math.Clamp(sample.FailureRatio, 0, 1);
        }

        return load;
    }

    // The mean probe latency and mean handshake time over the servers reporting one (0 = fewer than two did).
    private readonly record struct Means(double Latency, double Handshake);
}
