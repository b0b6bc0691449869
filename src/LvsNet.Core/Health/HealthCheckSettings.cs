using System.Collections.Immutable;
using LvsNet.Core.Configuration;
using LvsNet.Core.Health.Checkers;

namespace LvsNet.Core.Health;

/// <summary>
/// The health checking of one real server with every value resolved: its checkers, what a failure
/// does and the commands to run. Compared by value, so a reload that does not change a server's
/// checks keeps its checkers running undisturbed.
/// </summary>
public sealed record HealthCheckSettings
{
    /// <summary>The real server.</summary>
    public required RealServerKey Key { get; init; }

    /// <summary>Its checkers (never empty).</summary>
    public required ImmutableArray<CheckerSettings> Checkers { get; init; }

    /// <summary>The real server's configured weight.</summary>
    public int Weight { get; init; } = 1;

    /// <summary>keepalived omega: run the down notifiers at shutdown.</summary>
    public bool Omega { get; init; }

    /// <summary>keepalived ha_suspend: the checkers pause while the director is not active.</summary>
    public bool HaSuspend { get; init; }

    /// <summary>inhibit_on_failure: weight 0 instead of removal.</summary>
    public bool InhibitOnFailure { get; init; }

    /// <summary>The command run when the server comes up, or null.</summary>
    public string? NotifyUp { get; init; }

    /// <summary>The command run when the server goes down, or null.</summary>
    public string? NotifyDown { get; init; }

    /// <summary>True when the server starts down (some checker has alpha).</summary>
    public bool StartsDown
    {
        get
        {
            foreach (var checker in Checkers)
            {
                if (checker.Alpha)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>Value equality, checkers included.</summary>
    public bool Equals(HealthCheckSettings? other) =>
        other is not null
        && Key == other.Key
        && HealthConfigEquality.SequenceEqual(Checkers, other.Checkers)
        && InhibitOnFailure == other.InhibitOnFailure
        && Weight == other.Weight
        && Omega == other.Omega
        && HaSuspend == other.HaSuspend
        && NotifyUp == other.NotifyUp
        && NotifyDown == other.NotifyDown;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Key, Checkers.Length, InhibitOnFailure);

    /// <summary>Resolves the checking of <paramref name="server"/>; null when it is not checked.</summary>
    /// <param name="service">The virtual service.</param>
    /// <param name="server">One of its real servers.</param>
    /// <param name="bindAddress">The address probes leave from (the director's), or null.</param>
    public static HealthCheckSettings? Resolve(VirtualServiceConfig service, RealServerConfig server, uint? bindAddress)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(server);
        var checks = HealthCheckInheritance.EffectiveChecks(service, server);
        if (checks.IsDefaultOrEmpty)
        {
            return null;
        }

        var key = new RealServerKey(ServiceKey.Of(service), server.Address, server.Port, server.Address6);
        var inherited = HealthCheckInheritance.InheritedParameters(service, server);
        var checkers = ImmutableArray.CreateBuilder<CheckerSettings>(checks.Length);
        for (var i = 0; i < checks.Length; i++)
        {
            checkers.Add(CheckerSettings.Resolve(checks[i], i, inherited, key, bindAddress));
        }

        return new HealthCheckSettings
        {
            Key = key,
            Checkers = checkers.MoveToImmutable(),
            InhibitOnFailure = HealthCheckInheritance.InhibitOnFailureFor(service, server),
            // Only a weight-setting FILE_CHECK needs the configured weight; elsewhere a weight change must not restart the checkers.
            Weight = checks.Any(c => c is FileCheckConfig { SetsWeight: true }) ? server.Weight : 1,
            Omega = service.HealthCheck?.Omega ?? false,
            HaSuspend = service.HealthCheck?.HaSuspend ?? false,
            NotifyUp = server.HealthCheck?.NotifyUp ?? service.HealthCheck?.NotifyUp,
            NotifyDown = server.HealthCheck?.NotifyDown ?? service.HealthCheck?.NotifyDown,
        };
    }
}
