using System.Collections.Immutable;

namespace LvsNet.Core.Configuration;

/// <summary>
/// A real server's own <c>health_check</c>: overrides of the service's timers, checkers and failure
/// action for this server only (keepalived's per-real_server settings). Unset values are inherited.
/// </summary>
public sealed record RealServerHealthCheckConfig
{
    /// <summary>False exempts this server from checks: it is always considered up.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Timers and thresholds for this server's checkers (over the service's).</summary>
    public HealthCheckParameters Parameters { get; init; } = HealthCheckParameters.Empty;

    /// <summary>Overrides the service's <c>inhibit_on_failure</c>; null = inherited.</summary>
    public bool? InhibitOnFailure { get; init; }

    /// <summary>Checkers that replace the service's for this server; empty = the service's.</summary>
    public ImmutableArray<CheckerConfig> Checks { get; init; } = [];

    /// <summary>Overrides the service's <c>notify_up</c>; null = inherited.</summary>
    public string? NotifyUp { get; init; }

    /// <summary>Overrides the service's <c>notify_down</c>; null = inherited.</summary>
    public string? NotifyDown { get; init; }

    /// <summary>Value equality, checkers included.</summary>
    public bool Equals(RealServerHealthCheckConfig? other) =>
        other is not null
        && Enabled == other.Enabled
        && Parameters == other.Parameters
        && InhibitOnFailure == other.InhibitOnFailure
        && HealthConfigEquality.SequenceEqual(Checks, other.Checks)
        && NotifyUp == other.NotifyUp
        && NotifyDown == other.NotifyDown;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Enabled, Parameters, InhibitOnFailure, Checks.IsDefault ? 0 : Checks.Length, NotifyUp, NotifyDown);
}
