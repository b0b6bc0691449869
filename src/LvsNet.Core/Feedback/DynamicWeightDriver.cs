using LvsNet.Core.Configuration;
using LvsNet.Core.Scheduling;

namespace LvsNet.Core.Feedback;

/// <summary>
/// Runs the dynamic-weight policies: every <see cref="TickPeriod"/> it looks at the current
/// snapshot and, for each service whose <c>dynamic_weights</c> interval has elapsed, feeds the
/// servers' active connections and the <see cref="IServerLoadSignal"/> samples to
/// <see cref="DynamicWeightCalculator"/> and publishes the results as
/// <see cref="RealServerState.EffectiveWeight"/>.
/// </summary>
/// <remarks>
/// <para>Host it as a singleton: <c>new DynamicWeightDriver(runtime, signal, timeProvider)</c>,
/// <see cref="Start"/> after the first configuration is applied, <see cref="Dispose"/> at stop.
/// Tests call <see cref="RunDue"/> directly with a fake clock.</para>
/// <para>Runs on a timer thread, never on the data path; the schedulers see new weights on their
/// next pick (wrr recomputes its gcd and maximum then). A service whose policy is removed or
/// disabled gets its configured weights back. Per-server state is keyed by
/// <see cref="RealServerState.Id"/>, so it survives reloads that keep the server.</para>
/// </remarks>
public sealed class DynamicWeightDriver : IDisposable
{
    private readonly LvsRuntime _runtime;
    private readonly IServerLoadSignal? _signal;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<ServiceKey, long> _nextRun = [];
    private readonly Dictionary<int, DynamicWeightState> _states = [];
    private ITimer? _timer;

    /// <summary>Creates the driver.</summary>
    /// <param name="runtime">The runtime whose current snapshot is adjusted.</param>
    /// <param name="signal">Latency/failure measurements (health checks), or null for connection counts only.</param>
    /// <param name="time">The clock; null = the system clock.</param>
    public DynamicWeightDriver(LvsRuntime runtime, IServerLoadSignal? signal = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        _runtime = runtime;
        _signal = signal;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>How often the driver checks which services are due (intervals are rounded up to it).</summary>
    public static TimeSpan TickPeriod { get; } = TimeSpan.FromSeconds(1);

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
                if (policy is not { Enabled: true } || !SchedulerNames.SupportsDynamicWeights(service.Config.Scheduler))
                {
                    if (_nextRun.Remove(service.Key))
                    {
                        Restore(service.Servers);
                    }

                    continue;
                }

                managed.Add(service.Key);
                if (_nextRun.TryGetValue(service.Key, out var due) && now < due)
                {
                    continue;
                }

                _nextRun[service.Key] = now + (long)(policy.Interval.TotalSeconds * _time.TimestampFrequency);
                Update(policy, service.Servers);
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

    private void Update(DynamicWeightsConfig policy, RealServerState[] servers)
    {
        var inputs = new DynamicWeightInput[servers.Length];
        var states = new DynamicWeightState[servers.Length];
        var weights = new int[servers.Length];
        for (var i = 0; i < servers.Length; i++)
        {
            var server = servers[i];
            ServerLoadSample? sample = _signal is not null && _signal.TryGetSample(server, out var s) ? s : null;
            inputs[i] = new DynamicWeightInput(server.Weight, server.ActiveConnections, sample);
            _states.TryGetValue(server.Id, out states[i]);
        }

        DynamicWeightCalculator.Update(policy, inputs, states, weights);
        for (var i = 0; i < servers.Length; i++)
        {
            _states[servers[i].Id] = states[i];
            servers[i].SetEffectiveWeight(weights[i]);
        }
    }

    private void Restore(RealServerState[] servers)
    {
        foreach (var server in servers)
        {
            _states.Remove(server.Id);
            server.SetEffectiveWeight(server.Weight);
        }
    }
}
