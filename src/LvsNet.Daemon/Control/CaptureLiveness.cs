using System.Diagnostics;

namespace LvsNet.Daemon.Control;

/// <summary>
/// Tells the systemd watchdog whether the capture threads are alive: each processor's clock
/// (<see cref="Core.DataPath.PacketProcessor.Now"/>, advanced at every batch, at least every 250 ms
/// while idle) must have moved since the previous check; the slowest thread decides.
/// </summary>
public sealed class CaptureLiveness
{
    private readonly CaptureService _capture;
    private uint[] _lastNow = [];
    private long _lastProgress = Stopwatch.GetTimestamp();

    /// <summary>Creates the check.</summary>
    public CaptureLiveness(CaptureService capture) => _capture = capture;

    /// <summary>How long the capture thread has shown no progress at the last check.</summary>
    public TimeSpan Stalled { get; private set; }

    /// <summary>True when the capture thread advanced since the last call (or is not started yet).</summary>
    public bool Check()
    {
        var workers = _capture.Workers;
        if (workers.Count == 0)
        {
            return true;
        }

        if (_lastNow.Length != workers.Count)
        {
            _lastNow = new uint[workers.Count];
        }

        var allMoved = true;
        for (var i = 0; i < workers.Count; i++)
        {
            var now = workers[i].Processor.Now;
            allMoved &= now != _lastNow[i];
            _lastNow[i] = now;
        }

        if (allMoved)
        {
            _lastProgress = Stopwatch.GetTimestamp();
            Stalled = TimeSpan.Zero;
            return true;
        }

        Stalled = Stopwatch.GetElapsedTime(_lastProgress);
        return Stalled < TimeSpan.FromSeconds(2);
    }
}
