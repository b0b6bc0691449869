using LvsNet.Core.Health;
using Microsoft.Extensions.Hosting;

namespace LvsNet.Daemon.Health;

/// <summary>
/// Runs the health checks for the daemon's lifetime: starts the <see cref="HealthMonitor"/> (which
/// follows every reload by itself) and at stop cancels the checks in flight and removes the
/// via-VIP probe routes. Checks never touch the data path: they publish by snapshot rebuilds.
/// </summary>
public sealed class HealthCheckService : IHostedService, IDisposable
{
    private readonly HealthMonitor _monitor;
    private readonly VipProbeRoutes _routes;
    private readonly HealthMetrics _metrics;

    /// <summary>Creates the service.</summary>
    public HealthCheckService(HealthMonitor monitor, VipProbeRoutes routes, HealthMetrics metrics)
    {
        _monitor = monitor;
        _routes = routes;
        _metrics = metrics;
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _monitor.Start();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            // keepalived omega: the down notifiers of services that ask for them, before the checks stop.
            await _monitor.RunOmegaNotifiersAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout ran out; the commands were started and run on.
        }

        _monitor.Dispose();
        _routes.Dispose();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _monitor.Dispose();
        _routes.Dispose();
        _metrics.Dispose();
    }
}
