using LvsNet.Control.Protocol;
using LvsNet.Core.Configuration;
using LvsNet.Core.Ha;
using LvsNet.Core.Health;
using LvsNet.Core.Runtime;
using LvsNet.Packets;
using Microsoft.Extensions.Logging;

namespace LvsNet.Daemon.Ha;

/// <summary>
/// The director's HA control: sets the role (lvsnetadm role, called by keepalived's notify
/// scripts), makes the health monitor's ha_suspend follow it, switches the sync daemons when the
/// configuration says they follow the role (keepalived's lvs_sync_daemon), and answers the sync
/// daemon commands and the HA part of the status.
/// </summary>
public sealed class HaController
{
    private readonly DirectorRoleState _role;
    private readonly SyncDaemons _daemons;
    private readonly LvsRuntime _runtime;
    private readonly CaptureService _capture;
    private readonly HealthMonitor? _health;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private SyncDaemonConfig? _configured;
    private NotifyFifoFollower? _fifo;

    /// <summary>Creates the controller and follows the role from now on.</summary>
    public HaController(DirectorRoleState role, SyncDaemons daemons, LvsRuntime runtime, CaptureService capture, ILogger<HaController> logger, HealthMonitor? health = null)
    {
        _role = role;
        _daemons = daemons;
        _runtime = runtime;
        _capture = capture;
        _health = health;
        _logger = logger;
        _role.Changed += OnRoleChanged;
        _runtime.SnapshotPublished += (snapshot, _) =>
        {
            FollowNotifyFifo(snapshot.Config.HighAvailability);
            FollowConfiguration(snapshot.Config.HighAvailability.SyncDaemon);
        };
    }

    /// <summary>The role.</summary>
    public DirectorRoleState Role => _role;

    /// <summary>The sync daemons.</summary>
    public SyncDaemons Daemons => _daemons;

    /// <summary>Starts what the configuration asks for (called once the capture runs).</summary>
    public void Start()
    {
        _health?.SetDirectorActive(_role.IsActive);
        if (_runtime.Current?.Config.HighAvailability is { } ha)
        {
            FollowNotifyFifo(ha);
        }

        FollowConfiguration(_runtime.Current?.Config.HighAvailability.SyncDaemon);
    }

    /// <summary>Stops the daemons and the notify FIFO's reader.</summary>
    public void Stop()
    {
        NotifyFifoFollower? fifo;
        lock (_gate)
        {
            fifo = _fifo;
            _fifo = null;
        }

        fifo?.Dispose();
        _daemons.Dispose();
    }

    /// <summary>Handles role, start-daemon, stop-daemon and daemons requests.</summary>
    public ControlResponse Handle(ControlRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        switch (request.Command)
        {
            case ControlCommands.Role:
                if (!DirectorRoleState.TryParse(request.Role, out var role))
                {
                    return ControlResponse.Failure($"unknown role '{request.Role}': master, backup or fault");
                }

                var old = _role.Set(role);
                return ControlResponse.Success(old == role ? $"role {DirectorRoleState.Name(role)} (unchanged)" : $"role {DirectorRoleState.Name(old)} -> {DirectorRoleState.Name(role)}");
            case ControlCommands.StartDaemon:
                return StartDaemon(request.SyncDaemon);
            case ControlCommands.StopDaemon:
                if (request.SyncDaemon?.State is not ("master" or "backup"))
                {
                    return ControlResponse.Failure("illegal start_daemon specified");
                }

                return _daemons.Stop(request.SyncDaemon.State == "master")
                    ? ControlResponse.Success()
                    : ControlResponse.Failure("No such process");
            case ControlCommands.Daemons:
                return new ControlResponse { Ok = true, Daemons = _daemons.List() };
            default:
                return ControlResponse.Failure($"unknown command '{request.Command}'");
        }
    }

    /// <summary>The HA part of <c>lvsnetadm status</c>.</summary>
    public HaStatus Status()
    {
        var c = _daemons.Hub.Counters;
        return new HaStatus
        {
            Role = DirectorRoleState.Name(_role.Role),
            RoleSince = _role.ChangedAt,
            RoleChanges = _role.Changes,
            Daemons = _daemons.List(),
            SyncQueueDropped = c.QueueDropped,
            SyncMessagesSent = c.MessagesSent,
            SyncConnectionsSent = c.ConnectionsSent,
            SyncSendErrors = c.SendErrors,
            SyncMessagesReceived = c.MessagesReceived,
            SyncMessagesRefused = c.MessagesRefused,
            SyncConnectionsReceived = c.ConnectionsReceived,
            SyncConnectionsSkipped = c.ConnectionsSkipped,
            SyncConnectionsApplied = c.ConnectionsApplied,
            SyncConnectionsWithoutServer = c.ConnectionsWithoutServer,
            SyncApplyDropped = c.ApplyDropped,
            SyncLocalPortNotOurs = c.LocalPortNotOurs,
            SyncAuthenticated = _daemons.Authenticated,
            SyncRefusedUnauthenticated = c.RefusedUnauthenticated,
            SyncRefusedBadMac = c.RefusedBadMac,
            SyncRefusedStale = c.RefusedStale,
            SyncRefusedReplayed = c.RefusedReplayed,
            SyncResyncRecords = c.ResyncRecords,
        };
    }

    private ControlResponse StartDaemon(SyncDaemonInfo? daemon)
    {
        if (daemon?.State is not ("master" or "backup"))
        {
            return ControlResponse.Failure("illegal start-daemon parameter specified");
        }

        uint group = SyncDaemonConfig.DefaultGroup;
        if (daemon.Group is { } text && !Ipv4Address.TryParse(text, out group))
        {
            return ControlResponse.Failure($"invalid IPv4 mcast-group `{text}'");
        }

        // The kernel's other settings (version, thresholds) come from the configuration file's sync_daemon, if any.
        var baseConfig = _runtime.Current?.Config.HighAvailability.SyncDaemon ?? new SyncDaemonConfig();
        var config = baseConfig with
        {
            Interface = daemon.Interface ?? baseConfig.Interface,
            SyncId = daemon.SyncId,
            MaxLength = daemon.MaxLength ?? baseConfig.MaxLength,
            Group = daemon.Group is null ? baseConfig.Group : group,
            Port = (ushort)(daemon.Port ?? baseConfig.Port),
            Ttl = daemon.Ttl ?? baseConfig.Ttl,
        };
        try
        {
            _daemons.Start(daemon.State == "master", config);
            return ControlResponse.Success();
        }
        catch (InvalidOperationException ex)
        {
            return ControlResponse.Failure(ex.Message);
        }
    }

    private void OnRoleChanged(DirectorRole old, DirectorRole role)
    {
        HaLog.RoleChanged(_logger, DirectorRoleState.Name(old), DirectorRoleState.Name(role));
        _health?.SetDirectorActive(role == DirectorRole.Master);

        // Wake the capture threads: the new master announces and forwards from its next batch, not after an idle wait.
        foreach (var worker in _capture.Workers)
        {
            _ = worker.InvokeAsync(static _ => true);
        }

        lock (_gate)
        {
            if (_configured is { Mode: SyncDaemonMode.FollowRole } config)
            {
                Switch(config, role == DirectorRole.Master);
            }
        }
    }

    private void FollowConfiguration(SyncDaemonConfig? config)
    {
        lock (_gate)
        {
            if (config == _configured)
            {
                return;
            }

            if (_configured is not null)
            {
                _daemons.Stop(master: true);
                _daemons.Stop(master: false);
            }

            _configured = config;
            if (config is null)
            {
                return;
            }

            switch (config.Mode)
            {
                case SyncDaemonMode.Master: TryStart(true, config); break;
                case SyncDaemonMode.Backup: TryStart(false, config); break;
                case SyncDaemonMode.MasterAndBackup: TryStart(true, config); TryStart(false, config); break;
                default: Switch(config, _role.IsActive); break;
            }
        }
    }

    // keepalived's notify_fifo read in-process (high_availability.notify_fifo); restarted when a reload changes it.
    private void FollowNotifyFifo(HighAvailabilityConfig ha)
    {
        NotifyFifoFollower? old;
        lock (_gate)
        {
            if (_fifo?.Path == ha.NotifyFifo && _fifo?.Instance == ha.VrrpInstance)
            {
                return;
            }

            old = _fifo;
            _fifo = ha.NotifyFifo is { } path ? new NotifyFifoFollower(path, ha.VrrpInstance, _role, _logger) : null;
        }

        // Outside the lock: the old reader may be setting a role, whose handler takes the lock.
        old?.Dispose();
    }

    // keepalived's lvs_sync_daemon: the master daemon while MASTER, the backup daemon otherwise.
    private void Switch(SyncDaemonConfig config, bool master)
    {
        _daemons.Stop(master: !master);
        if (!_daemons.IsRunning(master))
        {
            TryStart(master, config);
        }
    }

    private void TryStart(bool master, SyncDaemonConfig config)
    {
        try
        {
            _daemons.Start(master, config);
        }
        catch (InvalidOperationException)
        {
            // Logged by SyncDaemons; the daemon stays down until the next role change or reload.
        }
    }
}
