namespace LvsNet.Core.Connections;

/// <summary>
/// Converts <see cref="TimeProvider"/> timestamps into the table's tick, a quarter of a second:
/// fine enough for IPVS timeouts (the shortest is 2 s), coarse enough that the timer wheel moves
/// a few slots a second.
/// </summary>
public readonly struct ConnectionClock
{
    /// <summary>Ticks per second.</summary>
    public const int TicksPerSecond = 4;

    private readonly long _origin;
    private readonly long _frequency;

    /// <summary>Creates a clock whose tick 0 is <paramref name="origin"/>.</summary>
    public ConnectionClock(long origin, long frequency)
    {
        _origin = origin;
        _frequency = frequency;
    }

    /// <summary>The tick of a timestamp.</summary>
    public uint TickOf(long timestamp) => (uint)((Int128)(timestamp - _origin) * TicksPerSecond / _frequency);

    /// <summary>Microseconds since the origin, wrapping every 71 minutes (differences of handshake times).</summary>
    public uint MicrosecondsOf(long timestamp) => (uint)(ulong)((Int128)(timestamp - _origin) * 1_000_000 / _frequency);

    /// <summary>Converts a duration to ticks, rounding up so an entry never expires early.</summary>
    public static uint ToTicks(TimeSpan duration) =>
        (uint)Math.Min(uint.MaxValue / 2, (duration.Ticks * TicksPerSecond + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond);

    /// <summary>Converts ticks to a duration.</summary>
    public static TimeSpan ToTimeSpan(uint ticks) => TimeSpan.FromTicks((long)ticks * TimeSpan.TicksPerSecond / TicksPerSecond);
}
