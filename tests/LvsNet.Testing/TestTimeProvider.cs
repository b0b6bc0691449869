namespace LvsNet.Testing;

/// <summary>
/// A <see cref="TimeProvider"/> whose clock moves only when a test says so. Its timestamp
/// frequency is deliberately odd (not a power of ten) so that code converting timestamps with a
/// hard-coded frequency fails.
/// </summary>
public sealed class TestTimeProvider : TimeProvider
{
    private const long Frequency = 1_000_003;
    private long _timestamp = 123_456_789;
    private DateTimeOffset _utcNow = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <inheritdoc />
    public override long TimestampFrequency => Frequency;

    /// <inheritdoc />
    public override long GetTimestamp() => Interlocked.Read(ref _timestamp);

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => _utcNow;

    /// <summary>Moves the clock forward.</summary>
    public void Advance(TimeSpan delta)
    {
        Interlocked.Add(ref _timestamp, (long)(delta.TotalSeconds * Frequency));
        _utcNow += delta;
    }
}
