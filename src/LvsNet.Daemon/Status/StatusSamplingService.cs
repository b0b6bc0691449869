using LvsNet.Core.Health;
using LvsNet.Core.Runtime;
using Microsoft.Extensions.Hosting;

namespace LvsNet.Daemon.Status;

/// <summary>
/// Feeds <see cref="StatusHistory"/> every <see cref="StatusHistory.Interval"/> from the counters
/// the data path already keeps (read with volatile loads, as the metrics do), the health monitor's
/// description and the last reload; follows the monitor's health changes as they happen.
/// </summary>
public sealed class StatusSamplingService : BackgroundService
{
    private readonly StatusHistory _history;
    private readonly LvsRuntime _runtime;
    private readonly CaptureService _capture;
    private readonly ReloadService _reload;
    private readonly HealthMonitor? _monitor;
    private readonly TimeProvider _time;

    /// <summary>Creates the service.</summary>
    public StatusSamplingService(StatusHistory history, LvsRuntime runtime, CaptureService capture, ReloadService reload, TimeProvider time, HealthMonitor? monitor = null)
    {
        _history = history;
        _runtime = runtime;
        _capture = capture;
        _reload = reload;
        _time = time;
        _monitor = monitor;
    }

    /// <inheritdoc />
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (_monitor is not null)
        {
            _monitor.ServerHealthChanged += _history.RecordHealthChange;
        }

        return base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_monitor is not null)
        {
            _monitor.ServerHealthChanged -= _history.RecordHealthChange;
        }

        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Takes one sample now.</summary>
    public void SampleOnce(double seconds)
    {
        if (_runtime.Current is { } snapshot)
        {
            _history.Sample(snapshot, _capture.Counters, _monitor?.Describe() ?? [], seconds);
        }

        if (_reload.LastResult is { } last)
        {
            _history.RecordReload(last.At, last.Applied, [.. last.Errors.Select(e => e.ToString())], _reload.RestartRequired);
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(StatusHistory.Interval, _time);
        var last = _time.GetTimestamp();
        SampleOnce(StatusHistory.Interval.TotalSeconds);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                var now = _time.GetTimestamp();
                SampleOnce(_time.GetElapsedTime(last, now).TotalSeconds);
                last = now;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
