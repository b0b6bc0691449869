namespace LvsNet.Core.Configuration;

/// <summary>
/// keepalived's checker timers and thresholds. The same set may be written on a virtual service's
/// <c>health_check</c>, on a real server's <c>health_check</c> and on one checker; the most specific
/// value wins (checker, then real server, then service, then the checker type's default). Null =
/// not set at this level.
/// </summary>
public sealed record HealthCheckParameters
{
    /// <summary>No value set.</summary>
    public static HealthCheckParameters Empty { get; } = new();

    /// <summary>The interval between two checks of a healthy (or already failed) server; keepalived default 60 s.</summary>
    public TimeSpan? DelayLoop { get; init; }

    /// <summary>The time one check may take (connect, request and answer); keepalived default 5 s.</summary>
    public TimeSpan? ConnectTimeout { get; init; }

    /// <summary>
    /// How many failed checks in a row are retried before an up checker is declared down: it goes
    /// down at the (retry + 1)-th consecutive failure. keepalived defaults: 1, MISC 0, DNS 3.
    /// </summary>
    public int? Retry { get; init; }

    /// <summary>The interval before a retry; keepalived defaults: 3 s for HTTP/SSL, delay_loop for DNS, 1 s otherwise.</summary>
    public TimeSpan? DelayBeforeRetry { get; init; }

    /// <summary>Consecutive successful checks a down checker needs to come back (1 = keepalived: one success suffices).</summary>
    public int? Rise { get; init; }

    /// <summary>The first check runs after a random delay below this (spreads checks out); default delay_loop, 0 = at once.</summary>
    public TimeSpan? Warmup { get; init; }

    /// <summary>keepalived's <c>alpha</c>: the checker starts down, so a server enters the pool only after a successful check.</summary>
    public bool? Alpha { get; init; }

    /// <summary>This set, with each unset value taken from <paramref name="fallback"/>.</summary>
    public HealthCheckParameters Over(HealthCheckParameters? fallback) => fallback is null ? this : new()
    {
        DelayLoop = DelayLoop ?? fallback.DelayLoop,
        ConnectTimeout = ConnectTimeout ?? fallback.ConnectTimeout,
        Retry = Retry ?? fallback.Retry,
        DelayBeforeRetry = DelayBeforeRetry ?? fallback.DelayBeforeRetry,
        Rise = Rise ?? fallback.Rise,
        Warmup = Warmup ?? fallback.Warmup,
        Alpha = Alpha ?? fallback.Alpha,
    };
}
