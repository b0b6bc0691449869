using LvsNet.Core;
using LvsNet.Core.Configuration;
using LvsNet.Core.Runtime;
using LvsNet.Daemon;
using LvsNet.Daemon.Control;
using LvsNet.Daemon.Ha;
using LvsNet.Daemon.Health;
using LvsNet.Daemon.Host;
using LvsNet.Daemon.Metrics;
using LvsNet.PacketIo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Compact;

DaemonOptions options;
try
{
    options = DaemonOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"lvsnetd: {ex.Message}");
    Console.Error.WriteLine(DaemonOptions.Usage);
    return 2;
}

if (options.Help)
{
    Console.WriteLine(DaemonOptions.VersionLine);
    Console.WriteLine(DaemonOptions.Usage);
    return 0;
}

if (options.Version)
{
    Console.WriteLine(DaemonOptions.VersionLine);
    return 0;
}

if (!Enum.TryParse<LogEventLevel>(options.LogLevel, ignoreCase: true, out var level))
{
    Console.Error.WriteLine($"lvsnetd: unknown log level '{options.LogLevel}' (Verbose, Debug, Information, Warning, Error)");
    return 2;
}

// CLEF (compact JSON, one object per line) with the rendered message: what Serilog's own tools
// (clef-tool, Seq) read; event ids stay in the EventId property ({"Id":100,"Name":"Started"}).
var formatter = new RenderedCompactJsonFormatter();

// lvsnetadm log-level changes this switch at run time; Microsoft.Extensions.Logging passes everything to Serilog.
var levelSwitch = new LoggingLevelSwitch(level);
var loggerConfiguration = new LoggerConfiguration()
    .MinimumLevel.ControlledBy(levelSwitch)
    .Enrich.FromLogContext()
    .WriteTo.Async(sink => sink.Console(formatter));
if (options.LogFile is { } logFile)
{
    loggerConfiguration = loggerConfiguration.WriteTo.Async(sink => sink.File(formatter, logFile));
}

await using var serilog = loggerConfiguration.CreateLogger();
using var loggerFactory = LoggerFactory.Create(logging => logging.AddSerilog(serilog).SetMinimumLevel(LogLevel.Trace));
var startupLogger = loggerFactory.CreateLogger("LvsNet.Daemon");

LvsConfig config;
try
{
    config = LvsConfigReader.ReadFile(options.ConfigPath);
}
catch (ConfigException ex)
{
    Console.Error.WriteLine(ex.Message);
    StartupLog.ConfigRejected(startupLogger, options.ConfigPath, ex.Errors.Count);
    foreach (var error in ex.Errors)
    {
        StartupLog.ConfigError(startupLogger, error.Path, error.Line, error.Message);
    }

    return 1;
}

if (options.CheckOnly)
{
    Console.WriteLine($"{options.ConfigPath}: configuration OK ({config.VirtualServices.Length} virtual service(s), {config.VirtualServices.Sum(s => s.RealServers.Length)} real server(s))");
    return 0;
}

var runtime = new LvsRuntime();
runtime.Apply(config);

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
// Serilog.Extensions.Hosting: Serilog's logger factory replaces Microsoft.Extensions.Logging's; the
// level switch above stays the only filter. The logger is disposed (flushed) by this program, not the host.
builder.Services.AddSerilog(serilog, dispose: false);
builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));
builder.Services.AddSingleton(options);
builder.Services.AddSingleton(levelSwitch);
builder.Services.AddSingleton(runtime);

// Director HA: the role (keepalived's notify scripts set it through lvsnetadm) and the sync queues, shared with the capture threads.
builder.Services.AddSingleton(new LvsNet.Core.Ha.DirectorRoleState(config.HighAvailability.InitialRole));
builder.Services.AddSingleton(new LvsNet.Core.Sync.SyncHub(config.Capture.Workers, config.HighAvailability.SyncDaemon?.QueueLength ?? 16384));
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<DirectorHost>();
builder.Services.AddSingleton<StatisticsLogger>();
builder.Services.AddSingleton<CaptureService>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<CaptureService>());
builder.Services.AddSingleton<ReloadService>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<ReloadService>());
builder.Services.AddHostedService<StatisticsService>();
builder.Services.AddHostedService<DynamicWeightService>();

// Health checks (after capture, which prepares the host): they publish by snapshot rebuilds and feed the dynamic weights.
builder.Services.AddLvsNetHealth();

// HA control after capture and health: the sync daemons need the capture threads, ha_suspend the monitor.
builder.Services.AddSingleton<SyncDaemons>();
builder.Services.AddSingleton<HaController>();
builder.Services.AddSingleton<LvsNet.Daemon.Status.IStatusPageSection, HaStatusSection>();
builder.Services.AddHostedService<HaService>();
builder.Services.AddSingleton<HaMetrics>();

// Route announcement through BIRD (YAML announce): after capture, health and HA, so it starts last and withdraws first at shutdown.
builder.Services.AddSingleton<LvsNet.Daemon.Routing.RouteAnnouncer>();
builder.Services.AddSingleton<LvsNet.Daemon.Routing.RoutingMetrics>();
builder.Services.AddHostedService<LvsNet.Daemon.Routing.AnnouncementService>();
builder.Services.AddSingleton<LvsNet.Daemon.Status.IStatusPageSection, LvsNet.Daemon.Routing.AnnouncementStatusSection>();

// Command socket, rate estimator, reload notifications, metrics: before READY=1 is sent.
builder.Services.AddLvsNetControl();
builder.Services.AddLvsNetMetrics(options, config);
builder.Services.AddHostedService(sp => sp.GetRequiredService<SystemdNotifier>());

// Microsoft.Extensions.Hosting.Systemd: READY=1 once every hosted service above has started (so the
// data path runs), STOPPING=1 when the stop begins, SIGTERM handling. Registered directly rather than
// with AddSystemd(), which turns itself off unless the parent process is systemd: sd_notify(3) looks
// only at $NOTIFY_SOCKET, and so does lvsnetd (a no-op without it).
builder.Services.AddSingleton<Microsoft.Extensions.Hosting.Systemd.ISystemdNotifier, Microsoft.Extensions.Hosting.Systemd.SystemdNotifier>();
builder.Services.AddSingleton<IHostLifetime, Microsoft.Extensions.Hosting.Systemd.SystemdLifetime>();

using var host = builder.Build();
try
{
    await host.RunAsync().ConfigureAwait(false);
    return 0;
}
catch (Exception ex) when (ex is InvalidOperationException or LvsNet.PacketIo.PcapException or DllNotFoundException)
{
    StartupLog.StartFailed(startupLogger, ex, ex.Message);
    Console.Error.WriteLine($"lvsnetd: {ex.Message}");
    return 1;
}
