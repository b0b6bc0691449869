using System.Runtime.InteropServices;
using LvsNet.Core.Diagnostics;
using LvsNet.Core;
using LvsNet.Core.Configuration;
using LvsNet.Core.Runtime;
using LvsNet.Daemon.Host;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LvsNet.Daemon;

/// <summary>
/// Reloads the configuration file on SIGHUP and when the file changes: a valid file replaces the running snapshot
/// atomically (connections of services and servers that still exist are kept); an invalid one is
/// logged with every error and the running configuration stays.
/// </summary>
public sealed partial class ReloadService : IHostedService, IDisposable
{
    private readonly LvsRuntime _runtime;
    private readonly DaemonOptions _options;
    private readonly DirectorHost _host;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private static readonly TimeSpan WatchSettle = TimeSpan.FromMilliseconds(500);

    private PosixSignalRegistration? _registration;
    private FileSystemWatcher? _watcher;
    private Timer? _settle;
    private string? _lastAppliedText;

    /// <summary>Creates the service.</summary>
    public ReloadService(LvsRuntime runtime, DaemonOptions options, DirectorHost host, ILogger<ReloadService> logger)
    {
        _runtime = runtime;
        _options = options;
        _host = host;
        _logger = logger;
    }

    /// <summary>Raised before a SIGHUP- or file-triggered reload reads the file (for systemd's RELOADING=1).</summary>
    public event Action? SignalReloadStarting;

    /// <summary>Raised after a SIGHUP- or file-triggered reload, with whether the new file is in force.</summary>
    public event Action<bool>? SignalReloadFinished;

    /// <summary>The outcome of the last reload: null before any, else whether it was applied and its errors.</summary>
    public (DateTimeOffset At, bool Applied, IReadOnlyList<ConfigError> Errors)? LastResult { get; private set; }

    /// <summary>
    /// What the last applied reload left for the next restart (<c>director</c>, <c>capture</c>,
    /// <c>connections.max_entries</c>): changed in the file, the running values stay.
    /// </summary>
    public IReadOnlyList<string> RestartRequired { get; private set; } = [];

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _registration = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            ThreadPool.QueueUserWorkItem(_ =>
            {
                SignalReloadStarting?.Invoke();
                var applied = Reload();
                SignalReloadFinished?.Invoke(applied);
            });
        });
        WatchConfigFile();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        _registration?.Dispose();
        _registration = null;
        _watcher?.Dispose();
        _watcher = null;
        _settle?.Dispose();
        _settle = null;
        return Task.CompletedTask;
    }

    /// <summary>
    /// Watches the configuration file: a write, or an editor's write-then-rename, reloads it after
    /// the file has been quiet for half a second (so a half-written file is not read). A change
    /// that leaves the text as it was (a touch) is not applied again.
    /// </summary>
    private void WatchConfigFile()
    {
        var full = Path.GetFullPath(_options.ConfigPath);
        var directory = Path.GetDirectoryName(full);
        if (directory is null || !Directory.Exists(directory))
        {
            return;
        }

        _lastAppliedText = TryRead(full);
        _settle = new Timer(_ => OnFileSettled(full));
        _watcher = new FileSystemWatcher(directory, Path.GetFileName(full))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        FileSystemEventHandler changed = (_, _) => _settle?.Change(WatchSettle, Timeout.InfiniteTimeSpan);
        _watcher.Changed += changed;
        _watcher.Created += changed;
        _watcher.Renamed += (_, _) => _settle?.Change(WatchSettle, Timeout.InfiniteTimeSpan);
        _watcher.EnableRaisingEvents = true;
    }

    private void OnFileSettled(string path)
    {
        var text = TryRead(path);
        if (text is null || text == Volatile.Read(ref _lastAppliedText))
        {
            return;
        }

        SignalReloadStarting?.Invoke();
        var applied = Reload();
        SignalReloadFinished?.Invoke(applied);
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Reads, validates and applies the configuration file.</summary>
    /// <returns>True when the new configuration is in force.</returns>
    public bool Reload()
    {
        lock (_gate)
        {
            // Whatever triggered this reload, the watcher need not read the same text again.
            _lastAppliedText = TryRead(Path.GetFullPath(_options.ConfigPath));
            try
            {
                var config = LvsConfigReader.ReadFile(_options.ConfigPath);
                var running = _runtime.Current?.Config;
                var restart = new List<string>();
                if (running is not null && config.Director != running.Director)
                {
                    Log.RestartRequired(_logger, "director");
                    restart.Add("director");
                    config = config with { Director = running.Director };
                }

                if (running is not null && config.Capture != running.Capture)
                {
                    Log.RestartRequired(_logger, "capture");
                    restart.Add("capture");
                    config = config with { Capture = running.Capture };
                }

                // The HTTP endpoint binds its address, port and certificate at start.
                if (running is not null && config.Http != running.Http)
                {
                    Log.RestartRequired(_logger, "http");
                    restart.Add("http");
                    config = config with { Http = running.Http };
                }

                // Each capture thread sized its connection table at start and owns it without locks;
                // growing it would mean rehashing live entries under the data path, so a new size
                // waits for a restart like the director section (the timeouts still apply now).
                if (running is not null && config.Connections.MaxEntries != running.Connections.MaxEntries)
                {
                    Log.RestartRequired(_logger, "connections.max_entries");
                    restart.Add("connections.max_entries");
                    config = config with { Connections = config.Connections with { MaxEntries = running.Connections.MaxEntries } };
                }

                // The fragment buffers and queues are allocated at start like the table; the timeout applies now.
                if (running is not null && (config.Fragments.MemoryBytes, config.Fragments.MaxDatagrams) != (running.Fragments.MemoryBytes, running.Fragments.MaxDatagrams))
                {
                    Log.RestartRequired(_logger, "fragments.memory_bytes/max_datagrams");
                    restart.Add("fragments.memory_bytes/max_datagrams");
                    config = config with { Fragments = config.Fragments with { MemoryBytes = running.Fragments.MemoryBytes, MaxDatagrams = running.Fragments.MaxDatagrams } };
                }

                var changes = _runtime.Apply(config);
                if (config.Director.PrepareHost)
                {
                    _host.FollowVirtualAddresses(_runtime.Current!.OwnedAddresses);
                }

                Log.Applied(_logger, _options.ConfigPath, changes.ToString(), changes.ServicesAdded, changes.ServicesRemoved, changes.ServicesEdited, changes.ServersAdded, changes.ServersRemoved, changes.ServersEdited);
                LastResult = (DateTimeOffset.UtcNow, true, []);
                RestartRequired = restart;
                return true;
            }
            catch (ConfigException ex)
            {
                Log.Rejected(_logger, _options.ConfigPath, ex.Errors.Count);
                foreach (var error in ex.Errors)
                {
                    Log.Error(_logger, error.Path, error.Line, error.Message);
                }

                LastResult = (DateTimeOffset.UtcNow, false, ex.Errors);
                RestartRequired = [];
                return false;
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _registration?.Dispose();
        _watcher?.Dispose();
        _settle?.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.ConfigApplied, EventName = nameof(EventIds.ConfigApplied), Level = LogLevel.Information,
            Message = "Configuration {Path} applied: {Summary}; services added {ServicesAdded} removed {ServicesRemoved} edited {ServicesEdited}; real servers added {ServersAdded} removed {ServersRemoved} edited {ServersEdited}")]
        public static partial void Applied(ILogger logger, string path, string summary, List<string> servicesAdded, List<string> servicesRemoved, List<string> servicesEdited, List<string> serversAdded, List<string> serversRemoved, List<string> serversEdited);

        [LoggerMessage(EventId = EventIds.ConfigRejected, EventName = nameof(EventIds.ConfigRejected), Level = LogLevel.Error,
            Message = "Configuration {Path} rejected with {ErrorCount} error(s); the running configuration stays")]
        public static partial void Rejected(ILogger logger, string path, int errorCount);

        [LoggerMessage(EventId = EventIds.ConfigError, EventName = nameof(EventIds.ConfigError), Level = LogLevel.Error, Message = "{YamlPath} (line {Line}): {Error}")]
        public static partial void Error(ILogger logger, string yamlPath, int? line, string error);

        [LoggerMessage(EventId = EventIds.RestartRequired, EventName = nameof(EventIds.RestartRequired), Level = LogLevel.Warning,
            Message = "{Section} changed; it takes effect at the next restart (the running values stay)")]
        public static partial void RestartRequired(ILogger logger, string section);
    }
}
