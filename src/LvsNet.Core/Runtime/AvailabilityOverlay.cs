using System.Collections.Concurrent;
using LvsNet.Core.Configuration;

namespace LvsNet.Core.Runtime;

/// <summary>
/// The health side of the running configuration, owned by <see cref="LvsRuntime"/>: the last
/// <see cref="ServerHealthReport"/> of every checked real server and each service's quorum state.
/// Every snapshot is built from the configuration plus this overlay, so a reload keeps the
/// health of the servers that still exist, and a health change is published by rebuilding the
/// snapshot (the data path never waits for a check).
/// </summary>
/// <remarks>
/// <para>keepalived's rules, applied per service when a snapshot is built: a down server leaves the
/// pool, or stays at weight 0 with <c>inhibit_on_failure</c>; an up server is in the pool with its
/// configured weight (or the weight a dynamic MISC_CHECK set). The live weight (sum of the weights
/// of the up servers) drives the quorum with hysteresis (<see cref="QuorumPolicy"/>); while the
/// quorum is lost and a sorry server is configured, the up servers leave the pool and the sorry
/// server takes their place. A server nothing was reported for yet is up, or down when one of its
/// checkers has <c>alpha</c>.</para>
/// <para>Written under the runtime's lock; <see cref="QuorumChanged"/> is raised after the snapshot
/// that carries the change was published, on the publishing thread.</para>
/// </remarks>
public sealed class AvailabilityOverlay
{
    private readonly Lock _gate = new();
    private readonly Dictionary<RealServerKey, ServerHealthReport> _reports = [];
    private readonly Dictionary<ServiceKey, bool> _quorum = [];
    private readonly ConcurrentQueue<QuorumChange> _pending = new();

    /// <summary>Raised when a service's quorum was first evaluated or changed (after the snapshot was published).</summary>
    public event Action<QuorumChange>? QuorumChanged;

    /// <summary>The last report of <paramref name="server"/>, or null when none was published.</summary>
    public ServerHealthReport? Get(RealServerKey server)
    {
        lock (_gate)
        {
            return _reports.GetValueOrDefault(server);
        }
    }

    /// <summary>The quorum state of <paramref name="service"/>, or null when it is not tracked.</summary>
    public bool? QuorumUp(ServiceKey service)
    {
        lock (_gate)
        {
            return _quorum.TryGetValue(service, out var up) ? up : null;
        }
    }

    /// <summary>Stores (or with null, forgets) the report of one server.</summary>
    internal void Set(RealServerKey server, ServerHealthReport? report)
    {
        lock (_gate)
        {
            if (report is null)
            {
                _reports.Remove(server);
            }
            else
            {
                _reports[server] = report;
            }
        }
    }

    /// <summary>Forgets the reports of servers that are no longer configured or checked, and the quorum of services that left.</summary>
    internal void Prune(LvsConfig config)
    {
        lock (_gate)
        {
            var checkedServers = new HashSet<RealServerKey>();
            var tracked = new HashSet<ServiceKey>();
            foreach (var service in config.VirtualServices)
            {
                var key = ServiceKey.Of(service);
                if (IsTracked(service))
                {
                    tracked.Add(key);
                }

                foreach (var server in service.RealServers)
                {
                    if (HealthCheckInheritance.IsChecked(service, server))
                    {
                        checkedServers.Add(new RealServerKey(key, server.Address, server.Port, server.Address6));
                    }
                }
            }

            foreach (var server in _reports.Keys.Where(k => !checkedServers.Contains(k)).ToList())
            {
                _reports.Remove(server);
            }

            foreach (var service in _quorum.Keys.Where(k => !tracked.Contains(k)).ToList())
            {
                _quorum.Remove(service);
            }
        }
    }

    /// <summary>Decides the pool of one service from its configuration and the reports (and updates its quorum state).</summary>
    internal ServiceAvailability Resolve(ServiceKey key, VirtualServiceConfig service)
    {
        lock (_gate)
        {
            var count = service.RealServers.Length;
            var states = new HealthState[count];
            var reports = new ServerHealthReport?[count];
            long liveWeight = 0;
            for (var i = 0; i < count; i++)
            {
                var server = service.RealServers[i];
                if (!HealthCheckInheritance.IsChecked(service, server))
                {
                    states[i] = HealthState.Up;
                }
                else
                {
                    reports[i] = _reports.GetValueOrDefault(new RealServerKey(key, server.Address, server.Port, server.Address6));
                    states[i] = reports[i]?.State ?? (HealthCheckInheritance.StartsDownFor(service, server) ? HealthState.Down : HealthState.Up);
                }

                if (states[i] == HealthState.Up)
                {
                    liveWeight += Math.Max(0, reports[i]?.Weight ?? server.Weight);
                }
            }

            var quorum = service.Quorum ?? QuorumConfig.Default;
            bool? quorumUp = null;
            if (IsTracked(service))
            {
                bool up;
                if (_quorum.TryGetValue(key, out var wasUp))
                {
                    up = QuorumPolicy.Next(wasUp, liveWeight, quorum.Quorum, quorum.Hysteresis);
                    if (up != wasUp)
                    {
                        _pending.Enqueue(new QuorumChange(key, up, Initial: false, liveWeight, up ? QuorumPolicy.GainThreshold(quorum.Quorum, quorum.Hysteresis) : QuorumPolicy.LossThreshold(quorum.Quorum, quorum.Hysteresis), quorum));
                    }
                }
                else
                {
                    up = QuorumPolicy.Initial(liveWeight, quorum.Quorum, quorum.Hysteresis);
                    _pending.Enqueue(new QuorumChange(key, up, Initial: true, liveWeight, QuorumPolicy.GainThreshold(quorum.Quorum, quorum.Hysteresis), quorum));
                }

                _quorum[key] = up;
                quorumUp = up;
            }

            var sorryActive = quorum.SorryServer is not null && quorumUp == false;
            var decisions = new ServerDecision[count];
            for (var i = 0; i < count; i++)
            {
                var server = service.RealServers[i];
                var isChecked = HealthCheckInheritance.IsChecked(service, server);
                var weight = Math.Max(0, reports[i]?.Weight ?? server.Weight);
                var membership = states[i] == HealthState.Up
                    ? sorryActive ? PoolMembership.Displaced : PoolMembership.InPool
                    : HealthCheckInheritance.InhibitOnFailureFor(service, server) ? PoolMembership.Inhibited : PoolMembership.Removed;
                var status = isChecked || sorryActive
                    ? new ServerHealthStatus
                    {
                        State = states[i],
                        Membership = membership,
                        Since = reports[i]?.Since,
                        Reason = reports[i]?.Reason ?? (sorryActive && !isChecked ? "not checked" : null),
                        ConfiguredWeight = server.Weight,
                        DynamicWeight = reports[i]?.Weight,
                    }
                    : null;
                decisions[i] = new ServerDecision(server, membership, membership == PoolMembership.Inhibited ? 0 : weight, status);
            }

            ServerDecision? sorry = null;
            if (quorum.SorryServer is { } sorryConfig)
            {
                var membership = sorryActive ? PoolMembership.InPool : sorryConfig.Inhibit ? PoolMembership.Inhibited : PoolMembership.Removed;
                var config = sorryConfig.ToRealServer();
                sorry = new ServerDecision(config, membership, membership == PoolMembership.Inhibited ? 0 : config.Weight, new ServerHealthStatus
                {
                    State = HealthState.Up,
                    Membership = membership,
                    ConfiguredWeight = config.Weight,
                    IsSorryServer = true,
                });
            }

            return new ServiceAvailability(decisions, sorry, quorumUp, liveWeight, quorum);
        }
    }

    /// <summary>Raises <see cref="QuorumChanged"/> for the changes the last builds queued.</summary>
    internal void RaisePending()
    {
        while (_pending.TryDequeue(out var change))
        {
            QuorumChanged?.Invoke(change);
        }
    }

    // keepalived evaluates the quorum of every virtual server; LvsNet only of services that have
    // health checks or quorum settings, so that plain ipvsadm-style services log nothing.
    private static bool IsTracked(VirtualServiceConfig service) => service.HealthCheck is not null || service.Quorum is not null
        || service.RealServers.Any(s => s.HealthCheck is not null);
}

/// <summary>The pool decision for one real server (or the sorry server) of one snapshot.</summary>
/// <param name="Config">The server's configuration (the sorry server's, converted).</param>
/// <param name="Membership">Where it stands.</param>
/// <param name="Weight">The weight in force: 0 when inhibited, else the configured (or dynamic) weight.</param>
/// <param name="Status">What <see cref="RealServerState.Health"/> shows, or null for an unchecked server.</param>
internal readonly record struct ServerDecision(RealServerConfig Config, PoolMembership Membership, int Weight, ServerHealthStatus? Status)
{
    /// <summary>True when the server is in the scheduler's array (in the pool or inhibited).</summary>
    public bool Listed => Membership is PoolMembership.InPool or PoolMembership.Inhibited;

    /// <summary>The configuration applied to the server's state: the configured one with the weight in force.</summary>
    public RealServerConfig Applied => Weight == Config.Weight ? Config : Config with { Weight = Weight };
}

/// <summary>The pool decisions of one service.</summary>
internal sealed record ServiceAvailability(ServerDecision[] Servers, ServerDecision? SorryServer, bool? QuorumUp, long LiveWeight, QuorumConfig Quorum);
