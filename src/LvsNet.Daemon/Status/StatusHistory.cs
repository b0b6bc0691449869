using LvsNet.Core;
using LvsNet.Core.DataPath;
using LvsNet.Core.Health;
using LvsNet.Core.Runtime;
using LvsNet.Packets;

namespace LvsNet.Daemon.Status;

/// <summary>
/// The short memory behind the status page's graphs and histories, kept in the daemon: per service
/// and per real server the connection, packet and byte rates of the last <see cref="Points"/>
/// samples (one per <see cref="Interval"/>: five minutes), the data path's forwarded and dropped
/// frames per second, each server's check latency, its last health changes and the last reloads.
/// </summary>
/// <remarks>
/// Fed only from the control plane (<see cref="StatusSamplingService"/> reads the same counters the
/// metrics read; <see cref="RecordHealthChange"/> from the monitor's event): the data path does no
/// extra work for it. Series of services and servers that left the configuration are dropped.
/// Thread-safe through one lock.
/// </remarks>
public sealed class StatusHistory
{
    /// <summary>Samples kept per series.</summary>
    public const int Points = 150;

    /// <summary>Health changes kept per real server.</summary>
    public const int HealthEventsKept = 10;

    /// <summary>Reloads kept.</summary>
    public const int ReloadsKept = 10;

    /// <summary>The time between samples.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, TrafficSeries> _traffic = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RingSeries> _latency = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<HealthEvent>> _health = new(StringComparer.Ordinal);
    private readonly Queue<ReloadEvent> _reloads = new();
    private readonly RingSeries _forwarded = new(Points);
    private readonly RingSeries _dropped = new(Points);
    private (long Forwarded, long Dropped)? _lastFrames;
    private DateTimeOffset? _lastReloadAt;

    /// <summary>The key of a service's series: "tcp/10.0.0.100:80", "tcp/[2001:db8::100]:80".</summary>
    public static string KeyOf(ServiceKey service) =>
        $"{(service.Protocol == IpProtocol.Udp ? "udp" : "tcp")}/{service.EndpointText}";

    /// <summary>The key of a real server's series: "tcp/10.0.0.100:80 10.0.0.11:80".</summary>
    public static string KeyOf(ServiceKey service, string server) => KeyOf(service) + " " + server;

    /// <summary>Takes one sample of every service and server of <paramref name="snapshot"/> and of the data path.</summary>
    /// <param name="snapshot">The running snapshot.</param>
    /// <param name="counters">The data path's summed counters, or null before the capture runs.</param>
    /// <param name="health">The monitor's view (for latencies), or empty.</param>
    /// <param name="seconds">The time since the previous sample, in seconds.</param>
    public void Sample(LvsSnapshot snapshot, DataPathCounters? counters, IReadOnlyList<ServerHealthDetail> health, double seconds)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(health);
        seconds = Math.Max(seconds, 0.001);
        lock (_gate)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var service in snapshot.Services)
            {
                var key = KeyOf(service.Key);
                seen.Add(key);
                Traffic(key).Add(service.Counters.Connections, service.Counters.InPackets + service.Counters.OutPackets, service.Counters.InBytes + service.Counters.OutBytes, seconds);
                IReadOnlyList<RealServerState> servers = service.Health?.ConfiguredServers ?? service.Servers;
                foreach (var server in servers)
                {
                    var serverKey = KeyOf(service.Key, server.ToString());
                    seen.Add(serverKey);
                    Traffic(serverKey).Add(server.Connections, server.InPackets + server.OutPackets, server.InBytes + server.OutBytes, seconds);
                }
            }

            foreach (var gone in _traffic.Keys.Where(k => !seen.Contains(k)).ToList())
            {
                _traffic.Remove(gone);
                _latency.Remove(gone);
                _health.Remove(gone);
            }

            foreach (var server in health)
            {
                var key = KeyOf(server.Server.Service, server.Server.ServerText);
                if (!_latency.TryGetValue(key, out var series))
                {
                    series = new RingSeries(Points);
                    _latency[key] = series;
                }

                var latencies = server.Checkers.Where(c => c.LastLatency is not null).Select(c => c.LastLatency!.Value.TotalMilliseconds).ToList();
                series.Add(latencies.Count > 0 ? latencies.Max() : double.NaN);
            }

            if (counters is not null)
            {
                var now = (counters.Forwarded, counters.TotalDropped);
                if (_lastFrames is { } last)
                {
                    _forwarded.Add(Math.Max(0, now.Forwarded - last.Forwarded) / seconds);
                    _dropped.Add(Math.Max(0, now.TotalDropped - last.Dropped) / seconds);
                }

                _lastFrames = now;
            }
        }
    }

    /// <summary>Remembers a health change of a real server (the monitor's <see cref="HealthMonitor.ServerHealthChanged"/>).</summary>
    public void RecordHealthChange(ServerHealthChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (_gate)
        {
            var key = KeyOf(change.Server.Service, change.Server.ServerText);
            if (!_health.TryGetValue(key, out var events))
            {
                events = new Queue<HealthEvent>();
                _health[key] = events;
            }

            events.Enqueue(new HealthEvent(change.At, change.WeightOnly ? $"weight {change.Weight}" : change.State == HealthState.Up ? "up" : "down", change.Checker, change.Reason));
            while (events.Count > HealthEventsKept)
            {
                events.Dequeue();
            }
        }
    }

    /// <summary>Remembers a reload result once (the same result seen again is ignored).</summary>
    public void RecordReload(DateTimeOffset at, bool applied, IReadOnlyList<string> errors, IReadOnlyList<string> restartRequired)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(restartRequired);
        lock (_gate)
        {
            if (_lastReloadAt == at)
            {
                return;
            }

            _lastReloadAt = at;
            _reloads.Enqueue(new ReloadEvent(at, applied, errors, restartRequired));
            while (_reloads.Count > ReloadsKept)
            {
                _reloads.Dequeue();
            }
        }
    }

    /// <summary>A copy of a series: connections, packets or bytes per second ("cps", "pps", "bps") of a service or server key; empty when unknown.</summary>
    public double[] Rates(string key, string which)
    {
        lock (_gate)
        {
            if (!_traffic.TryGetValue(key, out var traffic))
            {
                return [];
            }

            return which switch
            {
                "cps" => traffic.Cps.ToArray(),
                "pps" => traffic.Pps.ToArray(),
                _ => traffic.Bps.ToArray(),
            };
        }
    }

    /// <summary>A copy of a server's check latency series in milliseconds (NaN where no check had succeeded yet).</summary>
    public double[] Latency(string serverKey)
    {
        lock (_gate)
        {
            return _latency.TryGetValue(serverKey, out var series) ? series.ToArray() : [];
        }
    }

    /// <summary>A server's last health changes, oldest first.</summary>
    public IReadOnlyList<HealthEvent> HealthEvents(string serverKey)
    {
        lock (_gate)
        {
            return _health.TryGetValue(serverKey, out var events) ? [.. events] : [];
        }
    }

    /// <summary>The last reloads, oldest first.</summary>
    public IReadOnlyList<ReloadEvent> Reloads()
    {
        lock (_gate)
        {
            return [.. _reloads];
        }
    }

    /// <summary>Forwarded frames per second of the data path.</summary>
    public double[] Forwarded()
    {
        lock (_gate)
        {
            return _forwarded.ToArray();
        }
    }

    /// <summary>Dropped frames per second of the data path.</summary>
    public double[] Dropped()
    {
        lock (_gate)
        {
            return _dropped.ToArray();
        }
    }

    private TrafficSeries Traffic(string key)
    {
        if (!_traffic.TryGetValue(key, out var traffic))
        {
            traffic = new TrafficSeries();
            _traffic[key] = traffic;
        }

        return traffic;
    }

    /// <summary>One health change as the page lists it.</summary>
    /// <param name="At">When.</param>
    /// <param name="Change">"up", "down" or "weight N".</param>
    /// <param name="Checker">The deciding checker.</param>
    /// <param name="Reason">The deciding check's message.</param>
    public sealed record HealthEvent(DateTimeOffset At, string Change, string Checker, string Reason);

    /// <summary>One reload as the page lists it.</summary>
    /// <param name="At">When it finished.</param>
    /// <param name="Applied">True when the file is in force.</param>
    /// <param name="Errors">The errors of a rejected file ("path (line N): message").</param>
    /// <param name="RestartRequired">Sections whose change waits for a restart.</param>
    public sealed record ReloadEvent(DateTimeOffset At, bool Applied, IReadOnlyList<string> Errors, IReadOnlyList<string> RestartRequired);

    private sealed class TrafficSeries
    {
        private (long Connections, long Packets, long Bytes)? _last;

        public RingSeries Cps { get; } = new(Points);

        public RingSeries Pps { get; } = new(Points);

        public RingSeries Bps { get; } = new(Points);

        public void Add(long connections, long packets, long bytes, double seconds)
        {
            if (_last is { } last)
            {
                // Counters only grow; a smaller value means the entry was recreated, so start from it.
                Cps.Add(Math.Max(0, connections - last.Connections) / seconds);
                Pps.Add(Math.Max(0, packets - last.Packets) / seconds);
                Bps.Add(Math.Max(0, bytes - last.Bytes) / seconds);
            }

            _last = (connections, packets, bytes);
        }
    }
}
