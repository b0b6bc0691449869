using LvsNet.Control.Protocol;
using LvsNet.Core.Configuration;
using LvsNet.Core.Ha;
using LvsNet.Core.Routing;
using LvsNet.Core.Runtime;
using LvsNet.Daemon.Control;
using LvsNet.Packets;
using Microsoft.Extensions.Logging;

namespace LvsNet.Daemon.Routing;

/// <summary>
/// Announces the director's VIPs through BIRD while it is healthy and serving (YAML <c>announce</c>):
/// five times a second it decides with <see cref="AnnouncementPolicy"/>, rewrites the routes file
/// when the decision changed and asks BIRD to reconfigure; it also carries out
/// <c>lvsnetadm drain</c> and <c>undrain</c> and, at shutdown, withdraws before the capture stops.
/// </summary>
/// <remarks>
/// Thread contract: <see cref="Tick"/> runs on the service's timer loop; <see cref="Drain"/>,
/// <see cref="Undrain"/> and <see cref="Status"/> on any thread, under one lock.
/// </remarks>
public sealed class RouteAnnouncer
{
    private static readonly TimeSpan BirdTimeout = TimeSpan.FromSeconds(2);

    private readonly LvsRuntime _runtime;
    private readonly Func<bool> _captureRunning;
    private readonly DirectorRoleState _role;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<uint, (WithdrawReason Reason, DateTimeOffset Since)> _vips = [];
    private string? _written;
    private string? _writtenPath;
    private string _socket = AnnounceConfig.DefaultBirdSocket;
    private bool _dirty;
    private bool _stopping;
    private DateTimeOffset? _drainedSince;
    private TimeSpan _drainTimeout;
    private bool _drainComplete;
    private long _reconfigurations;
    private long _failures;
    private string? _lastError;

    /// <summary>Creates the announcer; the capture counts as running while it has workers that advanced within 2 s.</summary>
    public RouteAnnouncer(LvsRuntime runtime, CaptureService capture, DirectorRoleState role, TimeProvider time, ILogger<RouteAnnouncer> logger)
        : this(runtime, CaptureCheck(capture), role, time, logger)
    {
    }

    /// <summary>Creates the announcer with its own capture check (tests).</summary>
    public RouteAnnouncer(LvsRuntime runtime, Func<bool> captureRunning, DirectorRoleState role, TimeProvider time, ILogger<RouteAnnouncer> logger)
    {
        _runtime = runtime;
        _captureRunning = captureRunning;
        _role = role;
        _time = time;
        _logger = logger;
    }

    /// <summary>The BIRD child, when the configuration asks lvsnetd to run one.</summary>
    public BirdSupervisor? Bird { get; private set; }

    /// <summary>The announce settings in force, or null.</summary>
    public AnnounceConfig? Config => _runtime.Current?.Config.Announce;

    /// <summary>Writes an empty routes file (nothing announced) and starts the BIRD child if configured.</summary>
    public void Start()
    {
        if (Config is not { } config)
        {
            return;
        }

        WriteRoutes(config.RoutesFile, BirdRoutesFile.Render([]));
        if (config.BirdConfig is { } birdConfig)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(config.BirdSocket) ?? "/");
            Bird = new BirdSupervisor(config.BirdBinary, birdConfig, config.BirdSocket, _logger);
            Bird.Start();
        }
    }

    /// <summary>Decides, rewrites the routes file when needed and makes BIRD take it.</summary>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        var config = Config;
        string? content;
        string socket;
        lock (_gate)
        {
            content = Tick(config);

            // A reload that removes the section withdraws through the socket BIRD was last driven on.
            _socket = config?.BirdSocket ?? _socket;
            socket = _socket;
        }

        if (content is null)
        {
            return;
        }

        await ReconfigureAsync(socket, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Withdraws every VIP (at shutdown) and waits until BIRD took it, for at most 2 s.</summary>
    public async Task WithdrawAllAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _stopping = true;
        }

        await TickAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Drains: withdraws every VIP; established connections that still arrive are forwarded until they end or <paramref name="timeout"/> passes.</summary>
    public ControlResponse Drain(TimeSpan? timeout)
    {
        if (Config is not { } config)
        {
            return ControlResponse.Failure("this director announces nothing (no announce section in the configuration)");
        }

        if (timeout is { } t && (t < TimeSpan.Zero || t > TimeSpan.FromDays(1)))
        {
            return ControlResponse.Failure("the drain timeout must be from 0 s to 1 day");
        }

        lock (_gate)
        {
            if (_drainedSince is not null)
            {
                return ControlResponse.Success($"already draining since {_drainedSince.Value.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z");
            }

            _drainedSince = _time.GetUtcNow();
            _drainTimeout = timeout ?? config.DrainTimeout;
            _drainComplete = false;
        }

        RoutingLog.Drained(_logger, _drainTimeout.TotalSeconds);
        return ControlResponse.Success($"draining: routes withdrawn, established connections served for up to {_drainTimeout.TotalSeconds:0.#} s");
    }

    /// <summary>Ends a drain: healthy VIPs are announced again from the next decision.</summary>
    public ControlResponse Undrain()
    {
        if (Config is null)
        {
            return ControlResponse.Failure("this director announces nothing (no announce section in the configuration)");
        }

        lock (_gate)
        {
            if (_drainedSince is null)
            {
                return ControlResponse.Success("not drained");
            }

            _drainedSince = null;
            _drainComplete = false;
        }

        RoutingLog.Undrained(_logger);
        return ControlResponse.Success("undrained: healthy VIPs are announced again");
    }

    /// <summary>The announcement part of <c>lvsnetadm status</c>, or null when the director announces nothing.</summary>
    public AnnouncementStatus? Status()
    {
        if (Config is not { } config)
        {
            return null;
        }

        lock (_gate)
        {
            var vips = _vips.OrderBy(v => v.Key).Select(v => new VipAnnouncementInfo
            {
                Address = Ipv4Address.Format(v.Key),
                Announced = v.Value.Reason == WithdrawReason.None,
                Reason = v.Value.Reason == WithdrawReason.None ? null : ReasonName(v.Value.Reason),
                Since = v.Value.Since,
            }).ToList();
            return new AnnouncementStatus
            {
                Vips = vips,
                DrainState = DrainState,
                DrainedSince = _drainedSince,
                DrainDeadline = _drainedSince + _drainTimeout,
                ActiveConnections = ActiveConnections(),
                RoutesFile = config.RoutesFile,
                BirdManaged = Bird is not null,
                BirdRunning = Bird?.Running ?? false,
                BirdPid = Bird?.Pid ?? 0,
                BirdStarts = Bird?.Starts ?? 0,
                InSync = !_dirty,
                Reconfigurations = Interlocked.Read(ref _reconfigurations),
                ReconfigurationFailures = Interlocked.Read(ref _failures),
                LastError = _lastError,
            };
        }
    }

    /// <summary>serving, draining or drained.</summary>
    public string DrainState => _drainedSince is null ? "serving" : _drainComplete ? "drained" : "draining";

    /// <summary>The VIPs and whether each is announced (for the metrics).</summary>
    public IReadOnlyList<(uint Address, bool Announced)> Announced()
    {
        lock (_gate)
        {
            return [.. _vips.Select(v => (v.Key, v.Value.Reason == WithdrawReason.None))];
        }
    }

    /// <summary>Successful and failed reconfigurations.</summary>
    public (long Ok, long Failed) Reconfigurations => (Interlocked.Read(ref _reconfigurations), Interlocked.Read(ref _failures));

    /// <summary>The name a reason has in the status and the logs.</summary>
    public static string ReasonName(WithdrawReason reason) => reason switch
    {
        WithdrawReason.None => "announced",
        WithdrawReason.CaptureDown => "capture_down",
        WithdrawReason.NotMaster => "not_master",
        WithdrawReason.Drained => "drained",
        _ => "quorum_lost",
    };

    // Under the gate: the new decision; returns the content when BIRD must (re)read the file.
    private string? Tick(AnnounceConfig? config)
    {
        var snapshot = _runtime.Current;
        var now = _time.GetUtcNow();
        VipAnnouncement[] plan;
        if (snapshot is null || config is null || _stopping)
        {
            plan = snapshot is null ? [] : [.. snapshot.VirtualAddresses.Select(v => new VipAnnouncement(v, WithdrawReason.CaptureDown))];
        }
        else
        {
            var conditions = new AnnouncementConditions(
                CaptureRunning: _captureRunning(),
                Drained: _drainedSince is not null,
                RoleActive: _role.IsActive);
            plan = AnnouncementPolicy.Evaluate(snapshot, config.Require, conditions);
        }

        foreach (var vip in plan)
        {
            if (!_vips.TryGetValue(vip.Address, out var old) || old.Reason != vip.Reason)
            {
                var wasAnnounced = old.Reason == WithdrawReason.None && _vips.ContainsKey(vip.Address);
                if (vip.Announced && !wasAnnounced)
                {
                    RoutingLog.VipAnnounced(_logger, Ipv4Address.Format(vip.Address));
                }
                else if (!vip.Announced && (wasAnnounced || !_vips.ContainsKey(vip.Address)))
                {
                    RoutingLog.VipWithdrawn(_logger, Ipv4Address.Format(vip.Address), ReasonName(vip.Reason));
                }

                _vips[vip.Address] = (vip.Reason, wasAnnounced == vip.Announced && _vips.ContainsKey(vip.Address) ? old.Since : now);
            }
        }

        foreach (var gone in _vips.Keys.Where(k => Array.BinarySearch(snapshot?.VirtualAddresses ?? [], k) < 0 && !plan.Any(p => p.Address == k)).ToList())
        {
            _vips.Remove(gone);
        }

        if (_drainedSince is { } since && !_drainComplete && (ActiveConnections() == 0 || now - since >= _drainTimeout))
        {
            _drainComplete = true;
            RoutingLog.DrainCompleted(_logger, ActiveConnections(), (now - since).TotalSeconds);
        }

        var path = config?.RoutesFile ?? _writtenPath;
        if (path is null)
        {
            return null;
        }

        var content = BirdRoutesFile.Render(plan);
        if (content != _written || path != _writtenPath)
        {
            WriteRoutes(path, content);
            _dirty = true;
        }

        return _dirty ? content : null;
    }

    private async Task ReconfigureAsync(string socket, CancellationToken cancellationToken)
    {
        string? error = null;
        try
        {
            var reply = await BirdControlClient.SendAsync(socket, "configure", BirdTimeout, cancellationToken).ConfigureAwait(false);
            if (!reply.Ok)
            {
                error = $"BIRD refused the configuration: {reply.Text}";
            }
        }
        catch (IOException ex)
        {
            error = ex.Message;
        }

        lock (_gate)
        {
            if (error is null)
            {
                _dirty = false;
                Interlocked.Increment(ref _reconfigurations);
                if (_lastError is not null)
                {
                    RoutingLog.BirdReconfigured(_logger);
                }

                _lastError = null;
                return;
            }

            Interlocked.Increment(ref _failures);
            if (error != _lastError)
            {
                RoutingLog.ReconfigureFailed(_logger, error);
            }

            _lastError = error;
        }
    }

    private void WriteRoutes(string path, string content)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path) ?? "/");

            // Rename over the old file: BIRD never reads a half-written one.
            var temporary = path + ".tmp";
            File.WriteAllText(temporary, content);
            File.Move(temporary, path, overwrite: true);
            _written = content;
            _writtenPath = path;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            RoutingLog.ReconfigureFailed(_logger, $"cannot write {path}: {ex.Message}");
            _lastError = ex.Message;
        }
    }

    private static Func<bool> CaptureCheck(CaptureService capture)
    {
        var liveness = new CaptureLiveness(capture);
        return () => capture.Workers.Count > 0 && liveness.Check();
    }

    private long ActiveConnections()
    {
        long total = 0;
        foreach (var server in _runtime.Current?.ServersById ?? [])
        {
            total += server?.ActiveConnections ?? 0;
        }

        return total;
    }
}
