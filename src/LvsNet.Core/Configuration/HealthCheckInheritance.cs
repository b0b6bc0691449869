using System.Collections.Immutable;

namespace LvsNet.Core.Configuration;

/// <summary>
/// Which health settings a real server inherits from its service (keepalived: a real server's own
/// checkers replace the service's; its own <c>inhibit_on_failure</c> wins). Used by the validator,
/// the runtime's availability overlay and the health monitor, so all three agree.
/// </summary>
public static class HealthCheckInheritance
{
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

    /// <summary>The server's timers and thresholds over the service's.</summary>
    public static HealthCheckParameters InheritedParameters(VirtualServiceConfig service, RealServerConfig server)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(server);
        return (server.HealthCheck?.Parameters ?? HealthCheckParameters.Empty).Over(service.HealthCheck?.Parameters);
    }

    /// <summary>True when <paramref name="server"/> starts down (one of its checkers has alpha).</summary>
    public static bool StartsDownFor(VirtualServiceConfig service, RealServerConfig server)
    {
        var inherited = InheritedParameters(service, server);
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
