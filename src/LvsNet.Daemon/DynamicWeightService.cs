using LvsNet.Core;
using LvsNet.Core.Feedback;
using Microsoft.Extensions.Hosting;

namespace LvsNet.Daemon;

/// <summary>
/// Runs the dynamic-feedback weight policy (<c>dynamic_weights</c> of a service) once a second on
/// the control plane; services without the policy are untouched. Health checks, when registered
/// as an <see cref="IServerLoadSignal"/>, feed it latency and failures.
/// </summary>
public sealed class DynamicWeightService : IHostedService, IDisposable
{
    private readonly DynamicWeightDriver _driver;

    /// <summary>Creates the service.</summary>
    public DynamicWeightService(LvsRuntime runtime, TimeProvider time, IServerLoadSignal? signal = null) =>
        _driver = new DynamicWeightDriver(runtime, signal, time);

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _driver.Start();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        _driver.Dispose();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void Dispose() => _driver.Dispose();
}
