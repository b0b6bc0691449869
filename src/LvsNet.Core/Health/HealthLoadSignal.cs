using LvsNet.Core.Feedback;
using LvsNet.Core.Health.Checkers;


namespace LvsNet.Core.Health;

/// <summary>
/// Feeds the dynamic-feedback weights (<see cref="DynamicWeightDriver"/>) from the health checks:
/// per real server, the mean latency of its recent successful network checks and the share of its
/// recent checks that failed (a window of the last <see cref="HealthMonitorOptions.LoadWindow"/> results).
/// </summary>
/// <remarks>Written by the monitor's check completions, read by the driver's timer; one lock.</remarks>
public sealed class HealthLoadSignal : IServerLoadSignal
{
    private readonly Lock _gate = new();
    private readonly Dictionary<RealServerKey, Window> _windows = [];
    private readonly int _size;

    /// <summary>Creates the signal.</summary>
    /// <param name="window">How many recent results count (≥ 1).</param>
    public HealthLoadSignal(int window = 10)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        _size = window;
    }

    /// <inheritdoc />
    public bool TryGetSample(RealServerState server, out ServerLoadSample sample)
    {
        ArgumentNullException.ThrowIfNull(server);
        return TryGetSample(RealServerKey.Of(server), out sample);
    }

    /// <summary>The sample of a server by key; false when no check ran yet.</summary>
    public bool TryGetSample(RealServerKey server, out ServerLoadSample sample)
    {
        lock (_gate)
        {
            if (!_windows.TryGetValue(server, out var window) || window.Count == 0)
            {
                sample = default;
                return false;
            }

            long latencyTicks = 0;
            var latencies = 0;
            var failures = 0;
            for (var i = 0; i < window.Count; i++)
            {
                var (success, latency) = window.Results[i];
                if (!success)
                {
                    failures++;
                }
                else if (latency is { } value)
                {
                    latencyTicks += value.Ticks;
                    latencies++;
                }
            }

            sample = new ServerLoadSample(latencies == 0 ? null : TimeSpan.FromTicks(latencyTicks / latencies), (double)failures / window.Count);
            return true;
        }
    }

    /// <summary>Records one check's result.</summary>
    public void Record(RealServerKey server, CheckResult result)
    {
        lock (_gate)
        {
            if (!_windows.TryGetValue(server, out var window))
            {
                window = new Window(_size);
                _windows[server] = window;
            }

            window.Results[window.Next] = (result.Success, result.Latency);
            window.Next = (window.Next + 1) % window.Results.Length;
            window.Count = Math.Min(window.Count + 1, window.Results.Length);
        }
    }

    /// <summary>Forgets a server that is no longer checked.</summary>
    public void Forget(RealServerKey server)
    {
        lock (_gate)
        {
            _windows.Remove(server);
        }
    }

    private sealed class Window(int size)
    {
        public (bool Success, TimeSpan? Latency)[] Results { get; } = new (bool, TimeSpan?)[size];

        public int Next { get; set; }

        public int Count { get; set; }
    }
}
