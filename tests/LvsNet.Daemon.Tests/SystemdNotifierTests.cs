using System.Net.Sockets;
using System.Text;
using LvsNet.Daemon;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Xunit;

namespace LvsNet.Daemon.Tests;

public class SystemdNotifierTests
{
    [Fact]
    public async Task Host_SendsReadyAfterEveryServiceStarted_AndStoppingAtStop()
    {
        // The daemon's wiring: Microsoft.Extensions.Hosting.Systemd's lifetime over a notifier, plus LvsNet's hosted notifier.
        var path = Path.Combine(Path.GetTempPath(), $"lvsnet-notify-{Guid.NewGuid():N}.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.ReceiveTimeout = 5000;
        try
        {
            var started = new TaskCompletionSource();
            var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton<ISystemdNotifier>(new NotifySocketTransport(path));
            builder.Services.AddSingleton<IHostLifetime, SystemdLifetime>();
            builder.Services.AddSingleton(sp => new SystemdNotifier(sp.GetRequiredService<ISystemdNotifier>(), null, TimeProvider.System));
            builder.Services.AddHostedService(sp => sp.GetRequiredService<SystemdNotifier>());
            builder.Services.AddHostedService(_ => new SlowStart(listener));
            using var host = builder.Build();
            await host.StartAsync();

            var buffer = new byte[256];
            Assert.Equal("READY=1", Encoding.UTF8.GetString(buffer, 0, listener.Receive(buffer)));
            await host.StopAsync();
            Assert.Equal("STOPPING=1", Encoding.UTF8.GetString(buffer, 0, listener.Receive(buffer)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void WithoutSocket_IsANoOp()
    {
        var notifier = new SystemdNotifier(new NotifySocketTransport(null), TimeSpan.FromSeconds(1), TimeProvider.System);
        Assert.False(notifier.IsEnabled);
        Assert.Null(notifier.WatchdogInterval);
        Assert.False(notifier.Notify("READY=1"));
    }

    [Fact]
    public void DeadSocket_ReturnsFalseWithoutThrowing()
    {
        var notifier = new SystemdNotifier(new NotifySocketTransport(Path.Combine(Path.GetTempPath(), "lvsnet-no-such.sock")), null, TimeProvider.System);
        Assert.False(notifier.Notify("READY=1"));
    }

    /// <summary>A hosted service that checks, while starting, that READY=1 has not been sent yet.</summary>
    private sealed class SlowStart(Socket listener) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await Task.Delay(200, cancellationToken);
            Assert.Equal(0, listener.Available);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
