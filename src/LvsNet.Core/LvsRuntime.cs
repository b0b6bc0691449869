using LvsNet.Core.Configuration;
using LvsNet.Core.Scheduling;

namespace LvsNet.Core;

/// <summary>
/// The control plane's owner of the running configuration: builds snapshots from configurations,
/// keeping the state of every service and real server that still exists, and publishes them with
/// one atomic reference swap.
/// </summary>
/// <remarks>
/// <see cref="Apply"/> is serialised by a lock (reload, CLI and health checks may call it from
/// different threads); <see cref="Current"/> is lock-free for the data path.
/// </remarks>
public sealed class LvsRuntime
{
    private readonly Lock _gate = new();
    private readonly Dictionary<ServiceKey, ServiceCounters> _serviceCounters = [];
    private readonly Dictionary<(ServiceKey, uint, ushort), RealServerState> _servers = [];
    private RealServerState?[] _serversById = [];
    private LvsSnapshot? _current;

    /// <summary>The snapshot in force, or null before the first <see cref="Apply"/>.</summary>
    public LvsSnapshot? Current => Volatile.Read(ref _current);

    /// <summary>Raised (on the applying thread) after a snapshot was published.</summary>
    public event Action<LvsSnapshot, SnapshotChanges>? SnapshotPublished;

    /// <summary>Validates <paramref name="config"/> and publishes a snapshot built from it.</summary>
    /// <exception cref="ConfigException">The configuration is invalid; the running snapshot stays.</exception>
    public SnapshotChanges Apply(LvsConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var errors = ConfigValidator.Validate(config);
        if (errors.Count > 0)
        {
            throw new ConfigException("configuration", errors);
        }

        LvsSnapshot snapshot;
        SnapshotChanges changes;
        lock (_gate)
        {
            (snapshot, changes) = Build(config, _current);
            Volatile.Write(ref _current, snapshot);
        }

        SnapshotPublished?.Invoke(snapshot, changes);
        return changes;
    }

    private (LvsSnapshot, SnapshotChanges) Build(LvsConfig config, LvsSnapshot? previous)
    {
        var changes = new SnapshotChanges();
        var previousServices = previous?.ServicesByKey;
        var services = new VirtualServiceState[config.VirtualServices.Length];
        var liveServers = new HashSet<RealServerState>();

        for (var i = 0; i < services.Length; i++)
        {
            var serviceConfig = config.VirtualServices[i];
            var key = new ServiceKey(serviceConfig.Protocol, serviceConfig.Address, serviceConfig.Port);
            if (!_serviceCounters.TryGetValue(key, out var counters))
            {
                counters = new ServiceCounters();
                _serviceCounters[key] = counters;
            }

            VirtualServiceState? old = null;
            previousServices?.TryGetValue(key, out old);
            if (old is null)
            {
                changes.ServicesAdded.Add(key.ToString());
            }
            else if (old.Config.Scheduler != serviceConfig.Scheduler || old.Config.Name != serviceConfig.Name)
            {
                changes.ServicesEdited.Add(key.ToString());
            }

            var service = new VirtualServiceState(serviceConfig, counters);
            var servers = new RealServerState[serviceConfig.RealServers.Length];
            for (var j = 0; j < servers.Length; j++)
            {
                var serverConfig = serviceConfig.RealServers[j];
                var serverKey = (key, serverConfig.Address, serverConfig.Port);
                if (_servers.TryGetValue(serverKey, out var state))
                {
                    var wasListed = old is not null && Array.IndexOf(old.Servers, state) >= 0 && state.IsAvailable;
                    if (!wasListed)
                    {
                        changes.ServersAdded.Add($"{key} -> {state}");
                    }
                    else if (state.Config != serverConfig)
                    {
                        changes.ServersEdited.Add($"{key} -> {state}");
                    }

                    state.Apply(serverConfig);
                }
                else
                {
                    state = new RealServerState(_serversById.Length, key, counters, serverConfig);
                    Array.Resize(ref _serversById, _serversById.Length + 1);
                    _servers[serverKey] = state;
                    changes.ServersAdded.Add($"{key} -> {state}");
                }

                state.IsAvailable = true;
                _serversById[state.Id] = state;
                servers[j] = state;
                liveServers.Add(state);
            }

            service.Servers = servers;
            service.Scheduler = SchedulerFactory.Create(serviceConfig, servers, old?.Config.Scheduler == serviceConfig.Scheduler ? old.Scheduler : null);
            services[i] = service;
        }

        foreach (var (serverKey, state) in _servers)
        {
            if (!liveServers.Contains(state) && state.IsAvailable)
            {
                state.IsAvailable = false;
                changes.ServersRemoved.Add($"{serverKey.Item1} -> {state}");
            }
        }

        if (previous is not null)
        {
            foreach (var old in previous.Services)
            {
                if (!config.VirtualServices.Any(s => new ServiceKey(s.Protocol, s.Address, s.Port) == old.Key))
                {
                    changes.ServicesRemoved.Add(old.Key.ToString());
                }
            }
        }

        var snapshot = new LvsSnapshot((previous?.Version ?? 0) + 1, config, services, (RealServerState?[])_serversById.Clone());
        return (snapshot, changes);
    }
}
