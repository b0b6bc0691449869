using LvsNet.Core.Configuration;

namespace LvsNet.Core.Health;

/// <summary>
/// keepalived's <c>ha_suspend</c> and <c>omega</c> in <see cref="HealthMonitor"/>: the hook the director
/// HA role calls, and the down notifiers run at shutdown.
/// </summary>
public sealed partial class HealthMonitor
{
    private volatile bool _directorActive = true;

    /// <summary>True while the director is active (VRRP master, or no HA at all): ha_suspend checkers run.</summary>
    public bool DirectorActive => _directorActive;

    /// <summary>
    /// Tells the monitor whether this director is the active one (keepalived: the VIP is present, the
    /// VRRP instance is MASTER). While it is not, the checkers of services with <c>ha_suspend</c> send
    /// no probes and their servers keep their last verdict; when it becomes active again each such
    /// checker runs after a random delay below its warmup. Other services are not affected.
    /// Idempotent; safe to call from any thread.
    /// </summary>
    /// <param name="active">True for master (or no HA), false for backup/fault.</param>
    public void SetDirectorActive(bool active)
    {
        List<CheckerRun> resume;
        int servers;
        lock (_gate)
        {
            if (_directorActive == active || _disposed)
            {
                return;
            }

            _directorActive = active;
            var suspended = _servers.Values.Where(s => s.Settings.HaSuspend).ToList();
            servers = suspended.Count;
            resume = active ? [.. suspended.SelectMany(s => s.Checkers)] : [];
        }

        Log.HaSuspendChanged(_logger, active ? "active" : "standby", servers, active ? "resumed" : "suspended");
        foreach (var run in resume)
        {
            Arm(run, InitialDelay(run.Settings));
        }
    }

    private bool IsSuspended(CheckerRun run) => !_directorActive && run.Server.Settings.HaSuspend;

    /// <summary>
    /// keepalived <c>omega</c>, run when the daemon stops (before <see cref="Dispose"/>): for each
    /// service with omega, notify_down for every checked server that is up, and quorum_down when its
    /// quorum is up (and it has quorum_down), as if everything went down. Waits for the commands,
    /// each bounded by <see cref="HealthMonitorOptions.CommandTimeout"/>.
    /// </summary>
    /// <returns>The number of commands run.</returns>
    public async Task<int> RunOmegaNotifiersAsync(CancellationToken cancellationToken)
    {
        var commands = new List<Task>();
        List<MonitoredServer> servers;
        lock (_gate)
        {
            servers = [.. _servers.Values.Where(s => s.Settings.Omega)];
        }

        foreach (var server in servers)
        {
            bool up;
            lock (server.Gate)
            {
                up = !server.Stopped && server.State == HealthState.Up;
            }

            if (up && server.Settings.NotifyDown is { } notify)
            {
                commands.Add(RunCommandTask("notify_down", notify, server.Key.Service, "down", server.Key));
            }
        }

        if (_runtime.Current is { } snapshot)
        {
            foreach (var service in snapshot.Config.VirtualServices)
            {
                if (service.HealthCheck is { Omega: true } && service.Quorum?.DownCommand is { } down
                    && _runtime.Health.QuorumUp(ServiceKey.Of(service)) == true)
                {
                    commands.Add(RunCommandTask("quorum_down", down, ServiceKey.Of(service), "quorum_down", null));
                }
            }
        }

        await Task.WhenAll(commands).WaitAsync(cancellationToken).ConfigureAwait(false);
        return commands.Count;
    }
}
