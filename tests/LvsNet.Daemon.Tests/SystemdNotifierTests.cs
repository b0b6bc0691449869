using System.Net.Sockets;
using System.Text;
using LvsNet.Daemon;
using Xunit;

namespace LvsNet.Daemon.Tests;

public class SystemdNotifierTests
{
    [Fact]
    public async Task StartStop_SendReadyAndStoppingToNotifySocket()
    {
        var path = Path.Combine(Path.GetTempPath(), $"lvsnet-notify-{Guid.NewGuid():N}.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        try
        {
            var notifier = new SystemdNotifier(path);
            Assert.True(notifier.IsEnabled);
            await notifier.StartAsync(CancellationToken.None);
            await notifier.StopAsync(CancellationToken.None);

            var buffer = new byte[256];
            listener.ReceiveTimeout = 5000;
            var ready = Encoding.UTF8.GetString(buffer, 0, listener.Receive(buffer));
            var stopping = Encoding.UTF8.GetString(buffer, 0, listener.Receive(buffer));
            Assert.StartsWith("READY=1\nMAINPID=", ready, StringComparison.Ordinal);
            Assert.Equal("STOPPING=1", stopping);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void WithoutSocket_IsANoOp()
    {
        var notifier = new SystemdNotifier((string?)null);
        Assert.False(notifier.IsEnabled);
        Assert.False(notifier.Notify("READY=1"));
    }

    [Fact]
    public void DeadSocket_ReturnsFalseWithoutThrowing()
    {
        var notifier = new SystemdNotifier(Path.Combine(Path.GetTempPath(), "lvsnet-no-such.sock"));
        Assert.False(notifier.Notify("READY=1"));
    }
}
