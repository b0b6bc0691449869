using LvsNet.Core.Routing;
using LvsNet.Core.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LvsNet.Daemon.Routing;

/// <summary>
/// Runs the <see cref="RouteAnnouncer"/>: starts it after the capture (registered after it, so it
/// also stops first), decides five times a second, and at shutdown withdraws every VIP, waits
/// <c>announce.stop_delay</c> so the router moves the flows to the other directors while this one
/// still forwards, then stops the BIRD child.
/// </summary>
public sealed class AnnouncementService : IHostedService, IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    private readonly RouteAnnouncer _announcer;
    private readonly LvsRuntime _runtime;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    /// <summary>Creates the service.</summary>
    public AnnouncementService(RouteAnnouncer announcer, RoutingMetrics metrics, LvsRuntime runtime, ILogger<AnnouncementService> logger)
    {
        _announcer = announcer;
        _runtime = runtime;
        _logger = logger;

        // Resolved here so that the instruments exist from start.
        _ = metrics;
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_runtime.Current?.Config is not { Announce: not null } config)
        {
            return Task.CompletedTask;
        }

        foreach (var service in config.VirtualServices)
        {
            if (!AnnouncementPolicy.IsConsistentAcrossDirectors(service.Scheduler))
            {
                RoutingLog.SchedulerInconsistent(_logger, service.Name ?? $"{service.Protocol} {Packets.Ipv4Address.Format(service.Address)}:{service.Port}", service.Scheduler);
            }
        }

        _announcer.Start();
        _loop = RunAsync(_stop.Token);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_loop is null)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        await _announcer.WithdrawAllAsync(cancellationToken).ConfigureAwait(false);
        if (_runtime.Current?.Config.Announce?.StopDelay is { } delay && delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }

        if (_announcer.Bird is { } bird)
        {
            await bird.StopAsync(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _announcer.Bird?.Dispose();
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            do
            {
                await _announcer.TickAsync(cancellationToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
