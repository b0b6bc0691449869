using System.Diagnostics;

namespace LvsNet.Daemon.Control;

/// <summary>
/// Tells the systemd watchdog whether the capture thread is alive: its processor's clock
/// (<see cref="Core.DataPath.PacketProcessor.Now"/>, advanced at every batch, at least every 250 ms
/// while idle) must have moved since the previous check.
/// </summary>
public sealed class CaptureLiveness
{
    private readonly CaptureService _capture;
    private uint _lastNow;
    private long _lastProgress = Stopwatch.GetTimestamp();

    /// <summary>Creates the check.</summary>
    public CaptureLiveness(CaptureService capture) => _capture = capture;

    /// <summary>How long the capture thread has shown no progress at the last check.</summary>
    public TimeSpan Stalled { get; private set; }

    /// <summary>True when the capture thread advanced since the last call (or is not started yet).</summary>
    public bool Check()
    {
        if (_capture.Worker is not { } worker)
        {
            return true;
        }

        var now = worker.Processor.Now;
        if (now != _lastNow)
        {
            _lastNow = now;
            _lastProgress = Stopwatch.GetTimestamp();
            Stalled = TimeSpan.Zero;
            return true;
        }

        Stalled = Stopwatch.GetElapsedTime(_lastProgress);
        return Stalled < TimeSpan.FromSeconds(2);
    }
}
