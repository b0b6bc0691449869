using System.Net.Sockets;
using System.Text;
using LvsNet.Daemon;
using Xunit;

namespace LvsNet.Daemon.Tests;

/// <summary>The watchdog and reload notifications of <see cref="SystemdNotifier"/>, against a fake NOTIFY_SOCKET.</summary>
public sealed class SystemdNotifierWatchdogTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"lvsnet-notify-{Guid.NewGuid():N}.sock");
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);

    public SystemdNotifierWatchdogTests()
    {
        _listener.Bind(new UnixDomainSocketEndPoint(_path));
        _listener.ReceiveTimeout = 5000;
    }

    private string Receive()
    {
        var buffer = new byte[512];
        return Encoding.UTF8.GetString(buffer, 0, _listener.Receive(buffer));
    }

    [Fact]
    public async Task Watchdog_PingsAtHalfTheInterval()
    {
        using var notifier = new SystemdNotifier(_path, TimeSpan.FromMilliseconds(400), TimeProvider.System);
        await notifier.StartAsync(CancellationToken.None);
        Assert.StartsWith("READY=1", Receive(), StringComparison.Ordinal);
        var started = DateTime.UtcNow;
        Assert.Equal("WATCHDOG=1", Receive());
        Assert.Equal("WATCHDOG=1", Receive());
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(3));
        await notifier.StopAsync(CancellationToken.None);
        Assert.Equal("STOPPING=1", ReceiveSkippingPings());
    }

    [Fact]
    public async Task Watchdog_UnhealthyWithholdsThePing()
    {
        using var notifier = new SystemdNotifier(_path, TimeSpan.FromMilliseconds(200), TimeProvider.System) { WatchdogHealthCheck = () => false };
        await notifier.StartAsync(CancellationToken.None);
        Assert.StartsWith("READY=1", Receive(), StringComparison.Ordinal);
        Assert.False(notifier.PingWatchdog());
        await Task.Delay(500);
        await notifier.StopAsync(CancellationToken.None);
        Assert.Equal("STOPPING=1", Receive());
    }

    [Fact]
    public void Watchdog_OffWithoutNotifySocket()
    {
        using var notifier = new SystemdNotifier(null, TimeSpan.FromSeconds(1), TimeProvider.System);
        Assert.Null(notifier.WatchdogInterval);
        Assert.False(notifier.PingWatchdog());
    }

    [Fact]
    public void NotifyReloading_SendsReloadingWithMonotonicTime()
    {
        using var notifier = new SystemdNotifier(_path);
        Assert.True(notifier.NotifyReloading());
        var message = Receive();
        Assert.Matches(@"^RELOADING=1\nMONOTONIC_USEC=\d+$", message);
        var usec = long.Parse(message[(message.IndexOf('=', 12) + 1)..]);
        var uptime = double.Parse(File.ReadAllText("/proc/uptime").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(usec / 1e6, uptime - 5, uptime + 5);
        Assert.True(notifier.NotifyReady());
        Assert.Equal("READY=1", Receive());
    }

    private string ReceiveSkippingPings()
    {
        string message;
        do
        {
            message = Receive();
        }
        while (message == "WATCHDOG=1");
        return message;
    }

    public void Dispose()
    {
        _listener.Dispose();
        File.Delete(_path);
    }
}
