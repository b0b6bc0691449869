using LvsNet.Core;
using LvsNet.Core.Runtime;
using Microsoft.Extensions.Hosting;

namespace LvsNet.Daemon;

/// <summary>Logs per-server statistics every <see cref="DaemonOptions.StatsInterval"/> (the final figures are logged at stop by <see cref="CaptureService"/>).</summary>
public sealed class StatisticsService : BackgroundService
{
    private readonly LvsRuntime _runtime;
    private readonly CaptureService _capture;
    private readonly StatisticsLogger _statistics;
    private readonly DaemonOptions _options;
    private readonly TimeProvider _time;

    /// <summary>Creates the service.</summary>
    public StatisticsService(LvsRuntime runtime, CaptureService capture, StatisticsLogger statistics, DaemonOptions options, TimeProvider time)
    {
        _runtime = runtime;
        _capture = capture;
        _statistics = statistics;
        _options = options;
        _time = time;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.StatsInterval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(_options.StatsInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                _statistics.Write(_runtime.Current, _capture.Counters, _capture.CaptureStatistics);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
