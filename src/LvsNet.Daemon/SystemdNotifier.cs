using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Hosting;

namespace LvsNet.Daemon;

/// <summary>
/// The sd_notify protocol: datagrams such as <c>READY=1</c> to the unix socket named by
/// <c>$NOTIFY_SOCKET</c> (an abstract socket when it starts with '@'). A no-op without systemd.
/// </summary>
/// <remarks>
/// With <c>WatchdogSec=</c> in the unit, systemd sets <c>$WATCHDOG_USEC</c> (and <c>$WATCHDOG_PID</c>);
/// the notifier then sends <c>WATCHDOG=1</c> every half interval, as sd_watchdog_enabled(3)
/// recommends, but only while <see cref="WatchdogHealthCheck"/> says the daemon is healthy, so a
/// stuck capture thread gets the service restarted.
/// </remarks>
public sealed class SystemdNotifier : IHostedService, IDisposable
{
    private readonly string? _socketPath;
    private readonly TimeProvider _time;
    private ITimer? _watchdog;

    /// <summary>Creates the notifier from the environment.</summary>
    public SystemdNotifier()
        : this(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"), WatchdogFromEnvironment(), TimeProvider.System)
    {
    }

    /// <summary>Creates a notifier for an explicit socket path (tests).</summary>
    public SystemdNotifier(string? socketPath)
        : this(socketPath, null, TimeProvider.System)
    {
    }

    /// <summary>Creates a notifier for an explicit socket path and watchdog interval (tests).</summary>
    public SystemdNotifier(string? socketPath, TimeSpan? watchdogInterval, TimeProvider time)
    {
        _socketPath = string.IsNullOrEmpty(socketPath) ? null : socketPath;
        WatchdogInterval = _socketPath is null ? null : watchdogInterval;
        _time = time;
    }

    /// <summary>True when a notify socket is configured.</summary>
    public bool IsEnabled => _socketPath is not null;

    /// <summary>The watchdog interval systemd asked for, or null when the watchdog is off.</summary>
    public TimeSpan? WatchdogInterval { get; }

    /// <summary>Decides before each watchdog ping whether the daemon is healthy; null = always.</summary>
    public Func<bool>? WatchdogHealthCheck { get; set; }

    /// <summary>Sends one notification; false when disabled or the send failed.</summary>
    public bool Notify(string state)
    {
        if (_socketPath is null)
        {
            return false;
        }

        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            var path = _socketPath[0] == '@' ? "\0" + _socketPath[1..] : _socketPath;
            socket.Connect(new UnixDomainSocketEndPoint(path));
            socket.Send(Encoding.UTF8.GetBytes(state));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Tells systemd a reload begins (<c>RELOADING=1</c> with CLOCK_MONOTONIC); follow with <see cref="NotifyReady"/>.</summary>
    public bool NotifyReloading()
    {
        // Stopwatch reads CLOCK_MONOTONIC on Linux, the clock MONOTONIC_USEC is defined on.
        var usec = (long)(Stopwatch.GetTimestamp() * (1_000_000.0 / Stopwatch.Frequency));
        return Notify(string.Create(CultureInfo.InvariantCulture, $"RELOADING=1\nMONOTONIC_USEC={usec}"));
    }

    /// <summary>Tells systemd the service is ready (after start or a reload).</summary>
    public bool NotifyReady() => Notify("READY=1");

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Registered after the capture service, so READY means the data path runs.
        Notify($"READY=1\nMAINPID={Environment.ProcessId}");
        if (WatchdogInterval is { } interval && interval > TimeSpan.Zero)
        {
            var half = interval / 2;
            _watchdog = _time.CreateTimer(_ => PingWatchdog(), null, half, half);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        _watchdog?.Dispose();
        _watchdog = null;
        Notify("STOPPING=1");
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void Dispose() => _watchdog?.Dispose();

    /// <summary>Sends <c>WATCHDOG=1</c> when the health check passes; returns whether it was sent.</summary>
    public bool PingWatchdog() => (WatchdogHealthCheck?.Invoke() ?? true) && Notify("WATCHDOG=1");

    // sd_watchdog_enabled(3): WATCHDOG_USEC, and WATCHDOG_PID (when set) must be this process.
    private static TimeSpan? WatchdogFromEnvironment()
    {
        if (!long.TryParse(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out var usec) || usec <= 0)
        {
            return null;
        }

        var pid = Environment.GetEnvironmentVariable("WATCHDOG_PID");
        if (!string.IsNullOrEmpty(pid) && pid != Environment.ProcessId.ToString(CultureInfo.InvariantCulture))
        {
            return null;
        }

        return TimeSpan.FromMicroseconds(usec);
    }
}
