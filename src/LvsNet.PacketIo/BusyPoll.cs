using System.Diagnostics;

namespace LvsNet.PacketIo;

/// <summary>
/// The optional busy-poll phase of the ring devices' <c>Wait</c>: before sleeping in poll(2), keep looking
/// at the ring for a while, so that a frame arriving soon is found without a wake-up (a scheduler round
/// trip of tens of microseconds on a loaded host). It costs a core's time while the ring stays empty:
/// meant for hosts that dedicate a core to the capture thread.
/// </summary>
internal static class BusyPoll
{
    /// <summary>The longest busy-poll phase the devices accept.</summary>
    public static readonly TimeSpan Maximum = TimeSpan.FromMilliseconds(10);

    /// <summary>Converts a busy-poll time to <see cref="Stopwatch"/> ticks (0 = off).</summary>
    public static long ToTicks(TimeSpan time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(time, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(time, Maximum);
        return (long)(time.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>The deadline of a busy-poll phase starting now.</summary>
    public static long Deadline(long ticks) => Stopwatch.GetTimestamp() + ticks;

    /// <summary>Whether the phase is over; between checks the thread pauses briefly (PAUSE instructions, no system call).</summary>
    public static bool Expired(long deadline)
    {
        Thread.SpinWait(16);
        return Stopwatch.GetTimestamp() >= deadline;
    }
}
