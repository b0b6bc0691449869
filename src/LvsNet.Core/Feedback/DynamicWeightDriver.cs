using LvsNet.Core.Configuration;
using LvsNet.Core.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LvsNet.Core.Feedback;

/// <summary>
/// Runs the dynamic-weight policies: every <see cref="TickPeriod"/> it looks at the current
/// snapshot and, for each service whose <c>dynamic_weights</c> interval has elapsed, feeds the
/// servers' active connections, the <see cref="IServerLoadSignal"/> samples and the agents' word
/// (<see cref="AgentFeedbackStore"/>) to <see cref="DynamicWeightCalculator"/> and publishes the
/// results as <see cref="RealServerState.EffectiveWeight"/>. A service without the policy whose
/// servers have agents gets <c>configured × agent percentage</c> (0 while drained) every tick.
/// </summary>
/// <remarks>
/// <para>Host it as a singleton: <c>new DynamicWeightDriver(runtime, signal, timeProvider, agents, logger)</c>,
/// <see cref="Start"/> after the first configuration is applied, <see cref="Dispose"/> at stop.
/// Tests call <see cref="RunDue"/> directly with a fake clock.</para>
/// <para>Runs on a timer thread, never on the data path; the schedulers see new weights on their
/// next pick (wrr recomputes its gcd and maximum then). A service whose policy is removed or
/// disabled gets its configured weights back. Per-server state is keyed by
/// <see cref="RealServerState.Id"/>, so it survives reloads that keep the server. Every change of an
/// effective weight is logged (<c>DynamicWeightChanged</c>) with the inputs that caused it.</para>
/// </remarks>
public sealed partial class DynamicWeightDriver : IDisposable
{
    private readonly LvsRuntime _runtime;
    private readonly IServerLoadSignal? _signal;
    private readonly AgentFeedbackStore? _agents;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<ServiceKey, long> _nextRun = [];
    private readonly HashSet<ServiceKey> _agentOnly = [];
    private readonly Dictionary<int, DynamicWeightState> _states = [];
    private readonly Dictionary<int, DynamicWeightDecision> _decisions = [];
    private readonly Dictionary<int, (long Count, long Microseconds)> _handshakeTotals = [];
    private long _changes;
    private ITimer? _timer;

    /// <summary>Creates the driver.</summary>
    /// <param name="runtime">The runtime whose current snapshot is adjusted.</param>
    /// <param name="signal">Latency/failure measurements (health checks), or null for connection counts only.</param>
    /// <param name="time">The clock; null = the system clock.</param>
    /// <param name="agents">What the servers' agents say, or null when there are none.</param>
    /// <param name="logger">Where weight changes are logged; null = nowhere.</param>
    public DynamicWeightDriver(LvsRuntime runtime, IServerLoadSignal? signal = null, TimeProvider? time = null, AgentFeedbackStore? agents = null, ILogger<DynamicWeightDriver>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        _runtime = runtime;
        _signal = signal;
        _agents = agents;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>How often the driver checks which services are due (intervals are rounded to it: a service is due from half a tick before its interval has elapsed).</summary>
    public static TimeSpan TickPeriod { get; } = TimeSpan.FromSeconds(1);

    /// <summary>How many effective-weight changes the driver has made since it was created.</summary>
    public long WeightChanges => Interlocked.Read(ref _changes);

    /// <summary>Starts the periodic timer (idempotent).</summary>
    public void Start()
    {
        lock (_gate)
        {
            _timer ??= _time.CreateTimer(static state => ((DynamicWeightDriver)state!).RunDue(), this, TickPeriod, TickPeriod);
        }
    }

    /// <summary>The calculator state of a server, for diagnostics; false when the driver does not manage it.</summary>
    public bool TryGetState(RealServerState server, out DynamicWeightState state)
    {
        ArgumentNullException.ThrowIfNull(server);
        lock (_gate)
        {
            return _states.TryGetValue(server.Id, out state);
        }
    }

    /// <summary>The last decision about a server with all its inputs; false when the driver does not manage it.</summary>
    public bool TryGetDecision(RealServerState server, out DynamicWeightDecision decision)
    {
        ArgumentNullException.ThrowIfNull(server);
        lock (_gate)
        {
            return _decisions.TryGetValue(server.Id, out decision!);
        }
    }

    /// <summary>Updates every service whose interval has elapsed; returns how many were updated.</summary>
    public int RunDue()
    {
        var snapshot = _runtime.Current;
        if (snapshot is null)
        {
            return 0;
        }

        lock (_gate)
        {
            var now = _time.GetTimestamp();
            var updated = 0;
            var managed = new HashSet<ServiceKey>();
            foreach (var service in snapshot.Services)
            {
                var policy = service.Config.DynamicWeights;
                var supports = SchedulerNames.SupportsDynamicWeights(service.Config.Scheduler);
                if (policy is not { Enabled: true } || !supports)
                {
                    if (_nextRun.Remove(service.Key))
                    {
                        Restore(service.Servers);
                    }

                    if (supports && HasAgents(service.Servers))
                    {
                        _agentOnly.Add(service.Key);
                        ApplyAgents(service, service.Servers);
                        updated++;
                    }
                    else if (_agentOnly.Remove(service.Key))
                    {
                        Restore(service.Servers);
                    }

                    continue;
                }

                _agentOnly.Remove(service.Key);
                managed.Add(service.Key);
                if (_nextRun.TryGetValue(service.Key, out var due) && now < due)
                {
                    continue;
                }

                // Due half a tick early: the timer's callbacks are a second apart only on average (a
                // late one is followed by an early one on a loaded machine), and a tick a few
                // milliseconds short of the interval must not stretch it to two ticks.
                _nextRun[service.Key] = now + (long)((policy.Interval - (TickPeriod / 2)).TotalSeconds * _time.TimestampFrequency);
                Update(service, policy, service.Servers);
                updated++;
            }

            // Services that left the configuration: forget them (their servers are gone too).
            if (_nextRun.Count > managed.Count)
            {
                foreach (var key in _nextRun.Keys.Where(k => !managed.Contains(k)).ToList())
                {
                    _nextRun.Remove(key);
                }
            }

            if (_agentOnly.Count > 0)
            {
                var present = snapshot.Services.Select(s => s.Key).ToHashSet();
                _agentOnly.RemoveWhere(k => !present.Contains(k));
            }

            return updated;
        }
    }

    /// <summary>Stops the timer.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }

    private bool HasAgents(RealServerState[] servers)
    {
        if (_agents is null)
        {
            return false;
        }

        foreach (var server in servers)
        {
            if (_agents.TryGet(server, out _))
            {
                return true;
            }
        }

        return false;
    }

    private void Update(VirtualServiceState service, DynamicWeightsConfig policy, RealServerState[] servers)
    {
        var inputs = new DynamicWeightInput[servers.Length];
        var states = new DynamicWeightState[servers.Length];
        var weights = new int[servers.Length];
        var agents = new AgentStatus?[servers.Length];
        for (var i = 0; i < servers.Length; i++)
        {
            var server = servers[i];
            ServerLoadSample? sample = _signal is not null && _signal.TryGetSample(server, out var s) ? s : null;
            agents[i] = _agents is not null && _agents.TryGet(server, out var agent) ? agent : null;
            inputs[i] = new DynamicWeightInput(server.Weight, server.ActiveConnections, sample, agents[i]?.WeightFactor ?? 1.0, HandshakeSinceLastInterval(server));
            _states.TryGetValue(server.Id, out states[i]);
        }

        DynamicWeightCalculator.Update(policy, inputs, states, weights);
        for (var i = 0; i < servers.Length; i++)
        {
            _states[servers[i].Id] = states[i];
            Publish(service, servers[i], new DynamicWeightDecision(inputs[i], agents[i], states[i], weights[i], _time.GetUtcNow()));
        }
    }

    // The mean SYN-to-established time of the handshakes the server completed since the last
    // interval: the difference of its per-worker totals (null when none completed).
    private TimeSpan? HandshakeSinceLastInterval(RealServerState server)
    {
        var count = server.Handshakes.Count;
        var microseconds = server.Handshakes.TotalMicroseconds;
        _handshakeTotals.TryGetValue(server.Id, out var last);
        _handshakeTotals[server.Id] = (count, microseconds);
        var handshakes = count - last.Count;
        return handshakes > 0 && microseconds > last.Microseconds ? TimeSpan.FromMicroseconds((double)(microseconds - last.Microseconds) / handshakes) : null;
    }

    private void ApplyAgents(VirtualServiceState service, RealServerState[] servers)
    {
        foreach (var server in servers)
        {
            var agent = _agents!.TryGet(server, out var status) ? status : null;
            var input = new DynamicWeightInput(server.Weight, server.ActiveConnections, null, agent?.WeightFactor ?? 1.0);
            var weight = input.BaseWeight <= 0 ? 0 : DynamicWeightCalculator.EffectiveWeight(server.Weight, input.AgentFactor);
            Publish(service, server, new DynamicWeightDecision(input, agent, null, weight, _time.GetUtcNow()));
        }
    }

    private void Publish(VirtualServiceState service, RealServerState server, DynamicWeightDecision decision)
    {
        _decisions[server.Id] = decision;
        var before = server.EffectiveWeight;
        server.SetEffectiveWeight(decision.EffectiveWeight, allowZero: decision.Input.BaseWeight <= 0);
        var after = server.EffectiveWeight;
        if (after != before)
        {
            Interlocked.Increment(ref _changes);
            if (_logger.IsEnabled(LogLevel.Information))
            {
                Log.WeightChanged(_logger, service.Key.ToString(), server.ToString(), before, after, decision.Describe());
            }
        }
    }

    private void Restore(RealServerState[] servers)
    {
        foreach (var server in servers)
        {
            _states.Remove(server.Id);
            _decisions.Remove(server.Id);
            _handshakeTotals.Remove(server.Id);
            server.SetEffectiveWeight(server.Weight);
        }
    }
}
