namespace LvsNet.Core.Health;

/// <summary>How the <see cref="HealthMonitor"/> runs its checks (not part of the YAML file).</summary>
public sealed record HealthMonitorOptions
{
    /// <summary>The most checks in flight at once across every server; more wait their turn (default 64).</summary>
    public int MaxConcurrentChecks { get; init; } = 64;

    /// <summary>
    /// The random spread of every delay_loop interval, as a fraction (default 0.05 = ±5%), so that
    /// checks that ended together (a shared timeout) do not stay in lockstep. Retries are not spread.
    /// </summary>
    public double Jitter { get; init; } = 0.05;

    /// <summary>Send probes from the director's address (default true); tests probing loopback turn it off.</summary>
    public bool BindToDirectorAddress { get; init; } = true;

    /// <summary>The seed of the jitter and warmup random source; null = random.</summary>
    public int? Seed { get; init; }

    /// <summary>How long a notify or quorum command may run before it is killed (default 30 s).</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How many recent results per server feed the dynamic-weight load signal (default 10).</summary>
    public int LoadWindow { get; init; } = 10;
}
