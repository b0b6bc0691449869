using LvsNet.Core;
using LvsNet.Core.Feedback;
using LvsNet.Core.Health;
using LvsNet.Core.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LvsNet.Daemon;

/// <summary>
/// Runs the dynamic-feedback weight policy (<c>dynamic_weights</c> of a service) once a second on
/// the control plane, and queries the servers' load agents (<c>agent_check</c>); services without
/// either are untouched. Health checks, when registered as an <see cref="IServerLoadSignal"/>, feed
/// it latency and failures; MISC checks with <c>feedback</c> and the agents feed the
/// <see cref="AgentFeedbackStore"/>.
/// </summary>
public sealed class DynamicWeightService : IHostedService, IDisposable
{
    private readonly DynamicWeightDriver _driver;
    private readonly AgentCheckMonitor? _agentChecks;

    /// <summary>Creates the service.</summary>
    /// <param name="runtime">The runtime whose weights are adjusted.</param>
    /// <param name="time">The clock.</param>
    /// <param name="signal">Latency and failures of the health checks, or null.</param>
    /// <param name="agents">What the agents say, or null (then no agent is queried).</param>
    /// <param name="logger">Where weight changes are logged, or null.</param>
    public DynamicWeightService(LvsRuntime runtime, TimeProvider time, IServerLoadSignal? signal = null, AgentFeedbackStore? agents = null, ILogger<DynamicWeightDriver>? logger = null)
    {
        _driver = new DynamicWeightDriver(runtime, signal, time, agents, logger);
        _agentChecks = agents is null ? null : new AgentCheckMonitor(runtime, agents, time);
    }

    /// <summary>The driver (decisions and their inputs, for listings and metrics).</summary>
    public DynamicWeightDriver Driver => _driver;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _agentChecks?.Start();
        _driver.Start();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        _driver.Dispose();
        _agentChecks?.Dispose();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _driver.Dispose();
        _agentChecks?.Dispose();
    }
}
