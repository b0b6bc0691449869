using LvsNet.Core.Configuration;
using LvsNet.Core.Feedback;
using LvsNet.Core.Health.Checkers;
using LvsNet.Core.Runtime;
using LvsNet.Packets;

namespace LvsNet.Core.Health;

/// <summary>
/// Queries the load agents of the real servers that have an <c>agent_check</c> and records their
/// replies in the <see cref="AgentFeedbackStore"/>; the <see cref="DynamicWeightDriver"/> turns them
/// into effective weights. An agent that does not answer changes nothing (its last word stays):
/// whether the server is up is the health checks' business, as in HAProxy.
/// </summary>
/// <remarks>
/// One <see cref="TimeProvider"/> timer per server, re-armed after each query, so a slow agent never
/// has two queries in flight. Follows every snapshot; a server whose settings did not change keeps
/// its timer. Statuses of servers that have neither an agent nor a MISC check with feedback any more
/// are forgotten.
/// </remarks>
public sealed class AgentCheckMonitor : IDisposable
{
    private readonly LvsRuntime _runtime;
    private readonly AgentFeedbackStore _store;
    private readonly TimeProvider _time;
    private readonly bool _bindToDirector;
    private readonly Func<CheckTarget, string?, CancellationToken, Task<(string? Line, string? Error)>> _query;
    private readonly Lock _gate = new();
    private readonly Dictionary<RealServerKey, Agent> _agents = [];
    private LvsConfig? _config;
    private bool _started;
    private bool _disposed;

    /// <summary>Creates the monitor (call <see cref="Start"/> to run it).</summary>
    /// <param name="runtime">The runtime whose configuration names the agents.</param>
    /// <param name="store">Where replies go.</param>
    /// <param name="time">The clock and timers; null = the system clock.</param>
    /// <param name="bindToDirectorAddress">Send queries from the director's address (tests on loopback turn it off).</param>
    public AgentCheckMonitor(LvsRuntime runtime, AgentFeedbackStore store, TimeProvider? time = null, bool bindToDirectorAddress = true)
        : this(runtime, store, time, bindToDirectorAddress, null)
    {
    }

    /// <summary>Creates the monitor with another query (tests: real servers cannot be loopback addresses).</summary>
    internal AgentCheckMonitor(LvsRuntime runtime, AgentFeedbackStore store, TimeProvider? time, bool bindToDirectorAddress, Func<CheckTarget, string?, CancellationToken, Task<(string? Line, string? Error)>>? query)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(store);
        _runtime = runtime;
        _store = store;
        _time = time ?? TimeProvider.System;
        _bindToDirector = bindToDirectorAddress;
        _query = query ?? AgentQuery.RunAsync;
    }

    /// <summary>How many servers' agents are queried.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _agents.Count;
            }
        }
    }

    /// <summary>Starts following the configuration (idempotent).</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_started || _disposed)
            {
                return;
            }

            _started = true;
        }

        _runtime.SnapshotPublished += OnSnapshotPublished;
        if (_runtime.Current is { } snapshot)
        {
            Reconcile(snapshot);
        }
    }

    /// <summary>Brings the queried agents in line with <paramref name="snapshot"/>'s configuration.</summary>
    public void Reconcile(LvsSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var toStart = new List<Agent>();
        var toStop = new List<Agent>();
        var keep = new HashSet<RealServerKey>();
        lock (_gate)
        {
            if (_disposed || ReferenceEquals(snapshot.Config, _config))
            {
                return;
            }

            _config = snapshot.Config;
            uint? bind = _bindToDirector ? snapshot.Config.Director.Address : null;
            var seen = new HashSet<RealServerKey>();
            foreach (var service in snapshot.Config.VirtualServices)
            {
                var serviceKey = ServiceKey.Of(service);
                foreach (var server in service.RealServers)
                {
                    var key = new RealServerKey(serviceKey, server.Address, server.Port, server.Address6);
                    if (HasMiscFeedback(service, server))
                    {
                        keep.Add(key);
                    }

                    if (AgentCheckConfig.Resolve(service.AgentCheck, server.AgentCheck) is not { } settings)
                    {
                        continue;
                    }

                    seen.Add(key);
                    keep.Add(key);
                    var target = new CheckTarget
                    {
                        Server = key,
                        // An IPv6 server's agent is asked over IPv6, from the address the kernel picks (the director's is IPv4).
                        Endpoint = new System.Net.IPEndPoint(server.Address6 is { } v6 ? v6.ToIPAddress() : Ipv4Address.ToIPAddress(server.Address), settings.Port),
                        BindAddress = bind is { } b && server.Address6 is null ? Ipv4Address.ToIPAddress(b) : null,
                    };
                    if (_agents.TryGetValue(key, out var existing) && existing.Settings == settings && existing.Target == target)
                    {
                        continue;
                    }

                    if (existing is not null)
                    {
                        toStop.Add(existing);
                    }

                    var agent = new Agent(this, key, settings, target);
                    _agents[key] = agent;
                    toStart.Add(agent);
                }
            }

            foreach (var (key, agent) in _agents.Where(p => !seen.Contains(p.Key)).ToList())
            {
                _agents.Remove(key);
                toStop.Add(agent);
            }
        }

        foreach (var agent in toStop)
        {
            agent.Stop();
            if (!keep.Contains(agent.Key))
            {
                _store.Forget(agent.Key);
            }
        }

        foreach (var agent in toStart)
        {
            // Spread the first queries over one interval so that agents are not asked in lockstep.
            agent.Arm(TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * Math.Min(agent.Settings.Interval.TotalMilliseconds, 1000)));
        }
    }

    /// <summary>Stops every query.</summary>
    public void Dispose()
    {
        List<Agent> agents;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            agents = [.. _agents.Values];
            _agents.Clear();
        }

        _runtime.SnapshotPublished -= OnSnapshotPublished;
        foreach (var agent in agents)
        {
            agent.Stop();
        }
    }

    private static bool HasMiscFeedback(VirtualServiceConfig service, RealServerConfig server) =>
        HealthCheckInheritance.EffectiveChecks(service, server) is { IsDefaultOrEmpty: false } checks
        && checks.Any(c => c is MiscCheckConfig { Feedback: true });

    private void OnSnapshotPublished(LvsSnapshot snapshot, SnapshotChanges changes) => Reconcile(snapshot);

    private sealed class Agent(AgentCheckMonitor owner, RealServerKey key, AgentCheckSettings settings, CheckTarget target) : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private ITimer? _timer;

        public RealServerKey Key { get; } = key;

        public AgentCheckSettings Settings { get; } = settings;

        public CheckTarget Target { get; } = target;

        public void Arm(TimeSpan delay)
        {
            lock (_stop)
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }

                _timer ??= owner._time.CreateTimer(static state => _ = ((Agent)state!).QueryAsync(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _timer.Change(delay, Timeout.InfiniteTimeSpan);
            }
        }

        // The token source is cancelled, not disposed: a query in flight may still read its token.
        public void Dispose() => Stop();

        public void Stop()
        {
            lock (_stop)
            {
                _stop.Cancel();
                _timer?.Dispose();
                _timer = null;
            }
        }

        private async Task QueryAsync()
        {
            using var timeout = new CancellationTokenSource(Settings.Timeout, owner._time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stop.Token);
            var (line, error) = await owner._query(Target, Settings.Send, linked.Token).ConfigureAwait(false);
            if (_stop.IsCancellationRequested)
            {
                return;
            }

            if (line is not null)
            {
                owner._store.Record(Key, "agent", line);
            }
            else
            {
                owner._store.RecordUnreachable(Key, "agent", error ?? "no reply");
            }

            Arm(Settings.Interval);
        }
    }
}
