using System.Diagnostics.Metrics;
using LvsNet.Core;
using LvsNet.Core.Health;
using LvsNet.Core.Runtime;
using LvsNet.Daemon.Metrics;

namespace LvsNet.Daemon.Health;

/// <summary>
/// The health instruments, on the daemon's meter name <see cref="LvsMetrics.MeterName"/> (so the
/// Prometheus endpoint and <c>dotnet-counters</c> show them beside the others). All observable:
/// read from the monitor and the running snapshot only when a listener collects.
/// </summary>
/// <remarks>
/// Tags: <c>service</c> ("tcp/10.0.0.100:80"), <c>server</c> ("10.0.0.11:80"), <c>check</c>
/// ("http_get /health"), <c>result</c> (success, failure), <c>to</c> (up, down).
/// </remarks>
public sealed class HealthMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly HealthMonitor _monitor;
    private readonly LvsRuntime _runtime;

    /// <summary>Creates the instruments.</summary>
    public HealthMetrics(HealthMonitor monitor, LvsRuntime runtime)
    {
        _monitor = monitor;
        _runtime = runtime;
        _meter = new Meter(LvsMetrics.MeterName, typeof(HealthMetrics).Assembly.GetName().Version?.ToString());
        _meter.CreateObservableCounter("lvsnet.health.checks", Checks, "{check}", "Health checks run, by checker and result");
        _meter.CreateObservableCounter("lvsnet.health.transitions", Transitions, "{transition}", "Real-server health changes: to = up or down");
        _meter.CreateObservableGauge("lvsnet.health.server_up", ServersUp, "{bool}", "1 while every checker of the real server is up");
        _meter.CreateObservableGauge("lvsnet.health.check_latency", Latency, "s", "The latency of the last successful network check");
        _meter.CreateObservableGauge("lvsnet.health.quorum_up", Quorum, "{bool}", "1 while the service has its quorum (services with health checks or quorum settings)");
        _meter.CreateObservableGauge("lvsnet.health.sorry_server_active", Sorry, "{bool}", "1 while the sorry server takes the service's new connections");
        _meter.CreateObservableGauge("lvsnet.health.live_weight", LiveWeight, "{weight}", "Sum of the weights of the up real servers (compared with the quorum)");
        _meter.CreateObservableGauge("lvsnet.health.checks_in_flight", () => _monitor.ChecksInFlight, "{check}", "Health checks running right now (at most 64; others wait for a slot)");
    }

    /// <summary>The meter (tests read only their own instance).</summary>
    internal Meter Meter => _meter;

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    private static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);

    private static KeyValuePair<string, object?>[] Tags(RealServerKey key, params KeyValuePair<string, object?>[] more) =>
        [new("service", LvsMetrics.ServiceTag(key.Service)), new("server", key.ServerText), .. more];

    private List<Measurement<long>> Checks()
    {
        var result = new List<Measurement<long>>();
        foreach (var server in _monitor.Describe())
        {
            foreach (var checker in server.Checkers)
            {
                result.Add(new Measurement<long>(checker.Checks - checker.Failures, Tags(server.Server, Tag("check", checker.Checker), Tag("result", "success"))));
                result.Add(new Measurement<long>(checker.Failures, Tags(server.Server, Tag("check", checker.Checker), Tag("result", "failure"))));
            }
        }

        return result;
    }

    private List<Measurement<long>> Transitions()
    {
        var result = new List<Measurement<long>>();
        foreach (var server in _monitor.Describe())
        {
            result.Add(new Measurement<long>(server.TimesUp, Tags(server.Server, Tag("to", "up"))));
            result.Add(new Measurement<long>(server.TimesDown, Tags(server.Server, Tag("to", "down"))));
        }

        return result;
    }

    private List<Measurement<long>> ServersUp() =>
        [.. _monitor.Describe().Select(s => new Measurement<long>(s.State == HealthState.Up ? 1 : 0, Tags(s.Server)))];

    private List<Measurement<double>> Latency()
    {
        var result = new List<Measurement<double>>();
        foreach (var server in _monitor.Describe())
        {
            foreach (var checker in server.Checkers)
            {
                if (checker.LastLatency is { } latency)
                {
                    result.Add(new Measurement<double>(latency.TotalSeconds, Tags(server.Server, Tag("check", checker.Checker))));
                }
            }
        }

        return result;
    }

    private List<Measurement<long>> Quorum() => PerService(h => h.QuorumUp is { } up ? (up ? 1 : 0) : null);

    private List<Measurement<long>> Sorry() => PerService(h => h.SorryServer is null ? null : h.SorryServerActive ? 1 : 0);

    private List<Measurement<long>> LiveWeight() => PerService(h => h.QuorumUp is null ? null : h.LiveWeight);

    private List<Measurement<long>> PerService(Func<ServiceHealthView, long?> value)
    {
        var result = new List<Measurement<long>>();
        if (_runtime.Current is not { } snapshot)
        {
            return result;
        }

        foreach (var service in snapshot.Services)
        {
            if (service.Health is { } health && value(health) is { } measured)
            {
                result.Add(new Measurement<long>(measured, new KeyValuePair<string, object?>("service", LvsMetrics.ServiceTag(service.Key))));
            }
        }

        return result;
    }
}
