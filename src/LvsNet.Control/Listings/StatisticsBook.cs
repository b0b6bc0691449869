using LvsNet.Core;

namespace LvsNet.Control.Listings;

/// <summary>
/// The control plane's view of the traffic counters: zero points for <c>ipvsadm -Z</c> and a
/// <see cref="RateEstimator"/> per service and per real server. The counters themselves stay
/// monotonic (metrics read them raw); listings show them minus the zero point, as the kernel's
/// <c>kstats0</c> does.
/// </summary>
/// <remarks>Thread-safe: sampling, zeroing and reading are serialised by one lock (control plane only).</remarks>
public sealed class StatisticsBook
{
    private readonly Lock _gate = new();
    private readonly Dictionary<ServiceKey, Entry> _services = [];
    private readonly Dictionary<(ServiceKey Service, uint Address, ushort Port), Entry> _servers = [];

    /// <summary>Takes one estimator sample of every service and server of <paramref name="snapshot"/> (call every 2 s).</summary>
    public void Sample(LvsSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        lock (_gate)
        {
            foreach (var service in snapshot.Services)
            {
                Get(service).Estimator.Sample(TrafficStats.Of(service.Counters));
                foreach (var server in service.Servers)
                {
                    Get(server).Estimator.Sample(TrafficStats.Of(server));
                }
            }
        }
    }

    /// <summary>Zeroes the counters and rates of one service (and its servers), or of every service when <paramref name="only"/> is null.</summary>
    /// <returns>False when <paramref name="only"/> names no running service.</returns>
    public bool Zero(LvsSnapshot snapshot, ServiceKey? only = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        lock (_gate)
        {
            var found = false;
            foreach (var service in snapshot.Services)
            {
                if (only is { } key && service.Key != key)
                {
                    continue;
                }

                found = true;
                Get(service).Reset(TrafficStats.Of(service.Counters));
                foreach (var server in service.Servers)
                {
                    Get(server).Reset(TrafficStats.Of(server));
                }
            }

            return found || only is null;
        }
    }

    /// <summary>The counters since the zero point and the rates of a service.</summary>
    public (TrafficStats Stats, TrafficRates Rates) Of(VirtualServiceState service)
    {
        ArgumentNullException.ThrowIfNull(service);
        lock (_gate)
        {
            var entry = Get(service);
            return (TrafficStats.Of(service.Counters).Since(entry.ZeroPoint), entry.Estimator.Rates);
        }
    }

    /// <summary>The counters since the zero point and the rates of a real server.</summary>
    public (TrafficStats Stats, TrafficRates Rates) Of(RealServerState server)
    {
        ArgumentNullException.ThrowIfNull(server);
        lock (_gate)
        {
            var entry = Get(server);
            return (TrafficStats.Of(server).Since(entry.ZeroPoint), entry.Estimator.Rates);
        }
    }

    private Entry Get(VirtualServiceState service)
    {
        if (!_services.TryGetValue(service.Key, out var entry))
        {
            entry = new Entry(TrafficStats.Of(service.Counters));
            _services[service.Key] = entry;
        }

        return entry;
    }

    private Entry Get(RealServerState server)
    {
        var key = (server.Service, server.Address, server.Port);
        if (!_servers.TryGetValue(key, out var entry))
        {
            entry = new Entry(TrafficStats.Of(server));
            _servers[key] = entry;
        }

        return entry;
    }

    private sealed class Entry(TrafficStats current)
    {
        public TrafficStats ZeroPoint { get; private set; } = TrafficStats.Zero;

        public RateEstimator Estimator { get; } = new(current);

        public void Reset(TrafficStats current)
        {
            ZeroPoint = current;
            Estimator.Reset(current);
        }
    }
}
