using LvsNet.Control.Protocol;
using LvsNet.Core.Configuration;
using LvsNet.Core.Runtime;
using LvsNet.Core.Sync;
using LvsNet.Daemon.Host;
using LvsNet.Packets;
using Microsoft.Extensions.Logging;

namespace LvsNet.Daemon.Ha;

/// <summary>
/// The running sync daemons: at most one master and one backup at a time (as in the kernel, both
/// may run together). Started and stopped from the configuration, from the role (mode
/// follow_role) or by lvsnetadm --start-daemon / --stop-daemon.
/// </summary>
/// <remarks>Thread contract: every method may be called from any thread; a lock serialises them.</remarks>
public sealed class SyncDaemons : IDisposable
{
    private readonly Lock _gate = new();
    private readonly SyncHub _hub;
    private readonly LvsRuntime _runtime;
    private readonly CaptureService _capture;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private (SyncMasterThread Thread, SyncDaemonConfig Config, string Interface)? _master;
    private (SyncBackupThread Thread, SyncDaemonConfig Config, string Interface)? _backup;

    /// <summary>Creates the (stopped) daemons.</summary>
    public SyncDaemons(SyncHub hub, LvsRuntime runtime, CaptureService capture, TimeProvider time, ILogger<SyncDaemons> logger)
    {
        _hub = hub;
        _runtime = runtime;
        _capture = capture;
        _time = time;
        _logger = logger;
    }

    /// <summary>The queues and counters shared with the capture threads.</summary>
    public SyncHub Hub => _hub;

    /// <summary>Starts the master (true) or backup daemon.</summary>
    /// <exception cref="InvalidOperationException">It runs already, or its socket cannot be opened.</exception>
    public void Start(bool master, SyncDaemonConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var nic = config.Interface ?? _runtime.Current?.Config.Director.Interface ?? throw new InvalidOperationException("no configuration");
        lock (_gate)
        {
            if (master ? _master is not null : _backup is not null)
            {
                throw new InvalidOperationException($"the {(master ? "master" : "backup")} sync daemon is already running");
            }

            try
            {
                int maxLength;
                if (master)
                {
                    var thread = new SyncMasterThread(_hub, config, nic, _time, _logger);
                    _master = (thread, config, nic);
                    maxLength = thread.MaxLength;
                }
                else
                {
                    var thread = new SyncBackupThread(_hub, _runtime, config, nic, NetworkInterfaceInfo.ReadMtu(nic), Wake, _logger);
                    _backup = (thread, config, nic);
                    maxLength = thread.MaxLength;
                }

                HaLog.SyncDaemonStarted(_logger, master ? "master" : "backup", nic, config.SyncId, maxLength, Ipv4Address.Format(config.Group), config.Port, config.Ttl, config.Version);
            }
            catch (Exception ex) when (ex is System.Net.Sockets.SocketException or IOException)
            {
                HaLog.SyncDaemonFailed(_logger, ex, master ? "master" : "backup", ex.Message);
                throw new InvalidOperationException($"{(master ? "master" : "backup")} sync daemon on {nic}: {ex.Message}", ex);
            }
        }
    }

    /// <summary>Stops the master (true) or backup daemon.</summary>
    /// <returns>False when it was not running.</returns>
    public bool Stop(bool master)
    {
        lock (_gate)
        {
            IDisposable? thread = master ? _master?.Thread : _backup?.Thread;
            if (thread is null)
            {
                return false;
            }

            thread.Dispose();
            if (master)
            {
                _master = null;
            }
            else
            {
                _backup = null;
            }

            HaLog.SyncDaemonStopped(_logger, master ? "master" : "backup");
            return true;
        }
    }

    /// <summary>True when the master (true) or backup daemon runs.</summary>
    public bool IsRunning(bool master)
    {
        lock (_gate)
        {
            return master ? _master is not null : _backup is not null;
        }
    }

    /// <summary>True when a running daemon uses the authenticated mode.</summary>
    public bool Authenticated
    {
        get
        {
            lock (_gate)
            {
                return _master?.Config.AuthKey is not null || _backup?.Config.AuthKey is not null;
            }
        }
    }

    /// <summary>The running daemons, master first (ipvsadm -L --daemon).</summary>
    public IReadOnlyList<SyncDaemonInfo> List()
    {
        lock (_gate)
        {
            var list = new List<SyncDaemonInfo>(2);
            if (_master is { } m)
            {
                list.Add(Describe("master", m.Config, m.Interface, m.Thread.MaxLength));
            }

            if (_backup is { } b)
            {
                list.Add(Describe("backup", b.Config, b.Interface, b.Thread.MaxLength));
            }

            return list;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Stop(master: true);
        Stop(master: false);
    }

    private static SyncDaemonInfo Describe(string state, SyncDaemonConfig config, string nic, int maxLength) => new()
    {
        State = state,
        Interface = nic,
        SyncId = config.SyncId,
        MaxLength = maxLength,
        Group = Ipv4Address.Format(config.Group),
        Port = config.Port,
        Ttl = config.Ttl,
        Version = config.Version,
    };

    private void Wake(int worker)
    {
        var workers = _capture.Workers;
        if ((uint)worker < (uint)workers.Count)
        {
            // Any invocation wakes the capture thread, which applies the received records before its next batch.
            _ = workers[worker].InvokeAsync(static _ => true);
        }
    }
}
