using System.Globalization;
using System.Numerics;
using System.Reflection;
using LvsNet.Control.Editing;
using LvsNet.Control.Listings;
using LvsNet.Control.Protocol;
using LvsNet.Control.Yaml;
using LvsNet.Core;
using LvsNet.Core.Configuration;
using LvsNet.Core.Connections;
using LvsNet.Core.DataPath;
using LvsNet.Core.Health;
using LvsNet.Core.Runtime;
using LvsNet.Daemon.Host;
using LvsNet.Packets;
using Microsoft.Extensions.Logging;
using Serilog.Core;
using Serilog.Events;

namespace LvsNet.Daemon.Control;

/// <summary>
/// Carries out command-socket requests against the running daemon. Every change goes through
/// <see cref="LvsRuntime.Apply"/> as a whole new configuration, so an edit is atomic: it is in
/// force completely or not at all, and connections of services and servers that stay are kept.
/// </summary>
/// <remarks>
/// The YAML file stays the source of truth: edits change only the running configuration (unless
/// the daemon runs with <c>--write-config</c>) and a reload replaces them with the file's content.
/// <see cref="DaemonStatus.UnsavedRuntimeEdits"/> tells an operator when that would lose something.
/// </remarks>
public sealed class ControlRequestHandler
{
    private static readonly TimeSpan ConnectionListTimeout = TimeSpan.FromSeconds(10);

    private readonly LvsRuntime _runtime;
    private readonly ReloadService _reload;
    private readonly CaptureService _capture;
    private readonly DirectorHost _host;
    private readonly DaemonOptions _options;
    private readonly StatisticsBook _book;
    private readonly LoggingLevelSwitch _levelSwitch;
    private readonly SystemdNotifier _notifier;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _editGate = new();
    private readonly DateTimeOffset _startedAt;
    private DateTimeOffset? _lastEditAt;
    private readonly Ha.HaController? _ha;
    private readonly Routing.RouteAnnouncer? _announcer;

    /// <summary>Creates the handler.</summary>
    public ControlRequestHandler(
        LvsRuntime runtime,
        ReloadService reload,
        CaptureService capture,
        DirectorHost host,
        DaemonOptions options,
        StatisticsBook book,
        LoggingLevelSwitch levelSwitch,
        SystemdNotifier notifier,
        TimeProvider time,
        ILogger<ControlRequestHandler> logger,
        Ha.HaController? ha = null,
        Routing.RouteAnnouncer? announcer = null)
    {
        _ha = ha;
        _announcer = announcer;
        _runtime = runtime;
        _reload = reload;
        _capture = capture;
        _host = host;
        _options = options;
        _book = book;
        _levelSwitch = levelSwitch;
        _notifier = notifier;
        _time = time;
        _logger = logger;
        _startedAt = time.GetUtcNow();

        // A service that leaves the configuration (edit or reload) starts from zero if it comes back, as in the kernel.
        runtime.SnapshotPublished += (snapshot, _) => book.Follow(snapshot);
    }

    /// <summary>The health monitor (for <c>-L --health</c>), or null when health is not wired (tests).</summary>
    public HealthMonitor? HealthMonitor { get; set; }

    /// <summary>The largest number of connections one <c>-L -c</c> returns.</summary>
    public int MaxListedConnections { get; init; } = 1_000_000;

    /// <summary>Handles one request; never throws for a bad request (the response says what is wrong).</summary>
    public async Task<ControlResponse> HandleAsync(ControlRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Version != ControlProtocol.Version)
        {
            return ControlResponse.Failure($"protocol version {request.Version} is not supported: this lvsnetd speaks version {ControlProtocol.Version}; use the lvsnetadm installed with it");
        }

        try
        {
            return request.Command switch
            {
                ControlCommands.Edit => Edit(request.Operations ?? []),
                ControlCommands.List => List(request.Service, request.Health),
                ControlCommands.Connections => request.Filter is { } filter
                    ? await QueryConnectionsAsync(filter, cancellationToken).ConfigureAwait(false)
                    : await ConnectionsAsync(cancellationToken).ConfigureAwait(false),
                ControlCommands.Zero => Zero(request.Service),
                ControlCommands.Reload => Reload(),
                ControlCommands.Status => new ControlResponse { Ok = true, Status = Status() },
                ControlCommands.LogLevel => SetLogLevel(request.Level),
                ControlCommands.ExportYaml => Export(),
                ControlCommands.Role or ControlCommands.StartDaemon or ControlCommands.StopDaemon or ControlCommands.Daemons =>
                    _ha?.Handle(request) ?? ControlResponse.Failure("this lvsnetd runs without the HA control"),
                ControlCommands.Drain => _announcer?.Drain(request.DrainTimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null) ?? ControlResponse.Failure("this lvsnetd runs without route announcement"),
                ControlCommands.Undrain => _announcer?.Undrain() ?? ControlResponse.Failure("this lvsnetd runs without route announcement"),
                _ => ControlResponse.Failure($"unknown command '{request.Command}'"),
            };
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ControlLog.RequestFailed(_logger, ex, request.Command);
            return ControlResponse.Failure($"lvsnetd could not carry out {request.Command}: {ex.Message}");
        }
    }

    /// <summary>Applies edit operations (ipvsadm -A/-E/-D/-C/-a/-e/-d/--set/-R) all or none.</summary>
    public ControlResponse Edit(IReadOnlyList<EditOperation> operations)
    {
        ArgumentNullException.ThrowIfNull(operations);
        var description = Describe(operations);
        lock (_editGate)
        {
            var snapshot = _runtime.Current;
            if (snapshot is null)
            {
                return ControlResponse.Failure("no configuration is running");
            }

            LvsConfig next = snapshot.Config;
            SnapshotChanges changes;
            try
            {
                // Read and apply under the runtime's own lock, so a SIGHUP reload cannot slip between them.
                changes = _runtime.Update(current => next = ConfigEditor.Apply(current, operations));
            }
            catch (ConfigEditException ex)
            {
                ControlLog.EditRejected(_logger, description, ex.Describe());
                return ControlResponse.Failure(ex.Describe());
            }
            catch (ConfigException ex)
            {
                ControlLog.EditRejected(_logger, description, string.Join("; ", ex.Errors));
                return ControlResponse.Failure("lvsnetd refused the resulting configuration:", [.. ex.Errors.Select(e => new ConfigErrorInfo(e.Path, e.Line, e.Message) { Column = e.Column })]);
            }

            // -D then -A (or -C then a restore) within one request: those services start from zero too.
            IEnumerable<ServiceKey> cleared = operations.Any(o => o.Kind == EditKind.Clear) ? snapshot.Services.Select(v => v.Key) : [];
            _book.Follow(_runtime.Current!, [.. cleared, .. operations.Where(o => o.Kind == EditKind.DeleteService && o.Service is not null).Select(o => o.Service!.ToKey())]);

            if (next.Director.PrepareHost)
            {
                // A new VIP must not stay a kernel address (the kernel would answer its SYNs with RST);
                // a VIP that left gets back what was taken from the kernel for it.
                _host.FollowVirtualAddresses(_runtime.Current!.OwnedAddresses);
            }

            ControlLog.EditApplied(_logger, description, changes.ToString(), changes.ServicesAdded, changes.ServicesRemoved, changes.ServicesEdited, changes.ServersAdded, changes.ServersRemoved, changes.ServersEdited);
            _lastEditAt = _time.GetUtcNow();
            string? note = null;
            if (_options.WriteConfig)
            {
                try
                {
                    ConfigFileWriter.Write(_options.ConfigPath, next);
                    ControlLog.ConfigWritten(_logger, _options.ConfigPath);
                    _lastEditAt = null;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ConfigException)
                {
                    ControlLog.ConfigWriteFailed(_logger, _options.ConfigPath, ex.Message);
                    note = $"warning: the edit is in force but {_options.ConfigPath} was not written: {ex.Message}";
                }
            }

            return ControlResponse.Success(note ?? changes.ToString());
        }
    }

    /// <summary>The listing of every service, or of one; with <paramref name="health"/> every configured server with its health.</summary>
    public ControlResponse List(ServiceSelector? only, bool health = false)
    {
        var snapshot = _runtime.Current;
        if (snapshot is null)
        {
            return ControlResponse.Failure("no configuration is running");
        }

        var listing = ListingBuilder.Build(snapshot, _book, TableSize(snapshot), only, health ? HealthMonitor?.Describe() ?? [] : null);
        if (only is not null && listing.Services.Count == 0)
        {
            return ControlResponse.Failure("No such service");
        }

        return new ControlResponse { Ok = true, Listing = listing };
    }

    /// <summary>Zeroes counters and rates (ipvsadm -Z).</summary>
    public ControlResponse Zero(ServiceSelector? only)
    {
        var snapshot = _runtime.Current;
        if (snapshot is null)
        {
            return ControlResponse.Failure("no configuration is running");
        }

        if (!_book.Zero(snapshot, only?.ToKey()))
        {
            return ControlResponse.Failure("No such service");
        }

        ControlLog.CountersZeroed(_logger, only?.ToString() ?? "all services");
        return ControlResponse.Success();
    }

    /// <summary>Reloads the configuration file, telling systemd (RELOADING=1 ... READY=1), and reports the outcome with every error.</summary>
    public ControlResponse Reload()
    {
        lock (_editGate)
        {
            ControlLog.ReloadRequested(_logger, _options.ConfigPath);
            SnapshotChanges? changes = null;
            var thread = Environment.CurrentManagedThreadId;
            void Capture(LvsSnapshot snapshot, SnapshotChanges published)
            {
                if (Environment.CurrentManagedThreadId == thread)
                {
                    changes = published;
                }
            }

            _notifier.NotifyReloading();
            _runtime.SnapshotPublished += Capture;
            try
            {
                _reload.Reload();
            }
            finally
            {
                _runtime.SnapshotPublished -= Capture;
                _notifier.NotifyReady();
            }

            var report = Report(_reload.LastResult) ?? new ReloadReport { At = _time.GetUtcNow(), Applied = false, Path = _options.ConfigPath };
            if (report.Applied)
            {
                var restart = _reload.RestartRequired;
                var summary = changes?.ToString();
                if (restart.Count > 0)
                {
                    summary = $"{summary}{(summary is null ? "" : "; ")}needs a restart: {string.Join(", ", restart)} (the running values stay)";
                }

                report = report with { Summary = summary };
            }

            return new ControlResponse { Ok = report.Applied, Reload = report, Error = report.Applied ? null : "reload rejected" };
        }
    }

    /// <summary>The daemon's status.</summary>
    public DaemonStatus Status()
    {
        var snapshot = _runtime.Current;
        var now = _time.GetUtcNow();
        var last = _reload.LastResult;
        DateTimeOffset? lastEditAt;
        lock (_editGate)
        {
            lastEditAt = _lastEditAt;
        }

        var unsaved = lastEditAt is { } editAt && !(last is { Applied: true } reload && reload.At >= editAt);
        DataPathStatus? dataPath = null;
        CaptureCounters? capture = null;
        if (_capture.Counters is { } counters)
        {
            dataPath = new DataPathStatus
            {
                Received = counters.Received,
                Forwarded = counters.Forwarded,
                Ignored = counters.Ignored,
                Dropped = counters.TotalDropped,
                ConnectionsCreated = counters.ConnectionsCreated,
                ArpRepliesSent = counters.ArpRepliesSent,
                IcmpErrorsSent = counters.IcmpErrorsSent,
                TableEntries = _capture.Workers.Sum(w => w.Processor.Table.Count),
                TableCapacity = _capture.Workers.Sum(w => w.Processor.Table.Capacity),
                DefenceDropped = _capture.Workers.Sum(w => w.Processor.Table.DefenceDropped),
                HalfOpenEvicted = _capture.Workers.Sum(w => w.Processor.Table.HalfOpenEvicted),
                Errors = _capture.Workers.Sum(w => w.Errors),
                Workers = _capture.Workers.Count,
                DropsByReason = counters.DropsByReason().ToDictionary(d => d.Key.ToString(), d => d.Value),
                PerWorker = Workers(snapshot),
                Fragments = DefenceStatus.Fragments(counters, _capture.Workers),
                SynProxy = DefenceStatus.SynProxy(counters),
                Neighbours = DefenceStatus.Neighbours(_capture.Workers),
                Icmpv6 = new Icmpv6Status
                {
                    EchoRepliesSent = counters.Icmpv6EchoRepliesSent, UnreachableSent = counters.Icmpv6UnreachableSent, TimeExceededSent = counters.Icmpv6TimeExceededSent,
                    PacketTooBigSent = counters.Icmpv6PacketTooBigSent, ErrorsSuppressed = counters.Icmpv6ErrorsSuppressed, ErrorsForwarded = counters.Icmpv6ErrorsForwarded,
                },
            };
            var statistics = _capture.CaptureStatistics ?? default;
            capture = new CaptureCounters(statistics.Received, statistics.Dropped, statistics.InterfaceDropped);
        }

        return new DaemonStatus
        {
            Version = typeof(ControlRequestHandler).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0",
            Pid = Environment.ProcessId,
            StartedAt = _startedAt,
            UptimeSeconds = (long)(now - _startedAt).TotalSeconds,
            ConfigPath = _options.ConfigPath,
            SnapshotVersion = snapshot?.Version ?? 0,
            Services = snapshot?.Services.Count ?? 0,
            RealServers = snapshot?.Services.Sum(s => s.Servers.Length) ?? 0,
            UnsavedRuntimeEdits = unsaved && !_options.WriteConfig,
            WritesConfig = _options.WriteConfig,
            LastReload = Report(last),
            Capture = capture,
            DataPath = dataPath,
            LogLevel = _levelSwitch.MinimumLevel.ToString(),
            MetricsEndpoint = HttpEndpointSettings.Resolve(_options, snapshot?.Config) is { } endpoint ? endpoint.Url + "metrics" : null,
            StatusPage = HttpEndpointSettings.Resolve(_options, snapshot?.Config)?.Url,
            Ha = _ha?.Status(),
            Announcement = _announcer?.Status(),
        };
    }

    /// <summary>Parses a level name (Serilog's, or Trace/Info/Warn/Critical) and switches to it.</summary>
    public ControlResponse SetLogLevel(string? level)
    {
        if (!TryParseLevel(level, out var parsed))
        {
            return ControlResponse.Failure($"unknown log level '{level}': use Verbose, Debug, Information, Warning, Error or Fatal");
        }

        var old = _levelSwitch.MinimumLevel;
        _levelSwitch.MinimumLevel = parsed;

        // Logged at Warning so the change itself shows at any level up to Warning.
        ControlLog.LogLevelChanged(_logger, old.ToString(), parsed.ToString());
        return ControlResponse.Success($"log level {parsed} (was {old})");
    }

    /// <summary>Maps a level name to Serilog's level.</summary>
    public static bool TryParseLevel(string? text, out LogEventLevel level)
    {
        level = LogEventLevel.Information;
        switch (text?.ToLowerInvariant())
        {
            case "trace":
                level = LogEventLevel.Verbose;
                return true;
            case "info":
                level = LogEventLevel.Information;
                return true;
            case "warn":
                level = LogEventLevel.Warning;
                return true;
            case "critical":
                level = LogEventLevel.Fatal;
                return true;
            default:
                return !string.IsNullOrEmpty(text) && !int.TryParse(text, out _) && Enum.TryParse(text, ignoreCase: true, out level) && Enum.IsDefined(level);
        }
    }

    private ControlResponse Export()
    {
        var snapshot = _runtime.Current;
        if (snapshot is null)
        {
            return ControlResponse.Failure("no configuration is running");
        }

        var yaml = ConfigYamlWriter.Write(snapshot.Config, [$"Running configuration of lvsnetd (snapshot {snapshot.Version}), from lvsnetadm export-yaml.", "Install it with: lvsnetadm export-yaml > /etc/lvsnet/lvsnet.yaml.new && lvsnetd --config /etc/lvsnet/lvsnet.yaml.new --check"]);
        return new ControlResponse { Ok = true, Yaml = yaml };
    }

    private async Task<ControlResponse> ConnectionsAsync(CancellationToken cancellationToken)
    {
        if (_capture.Workers.Count == 0)
        {
            return ControlResponse.Failure("the capture thread is not running");
        }

        var entries = await _capture.ListConnectionsAsync(MaxListedConnections, ConnectionListTimeout, cancellationToken).ConfigureAwait(false);
        var rows = new List<ConnectionRow>(entries.Count);
        foreach (var entry in entries)
        {
            rows.Add(ConnectionRows.Of(entry));
        }

        // The IPv6 table's entries follow the IPv4 ones (each worker lists its own table on its thread).
        var left = MaxListedConnections - rows.Count;
        if (left > 0)
        {
            var parts = await Task.WhenAll(_capture.Workers.Select(w => w.InvokeAsync(p => ConnectionRows.ListIpv6(p, left)).WaitAsync(ConnectionListTimeout, cancellationToken))).ConfigureAwait(false);
            rows.AddRange(parts.SelectMany(p => p).Take(left));
        }

        return new ControlResponse { Ok = true, Connections = rows };
    }

    private async Task<ControlResponse> QueryConnectionsAsync(ConnectionFilter filter, CancellationToken cancellationToken)
    {
        if (!filter.IsValid(out var error))
        {
            return ControlResponse.Failure(error!);
        }

        if (_capture.Workers.Count == 0)
        {
            return ControlResponse.Failure("the capture thread is not running");
        }

        var (rows, counts) = await ConnectionQuery.RunAsync(_capture.Workers, filter, ConnectionListTimeout, cancellationToken).ConfigureAwait(false);
        return new ControlResponse { Ok = true, Connections = rows, ConnectionCounts = counts };
    }

    private List<WorkerStatus> Workers(LvsSnapshot? snapshot)
    {
        var backend = (snapshot?.Config.Capture.Backend ?? CaptureBackend.Pcap).ToString().ToLowerInvariant();
        var result = new List<WorkerStatus>(_capture.Workers.Count);
        for (var i = 0; i < _capture.Workers.Count; i++)
        {
            var worker = _capture.Workers[i];
            var counters = worker.Processor.Counters;
            var statistics = worker.Statistics;
            result.Add(new WorkerStatus
            {
                Index = i,
                Backend = backend,
                Received = counters.Received,
                Forwarded = counters.Forwarded,
                Dropped = counters.TotalDropped,
                TableEntries = worker.Processor.Table.Count,
                TableCapacity = worker.Processor.Table.Capacity,
                Errors = worker.Errors,
                Capture = new CaptureCounters(statistics.Received, statistics.Dropped, statistics.InterfaceDropped),
            });
        }

        return result;
    }

    private int TableSize(LvsSnapshot snapshot) =>
        _capture.Workers.Count > 0 ? _capture.Workers.Sum(w => w.Processor.Table.BucketCount) : (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, snapshot.Config.Connections.MaxEntries));

    private ReloadReport? Report((DateTimeOffset At, bool Applied, IReadOnlyList<ConfigError> Errors)? result) =>
        result is { } r
            ? new ReloadReport { At = r.At, Applied = r.Applied, Path = _options.ConfigPath, Errors = [.. r.Errors.Select(e => new ConfigErrorInfo(e.Path, e.Line, e.Message) { Column = e.Column })] }
            : null;

    private static string Describe(IReadOnlyList<EditOperation> operations) =>
        operations.Count switch
        {
            0 => "nothing",
            1 => Describe(operations[0]),
            _ => $"{operations.Count} operations from a restore",
        };

    private static string Describe(EditOperation operation) => operation.Kind switch
    {
        EditKind.Clear => "-C",
        EditKind.SetTimeouts => $"--set {operation.Timeouts?.Tcp} {operation.Timeouts?.TcpFin} {operation.Timeouts?.Udp}",
        EditKind.AddService => $"-A {operation.Service}",
        EditKind.EditService => $"-E {operation.Service}",
        EditKind.DeleteService => $"-D {operation.Service}",
        EditKind.AddServer => $"-a {operation.Service} -r {operation.ServerAddress}:{operation.ServerPort}",
        EditKind.EditServer => $"-e {operation.Service} -r {operation.ServerAddress}:{operation.ServerPort}",
        EditKind.AddLocalAddress => $"-P {operation.Service} -z {operation.LocalAddress}",
        EditKind.DeleteLocalAddress => $"-Q {operation.Service} -z {operation.LocalAddress}",
        EditKind.SetWeight => operation.ServerAddress is null
            ? $"weight {operation.Weight} for every server of {operation.Service}"
            : $"weight {operation.Weight} for {operation.Service} -r {operation.ServerAddress}:{operation.ServerPort}",
        _ => $"-d {operation.Service} -r {operation.ServerAddress}:{operation.ServerPort}",
    };
}
