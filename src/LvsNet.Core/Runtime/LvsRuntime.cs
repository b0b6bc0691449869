using LvsNet.Core.Configuration;
using LvsNet.Core.Scheduling;

namespace LvsNet.Core.Runtime;

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
    private readonly Dictionary<(ServiceKey, uint, ushort, Packets.Ipv6.Ipv6Address?), RealServerState> _servers = [];
    private RealServerState?[] _serversById = [];
    private LvsSnapshot? _current;

    /// <summary>The snapshot in force, or null before the first <see cref="Apply"/>.</summary>
    public LvsSnapshot? Current => Volatile.Read(ref _current);

    /// <summary>Raised (on the applying thread) after a snapshot was published.</summary>
    public event Action<LvsSnapshot, SnapshotChanges>? SnapshotPublished;

    /// <summary>
    /// The health overlay every snapshot is built with: the real servers' health as the checks last
    /// published it and each service's quorum (see <see cref="AvailabilityOverlay"/>).
    /// </summary>
    public AvailabilityOverlay Health { get; } = new();

    /// <summary>
    /// The counters of every service this runtime has held, services since removed included: their
    /// sums are the director's global totals (the kernel's <c>/proc/net/ip_vs_stats</c>), which never
    /// go down when a service is deleted.
    /// </summary>
    public IReadOnlyList<ServiceCounters> AllServiceCounters()
    {
        lock (_gate)
        {
            return [.. _serviceCounters.Values];
        }
    }

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
        Health.RaisePending();
        return changes;
    }

    /// <summary>
    /// Applies an edit of the running configuration atomically: <paramref name="edit"/> sees the
    /// configuration in force and its result is validated and published under the same lock, so
    /// a concurrent reload or edit can neither be lost nor interleave.
    /// </summary>
    /// <exception cref="InvalidOperationException">No configuration was applied yet.</exception>
    /// <exception cref="ConfigException">The edited configuration is invalid; the running snapshot stays.</exception>
    public SnapshotChanges Update(Func<LvsConfig, LvsConfig> edit)
    {
        ArgumentNullException.ThrowIfNull(edit);
        LvsSnapshot snapshot;
        SnapshotChanges changes;
        lock (_gate)
        {
            var current = _current ?? throw new InvalidOperationException("no configuration applied yet");
            var config = edit(current.Config);
            var errors = ConfigValidator.Validate(config);
            if (errors.Count > 0)
            {
                throw new ConfigException("configuration", errors);
            }

            (snapshot, changes) = Build(config, current);
            Volatile.Write(ref _current, snapshot);
        }

        SnapshotPublished?.Invoke(snapshot, changes);
        Health.RaisePending();
        return changes;
    }

    /// <summary>
    /// Publishes the health of one real server: stores <paramref name="report"/> in <see cref="Health"/>
    /// and rebuilds the running snapshot from the running configuration plus the overlay (a down
    /// server leaves the scheduler's array or stays at weight 0 with inhibit_on_failure; the sorry
    /// server replaces the pool while the quorum is lost). The data path never waits: it picks the
    /// new snapshot up at its next batch.
    /// </summary>
    /// <param name="server">The real server.</param>
    /// <param name="report">Its health, or null to forget what was published.</param>
    /// <returns>What the new snapshot changed, or null before the first configuration.</returns>
    public SnapshotChanges? SetHealth(RealServerKey server, ServerHealthReport? report)
    {
        LvsSnapshot snapshot;
        SnapshotChanges changes;
        lock (_gate)
        {
            Health.Set(server, report);
            if (_current is null)
            {
                return null;
            }

            (snapshot, changes) = Build(_current.Config, _current);
            Volatile.Write(ref _current, snapshot);
        }

        SnapshotPublished?.Invoke(snapshot, changes);
        Health.RaisePending();
        return changes;
    }

    private (LvsSnapshot, SnapshotChanges) Build(LvsConfig config, LvsSnapshot? previous)
    {
        var changes = new SnapshotChanges();
        Health.Prune(config);
        var previousServices = previous?.ServicesByKey;
        var services = new VirtualServiceState[config.VirtualServices.Length];
        var liveServers = new HashSet<RealServerState>();

        for (var i = 0; i < services.Length; i++)
        {
            var serviceConfig = config.VirtualServices[i];
            var key = ServiceKey.Of(serviceConfig);
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

            // Health decides which configured servers are in the scheduler's array (see AvailabilityOverlay).
            var availability = Health.Resolve(key, serviceConfig);
            var configured = new RealServerState[serviceConfig.RealServers.Length];
            var servers = new List<RealServerState>(configured.Length + 1);
            for (var j = 0; j < configured.Length; j++)
            {
                configured[j] = Bind(key, counters, availability.Servers[j], old, changes, liveServers);
                if (availability.Servers[j].Listed)
                {
                    servers.Add(configured[j]);
                }
            }

            RealServerState? sorry = null;
            if (availability.SorryServer is { } sorryDecision)
            {
                sorry = Bind(key, counters, sorryDecision, old, changes, liveServers);
                if (sorryDecision.Listed)
                {
                    servers.Add(sorry);
                }
            }

            service.Servers = [.. servers];
            service.Health = new ServiceHealthView(configured, sorry, availability.QuorumUp, availability.LiveWeight, availability.Quorum);
            service.Scheduler = SchedulerFactory.Create(serviceConfig, service.Servers, old?.Config.Scheduler == serviceConfig.Scheduler ? old.Scheduler : null);
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
                if (!config.VirtualServices.Any(s => ServiceKey.Of(s) == old.Key))
                {
                    changes.ServicesRemoved.Add(old.Key.ToString());
                }
            }
        }

        var snapshot = new LvsSnapshot((previous?.Version ?? 0) + 1, config, services, (RealServerState?[])_serversById.Clone());
        return (snapshot, changes);
    }

    // One server of a service (a configured one or the sorry server): keeps its state across
    // snapshots, applies the weight health put in force, and reports it as added or edited when
    // it enters the scheduler's array or changes there. A server left out stays unavailable.
    private RealServerState Bind(ServiceKey key, ServiceCounters counters, ServerDecision decision, VirtualServiceState? old, SnapshotChanges changes, HashSet<RealServerState> liveServers)
    {
        var serverConfig = decision.Applied;
        var serverKey = (key, serverConfig.Address, serverConfig.Port, serverConfig.Address6);
        if (_servers.TryGetValue(serverKey, out var state))
        {
            var wasListed = old is not null && Array.IndexOf(old.Servers, state) >= 0 && state.IsAvailable;
            if (decision.Listed && !wasListed)
            {
                changes.ServersAdded.Add($"{key} -> {state}");
            }
            else if (decision.Listed && state.Config != serverConfig)
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
            if (decision.Listed)
            {
                changes.ServersAdded.Add($"{key} -> {state}");
            }
            else
            {
                state.IsAvailable = false;
            }
        }

        state.Health = decision.Status;
        _serversById[state.Id] = state;
        if (decision.Listed)
        {
            state.IsAvailable = true;
            liveServers.Add(state);
        }

        return state;
    }
}
