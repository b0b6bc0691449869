using System.Net.Sockets;
using System.Text;
using LvsNet.Cli.Admin;
using LvsNet.Cli.Ipvsadm;
using LvsNet.Control.Listings;
using LvsNet.Control.Protocol;
using LvsNet.Core;
using LvsNet.Core.Configuration;
using LvsNet.Daemon.Control;
using LvsNet.Daemon.Host;
using Microsoft.Extensions.Logging.Abstractions;
using Serilog.Core;
using Serilog.Events;

namespace LvsNet.Daemon.Tests.Control;

/// <summary>
/// The daemon's control plane without a capture thread: runtime, reload service, handler and the
/// command socket in a temporary directory, with a configuration file that does not touch the host
/// (prepare_host: false) and an optional fake NOTIFY_SOCKET.
/// </summary>
public sealed class ControlTestHost : IAsyncDisposable
{
    public const string Yaml =
        """
        director:
          interface: eth0
          address: 10.0.0.2/24
          prepare_host: false
        virtual_services:
          - name: web
            protocol: tcp
            address: 10.0.0.100
            port: 80
            scheduler: rr
            real_servers:
              - address: 10.0.0.11
              - address: 10.0.0.12
        """;

    private readonly Socket? _notifyListener;

    private ControlTestHost(string directory, bool writeConfig, bool notify)
    {
        Directory = directory;
        File.WriteAllText(ConfigPath, Yaml);
        Options = new DaemonOptions { ConfigPath = ConfigPath, SocketPath = SocketPath, WriteConfig = writeConfig, MetricsPort = 9123 };
        Runtime = new LvsRuntime();
        Runtime.Apply(LvsConfigReader.ReadFile(ConfigPath));
        var host = new DirectorHost(NullLogger<DirectorHost>.Instance);
        Reload = new ReloadService(Runtime, Options, host, NullLogger<ReloadService>.Instance);
        Capture = new CaptureService(Runtime, host, new StatisticsLogger(NullLogger<StatisticsLogger>.Instance), NullLoggerFactory.Instance, TimeProvider.System);
        if (notify)
        {
            _notifyListener = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            _notifyListener.Bind(new UnixDomainSocketEndPoint(NotifyPath));
            _notifyListener.ReceiveTimeout = 5000;
        }

        Notifier = new SystemdNotifier(notify ? NotifyPath : null);
        Book = new StatisticsBook();
        LevelSwitch = new LoggingLevelSwitch(LogEventLevel.Information);
        Handler = new ControlRequestHandler(Runtime, Reload, Capture, host, Options, Book, LevelSwitch, Notifier, TimeProvider.System, NullLogger<ControlRequestHandler>.Instance);
        Socket = new ControlSocketService(Handler, Options, NullLogger<ControlSocketService>.Instance);
    }

    public string Directory { get; }

    public string ConfigPath => Path.Combine(Directory, "lvsnet.yaml");

    public string SocketPath => Path.Combine(Directory, "run", "lvsnetd.sock");

    public string NotifyPath => Path.Combine(Directory, "notify.sock");

    public DaemonOptions Options { get; }

    public LvsRuntime Runtime { get; }

    public ReloadService Reload { get; }

    public CaptureService Capture { get; }

    public SystemdNotifier Notifier { get; }

    public StatisticsBook Book { get; }

    public LoggingLevelSwitch LevelSwitch { get; }

    public ControlRequestHandler Handler { get; }

    public ControlSocketService Socket { get; }

    public static async Task<ControlTestHost> StartAsync(bool writeConfig = false, bool notify = false)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("lvsnet-control-").FullName;
        var host = new ControlTestHost(directory, writeConfig, notify);
        await host.Socket.StartAsync(CancellationToken.None);
        return host;
    }

    public Task<ControlResponse> SendAsync(ControlRequest request) => new ControlClient(SocketPath).SendAsync(request);

    /// <summary>Runs lvsnetadm's logic against this host's socket.</summary>
    public async Task<(int Code, string Stdout, string Stderr)> AdminAsync(string line, string stdin = "")
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var runner = new AdminRunner(new StringReader(stdin), stdout, stderr, NumericNameResolver.Instance);
        var code = await runner.RunAsync(["--socket", SocketPath, .. line.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The next datagram on the fake NOTIFY_SOCKET.</summary>
    public string ReceiveNotification()
    {
        var buffer = new byte[4096];
        return Encoding.UTF8.GetString(buffer, 0, _notifyListener!.Receive(buffer));
    }

    public async ValueTask DisposeAsync()
    {
        await Socket.StopAsync(CancellationToken.None);
        Socket.Dispose();
        Reload.Dispose();
        Notifier.Dispose();
        _notifyListener?.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
