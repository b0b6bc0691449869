using Microsoft.Extensions.Hosting;

namespace LvsNet.Daemon.Ha;

/// <summary>Starts the HA control after the capture (the sync daemons need the capture threads) and stops the sync daemons at shutdown.</summary>
public sealed class HaService : IHostedService
{
    private readonly HaController _controller;

    /// <summary>Creates the service.</summary>
    public HaService(HaController controller, HaMetrics metrics)
    {
        _controller = controller;

        // Resolved here so that the instruments exist from start (their meter is disposed with the container).
        _ = metrics;
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _controller.Start();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        _controller.Stop();
        return Task.CompletedTask;
    }
}
