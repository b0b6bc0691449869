using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using LvsNet.Core;
using LvsNet.Core.Configuration;
using LvsNet.Core.Feedback;
using LvsNet.Core.Health;
using LvsNet.Core.Runtime;
using LvsNet.Daemon.Health;
using LvsNet.Daemon.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace LvsNet.Daemon.Tests.Health;

/// <summary>
/// The daemon's health wiring on loopback: the hosted service checks a real TCP listener from the
/// director's address, publishes its failure by a snapshot rebuild, logs it with its event id,
/// counts it in the metrics and feeds the dynamic weights.
/// </summary>
public sealed class HealthCheckServiceTests : IAsyncDisposable
{
    private readonly TcpListener _server = new(IPAddress.Loopback, 0);
    private readonly RecordingLoggerProvider _logs = new();
    private readonly ServiceProvider _services;
    private readonly LvsRuntime _runtime = new();

    public HealthCheckServiceTests()
    {
        _server.Start();
        var port = ((IPEndPoint)_server.LocalEndpoint).Port;
        _runtime.Apply(LvsConfigReader.Parse($"""
            director:
              interface: lo
              address: 127.0.0.2/8
              prepare_host: false
            virtual_services:
              - address: 10.0.0.100
                port: 80
                scheduler: wlc
                health_check:
                  delay_loop: 100ms
                  connect_timeout: 1s
                  retry: 1
                  delay_before_retry: 100ms
                  warmup: 0
                  checks:
                    # A real server is never a loopback address; the check reaches the local listener through connect_ip.
                    - type: tcp
                      connect_ip: 127.0.0.1
                real_servers:
                  - address: 10.0.0.11
                    port: {port}
                    method: nat
                  - address: 10.0.0.13
                    port: 9
                    method: nat
                    health_check:
                      enabled: false
            """));
        var collection = new ServiceCollection();
        collection.AddLogging(logging => logging.AddProvider(_logs).SetMinimumLevel(LogLevel.Debug));
        collection.AddSingleton(_runtime);
        collection.AddSingleton(TimeProvider.System);
        collection.AddLvsNetHealth(new HealthMonitorOptions { Jitter = 0 });
        collection.AddSingleton<DynamicWeightService>();
        _services = collection.BuildServiceProvider();
    }

    public async ValueTask DisposeAsync()
    {
        _server.Stop();
        await _services.DisposeAsync();
    }

    private static void WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for " + what);
            Thread.Sleep(20);
        }
    }

    [Fact]
    public async Task HostedService_ChecksPublishesLogsAndCounts()
    {
        var service = _services.GetServices<IHostedService>().OfType<HealthCheckService>().Single();
        var monitor = _services.GetRequiredService<HealthMonitor>();
        var metrics = _services.GetRequiredService<HealthMetrics>();
        using var exporter = new PrometheusExporter(instrument => ReferenceEquals(instrument.Meter, metrics.Meter));
        Assert.Same(monitor.LoadSignal, _services.GetRequiredService<IServerLoadSignal>());

        await service.StartAsync(CancellationToken.None);
        WaitUntil(() => monitor.Describe().Single().Checkers[0].Checks >= 2, "two passed checks");
        var detail = monitor.Describe().Single();
        Assert.Equal(HealthState.Up, detail.State);
        Assert.Equal("connected", detail.Checkers[0].LastMessage);
        Assert.Equal(2, _runtime.Current!.Services[0].Servers.Length);
        // The load signal's window holds the last 10 results. Read at one instant it once showed a failure
        // (a clean-clone CI run; the cause was not recorded): an earlier failed check leaves the window
        // within about a second of passing checks, and a server that keeps failing never meets this.
        WaitUntil(() => monitor.LoadSignal.TryGetSample(detail.Server, out var sample) && sample.FailureRatio == 0 && sample.Latency is not null,
            "the load signal to show the healthy server: no failure in its window, a latency");
        Assert.Contains(_logs.Events, e => e.Id == 700);

        // The listener goes away: refused, retried once, then removed from the pool.
        _server.Stop();
        WaitUntil(() => _runtime.Current!.Services[0].Servers.Length == 1, "the server to leave the pool");
        // The snapshot is published before the state-change event is logged: wait for the event too.
        WaitUntil(() => _logs.Events.Any(e => e.Id == 702), "the down event");
        var down = Assert.Single(_logs.Events, e => e.Id == 702);
        Assert.Equal(LogLevel.Warning, down.Level);
        Assert.Contains("tcp: connection refused (2 consecutive failures)", down.Message, StringComparison.Ordinal);
        Assert.Contains("removed from the pool", down.Message, StringComparison.Ordinal);
        Assert.Contains(_logs.Events, e => e.Id == 703 && e.Message.Contains("retry 1 of 1", StringComparison.Ordinal));
        var removed = _runtime.Current!.Services[0].Health!.ConfiguredServers[0];
        Assert.Equal((HealthState.Down, PoolMembership.Removed), (removed.Health!.State, removed.Health.Membership));
        Assert.Null(_runtime.Current!.Services[0].Health!.ConfiguredServers[1].Health);

        var text = exporter.Scrape();
        var server = $"10.0.0.11:{removed.Port}";
        Assert.Contains($"lvsnet_health_server_up{{service=\"tcp/10.0.0.100:80\",server=\"{server}\"}} 0\n", text, StringComparison.Ordinal);
        Assert.Contains($"lvsnet_health_transitions_total{{service=\"tcp/10.0.0.100:80\",server=\"{server}\",to=\"down\"}} 1\n", text, StringComparison.Ordinal);
        // The down server is still checked every delay_loop, so more failures may have been counted by now.
        var failures = System.Text.RegularExpressions.Regex.Match(text, $"lvsnet_health_checks_total\\{{service=\"tcp/10\\.0\\.0\\.100:80\",server=\"{server}\",check=\"tcp\",result=\"failure\"\\}} (\\d+)\n");
        Assert.True(failures.Success && int.Parse(failures.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= 2, text);
        Assert.Contains("lvsnet_health_quorum_up{service=\"tcp/10.0.0.100:80\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("lvsnet_health_live_weight{service=\"tcp/10.0.0.100:80\"} 1\n", text, StringComparison.Ordinal);

        await service.StopAsync(CancellationToken.None);
        var checks = monitor.Describe().Count;
        Assert.Equal(0, checks);
    }

    [Fact]
    public async Task Reload_ChecksFollowTheNewConfiguration()
    {
        var service = _services.GetServices<IHostedService>().OfType<HealthCheckService>().Single();
        var monitor = _services.GetRequiredService<HealthMonitor>();
        await service.StartAsync(CancellationToken.None);
        WaitUntil(() => monitor.Describe().Count == 1, "the monitor to start");

        _runtime.Apply(_runtime.Current!.Config with { VirtualServices = [_runtime.Current.Config.VirtualServices[0] with { HealthCheck = null }] });
        Assert.Empty(monitor.Describe());
        await service.StopAsync(CancellationToken.None);
    }

    private sealed class RecordingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<(int Id, LogLevel Level, string Message)> Queue { get; } = new();

        public IReadOnlyList<(int Id, LogLevel Level, string Message)> Events => [.. Queue];

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(RecordingLoggerProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Queue.Enqueue((eventId.Id, logLevel, formatter(state, exception)));
        }
    }
}
