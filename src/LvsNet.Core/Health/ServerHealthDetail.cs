namespace LvsNet.Core.Health;

/// <summary>The checking of one real server right now, for listings and diagnostics (<see cref="HealthMonitor.Describe"/>).</summary>
public sealed record ServerHealthDetail
{
    /// <summary>The real server.</summary>
    public required RealServerKey Server { get; init; }

    /// <summary>Up or down.</summary>
    public required HealthState State { get; init; }

    /// <summary>When it entered <see cref="State"/> (the monitor's start for a server that never changed).</summary>
    public required DateTimeOffset Since { get; init; }

    /// <summary>Why it is in <see cref="State"/>.</summary>
    public required string Reason { get; init; }

    /// <summary>The weight a dynamic MISC_CHECK set, or null.</summary>
    public int? Weight { get; init; }

    /// <summary>Times the server went up (after being down) since it is monitored.</summary>
    public long TimesUp { get; init; }

    /// <summary>Times the server went down since it is monitored.</summary>
    public long TimesDown { get; init; }

    /// <summary>Its checkers.</summary>
    public required IReadOnlyList<CheckerDetail> Checkers { get; init; }
}

/// <summary>One checker of a real server right now.</summary>
public sealed record CheckerDetail
{
    /// <summary>"http_get /health".</summary>
    public required string Checker { get; init; }

    /// <summary>The checker type.</summary>
    public required string Kind { get; init; }

    /// <summary>Where it probes ("10.0.0.11:80", "10.0.0.100:80 via 10.0.0.11").</summary>
    public required string Target { get; init; }

    /// <summary>The checker's verdict.</summary>
    public bool IsUp { get; init; }

    /// <summary>Failures of an up checker not yet acted on (the retries in progress).</summary>
    public int PendingFailures { get; init; }

    /// <summary>Checks run.</summary>
    public long Checks { get; init; }

    /// <summary>Checks failed.</summary>
    public long Failures { get; init; }

    /// <summary>When the last check finished, or null before the first.</summary>
    public DateTimeOffset? LastCheckAt { get; init; }

    /// <summary>The last check's message, or null before the first.</summary>
    public string? LastMessage { get; init; }

    /// <summary>The last check's latency, or null.</summary>
    public TimeSpan? LastLatency { get; init; }
}
