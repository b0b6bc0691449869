namespace LvsNet.Core.Configuration;

/// <summary>
/// One checker of a real server (an item of <c>health_check.checks</c>): what to probe and how.
/// A real server is up only while every one of its checkers is up (keepalived).
/// </summary>
public abstract record CheckerConfig
{
    /// <summary>The checker type, one of <see cref="CheckerKinds"/>.</summary>
    public abstract string Kind { get; }

    /// <summary>Timers and thresholds set on this checker (override the server's and the service's).</summary>
    public HealthCheckParameters Parameters { get; init; } = HealthCheckParameters.Empty;

    /// <summary>keepalived <c>connect_ip</c>: probe this address instead of the real server's; null = the real server.</summary>
    public uint? ConnectAddress { get; init; }

    /// <summary>keepalived <c>connect_port</c>: probe this port instead of the real server's; null = the real server's port.</summary>
    public ushort? ConnectPort { get; init; }

    /// <summary>
    /// Probe the VIP through the real server (dr and tun real servers on the director's segment): the
    /// probe's packets go to the real server's MAC with the VIP as destination, so a success proves
    /// that the server really serves the VIP. Needs policy routing on the director (see docs/health-checks.md).
    /// </summary>
    public bool ViaVirtualAddress { get; init; }

    /// <summary>The number of retries when none is configured (keepalived: 1; MISC 0; DNS 3).</summary>
    public virtual int DefaultRetry => 1;

    /// <summary>The delay before a retry when none is configured (keepalived: 1 s; HTTP/SSL 3 s; DNS delay_loop).</summary>
    public virtual TimeSpan DefaultDelayBeforeRetry(TimeSpan delayLoop) => TimeSpan.FromSeconds(1);

    /// <summary>True when the checker probes a port (false for PING and FILE, which need no connect_port).</summary>
    public virtual bool UsesPort => true;

    /// <summary>True when a passing check may set the server's weight (MISC with misc_dynamic, FILE with a weight).</summary>
    public virtual bool SetsWeight => false;

    /// <summary>
    /// True when the checker itself waits the whole connect_timeout and then decides (UDP without
    /// require_reply: silence means up), so the monitor must not count that wait as a timeout.
    /// </summary>
    public virtual bool WaitsFullTimeout => false;

    /// <summary>A short description for logs ("http_get /health").</summary>
    public virtual string Describe() => Kind;
}
