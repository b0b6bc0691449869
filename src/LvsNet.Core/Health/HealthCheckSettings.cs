using System.Collections.Immutable;
using LvsNet.Core.Configuration;

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
        var checks = EffectiveChecks(service, server);
        if (checks.IsDefaultOrEmpty)
        {
            return null;
        }

        var key = new RealServerKey(new ServiceKey(service.Protocol, service.Address, service.Port), server.Address, server.Port);
        var inherited = (server.HealthCheck?.Parameters ?? HealthCheckParameters.Empty).Over(service.HealthCheck?.Parameters);
        var checkers = ImmutableArray.CreateBuilder<CheckerSettings>(checks.Length);
        for (var i = 0; i < checks.Length; i++)
        {
            checkers.Add(CheckerSettings.Resolve(checks[i], i, inherited, key, bindAddress));
        }

        return new HealthCheckSettings
        {
            Key = key,
            Checkers = checkers.MoveToImmutable(),
            InhibitOnFailure = InhibitOnFailureFor(service, server),
            NotifyUp = server.HealthCheck?.NotifyUp ?? service.HealthCheck?.NotifyUp,
            NotifyDown = server.HealthCheck?.NotifyDown ?? service.HealthCheck?.NotifyDown,
        };
    }

    /// <summary>The checkers <paramref name="server"/> runs: its own, else the service's; empty when it is not checked.</summary>
    public static ImmutableArray<CheckerConfig> EffectiveChecks(VirtualServiceConfig service, RealServerConfig server)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(server);
        if (server.HealthCheck is { Enabled: false })
        {
            return [];
        }

        if (server.HealthCheck is { Checks.IsDefaultOrEmpty: false } own)
        {
            return own.Checks;
        }

        return service.HealthCheck is { Checks.IsDefaultOrEmpty: false } shared ? shared.Checks : [];
    }

    /// <summary>True when <paramref name="server"/> has checkers.</summary>
    public static bool IsChecked(VirtualServiceConfig service, RealServerConfig server) => !EffectiveChecks(service, server).IsDefaultOrEmpty;

    /// <summary>True when <paramref name="server"/> starts down (one of its checkers has alpha).</summary>
    public static bool StartsDownFor(VirtualServiceConfig service, RealServerConfig server)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(server);
        var inherited = (server.HealthCheck?.Parameters ?? HealthCheckParameters.Empty).Over(service.HealthCheck?.Parameters);
        foreach (var check in EffectiveChecks(service, server))
        {
            if (check.Parameters.Alpha ?? inherited.Alpha ?? false)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>inhibit_on_failure for <paramref name="server"/> (its own setting, else the service's).</summary>
    public static bool InhibitOnFailureFor(VirtualServiceConfig service, RealServerConfig server)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(server);
        return server.HealthCheck?.InhibitOnFailure ?? service.HealthCheck?.InhibitOnFailure ?? false;
    }
}
