using System.Collections.Immutable;

namespace LvsNet.Core.Configuration;

/// <summary>
/// A virtual service's <c>health_check</c>: the checkers every real server gets (unless it
/// overrides them), their timers, and what a failure does (keepalived's per-virtual-server
/// <c>delay_loop</c>, <c>retry</c>, … and <c>inhibit_on_failure</c>).
/// </summary>
public sealed record HealthCheckConfig
{
    /// <summary>Timers and thresholds for every checker of the service.</summary>
    public HealthCheckParameters Parameters { get; init; } = HealthCheckParameters.Empty;

    /// <summary>keepalived <c>inhibit_on_failure</c>: a failed server stays in the pool with weight 0 instead of being removed.</summary>
    public bool InhibitOnFailure { get; init; }

    /// <summary>The checkers of every real server; a server is up while all of them are up.</summary>
    public ImmutableArray<CheckerConfig> Checks { get; init; } = [];

    /// <summary>keepalived <c>notify_up</c>: a command (<c>/bin/sh -c</c>) run when a real server comes up.</summary>
    public string? NotifyUp { get; init; }

    /// <summary>keepalived <c>notify_down</c>: a command run when a real server goes down.</summary>
    public string? NotifyDown { get; init; }

    /// <summary>
    /// keepalived <c>omega</c>: when the daemon stops, run notify_down for every server that is up
    /// and quorum_down for the service if its quorum is up, as if everything went down.
    /// </summary>
    public bool Omega { get; init; }

    /// <summary>
    /// keepalived <c>ha_suspend</c>: the checkers of this service pause while the director is not the
    /// active (VRRP master) director; see <c>HealthMonitor.SetDirectorActive</c>.
    /// </summary>
    public bool HaSuspend { get; init; }

    /// <summary>Value equality, checkers included.</summary>
    public bool Equals(HealthCheckConfig? other) =>
        other is not null
        && Parameters == other.Parameters
        && InhibitOnFailure == other.InhibitOnFailure
        && HealthConfigEquality.SequenceEqual(Checks, other.Checks)
        && NotifyUp == other.NotifyUp
        && NotifyDown == other.NotifyDown
        && Omega == other.Omega
        && HaSuspend == other.HaSuspend;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Parameters, InhibitOnFailure, Checks.IsDefault ? 0 : Checks.Length, NotifyUp, NotifyDown);
}
