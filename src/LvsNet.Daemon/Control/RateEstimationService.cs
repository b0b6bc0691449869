using LvsNet.Control.Listings;
using LvsNet.Core;
using Microsoft.Extensions.Hosting;

namespace LvsNet.Daemon.Control;

/// <summary>Feeds the IPVS rate estimator: one sample of every service and real server each 2 seconds (ipvsadm --rate).</summary>
public sealed class RateEstimationService : BackgroundService
{
    private readonly LvsRuntime _runtime;
    private readonly StatisticsBook _book;
    private readonly TimeProvider _time;

    /// <summary>Creates the service.</summary>
    public RateEstimationService(LvsRuntime runtime, StatisticsBook book, TimeProvider time)
    {
        _runtime = runtime;
        _book = book;
        _time = time;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(RateEstimator.SampleInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                if (_runtime.Current is { } snapshot)
                {
                    _book.Sample(snapshot);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
