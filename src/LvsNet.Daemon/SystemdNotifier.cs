using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace LvsNet.Daemon;

/// <summary>
/// What LvsNet tells systemd beyond start and stop: the watchdog ping, only while the capture
/// progresses, and <c>RELOADING=1</c> … <c>READY=1</c> around a reload. The datagrams go through
/// Microsoft.Extensions.Hosting.Systemd's <see cref="ISystemdNotifier"/> (the socket named by
/// <c>$NOTIFY_SOCKET</c>; a no-op without it), whose <see cref="SystemdLifetime"/> sends
/// <c>READY=1</c> once every hosted service has started and <c>STOPPING=1</c> when the stop begins.
/// </summary>
/// <remarks>
/// The library has no watchdog and no reload notification, so both stay here: with
/// <c>WatchdogSec=</c> in the unit, systemd sets <c>$WATCHDOG_USEC</c> (and <c>$WATCHDOG_PID</c>);
/// <c>WATCHDOG=1</c> is then sent every half interval, as sd_watchdog_enabled(3) recommends, but
/// only while <see cref="WatchdogHealthCheck"/> says the daemon is healthy, so a stuck capture
/// thread gets the service restarted.
/// </remarks>
public sealed class SystemdNotifier : IHostedService, IDisposable
{
    private readonly ISystemdNotifier _transport;
    private readonly TimeProvider _time;
    private ITimer? _watchdog;

    /// <summary>Creates the notifier from the environment ($NOTIFY_SOCKET, $WATCHDOG_USEC).</summary>
    public SystemdNotifier()
        : this(new Microsoft.Extensions.Hosting.Systemd.SystemdNotifier(), WatchdogFromEnvironment(), TimeProvider.System)
    {
    }

    /// <summary>Creates a notifier over <paramref name="transport"/> with an explicit watchdog interval (tests).</summary>
    public SystemdNotifier(ISystemdNotifier transport, TimeSpan? watchdogInterval, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(transport);
        _transport = transport;
        WatchdogInterval = transport.IsEnabled ? watchdogInterval : null;
        _time = time;
    }

    /// <summary>True when a notify socket is configured.</summary>
    public bool IsEnabled => _transport.IsEnabled;

    /// <summary>The watchdog interval systemd asked for, or null when the watchdog is off.</summary>
    public TimeSpan? WatchdogInterval { get; }

    /// <summary>Decides before each watchdog ping whether the daemon is healthy; null = always.</summary>
    public Func<bool>? WatchdogHealthCheck { get; set; }

    /// <summary>Sends one notification; false when disabled or the send failed (systemd gone).</summary>
    public bool Notify(string state)
    {
        if (!_transport.IsEnabled)
        {
            return false;
        }

        try
        {
            _transport.Notify(new ServiceState(state));
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

    /// <summary>Tells systemd the service is ready again after a reload.</summary>
    public bool NotifyReady() => Notify("READY=1");

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
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
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void Dispose() => _watchdog?.Dispose();

    /// <summary>Sends <c>WATCHDOG=1</c> when the health check passes; returns whether it was sent.</summary>
    public bool PingWatchdog() => (WatchdogHealthCheck?.Invoke() ?? true) && Notify("WATCHDOG=1");

    /// <summary>sd_watchdog_enabled(3): <c>$WATCHDOG_USEC</c>, and <c>$WATCHDOG_PID</c> (when set) must be this process.</summary>
    public static TimeSpan? WatchdogFromEnvironment()
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
