using System.Globalization;

namespace LvsNet.Core.Health;

/// <summary>How <see cref="HealthMonitor"/> publishes a verdict: a snapshot rebuild, a log line, the notify command and the event.</summary>
public sealed partial class HealthMonitor
{
    private void Publish(MonitoredServer server, ServerHealthChange change)
    {
        lock (_publishGate)
        {
            ServerHealthReport report;
            lock (server.Gate)
            {
                if (server.Stopped)
                {
                    return;
                }

                report = server.Report();
            }

            _runtime.SetHealth(server.Key, report);
        }

        var key = server.Key;
        var state = _runtime.Current?.ServicesByKey.GetValueOrDefault(key.Service)?.Health?.ConfiguredServers
            .FirstOrDefault(s => s.Address == key.Address && (s.IsIpv6 ? s.Address6 : (Packets.Ipv6.Ipv6Address?)null) == key.Address6 && s.Port == key.Port);
        change = change with { Membership = state?.Health?.Membership };
        var service = key.Service.ToString();
        if (change.WeightOnly)
        {
            Log.WeightChanged(_logger, service, key.ServerText, change.Weight ?? state?.Weight ?? 0, change.Reason);
        }
        else if (change.State == HealthState.Up)
        {
            Log.ServerUp(_logger, service, key.ServerText, change.Reason, Action(change, state));
            RunCommand("notify_up", server.Settings.NotifyUp, key, "up");
        }
        else
        {
            Log.ServerDown(_logger, service, key.ServerText, change.Reason, Action(change, state));
            RunCommand("notify_down", server.Settings.NotifyDown, key, "down");
        }

        ServerHealthChanged?.Invoke(change);
    }

    private static string Action(ServerHealthChange change, RealServerState? state) => change.Membership switch
    {
        PoolMembership.InPool => string.Create(CultureInfo.InvariantCulture, $"in the pool with weight {state?.Weight ?? change.Weight ?? 0}"),
        PoolMembership.Inhibited => "inhibited: kept in the pool with weight 0 (inhibit_on_failure)",
        PoolMembership.Displaced => "kept out of the pool while the sorry server is in use (quorum lost)",
        PoolMembership.Removed => "removed from the pool",
        _ => "the service is gone",
    };
}
