namespace LvsNet.Core.Tests.Health;

/// <summary>
/// A <see cref="TimeProvider"/> whose clock moves only in <see cref="Advance"/>, and whose timers
/// fire there, synchronously and in due order (the shared TestTimeProvider's timers never fire).
/// An odd timestamp frequency catches code that assumes one.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private const long Frequency = 1_000_003;
    private readonly Lock _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private TimeSpan _elapsed;
    private long _sequence;

    /// <summary>The clock's start.</summary>
    public static DateTimeOffset Start { get; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Time since the start.</summary>
    public TimeSpan Elapsed
    {
        get
        {
            lock (_gate)
            {
                return _elapsed;
            }
        }
    }

    /// <inheritdoc />
    public override long TimestampFrequency => Frequency;

    /// <inheritdoc />
    public override long GetTimestamp() => (long)(Elapsed.TotalSeconds * Frequency) + 987_654_321;

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => Start + Elapsed;

    /// <summary>Timers armed right now.</summary>
    public int ArmedTimers
    {
        get
        {
            lock (_gate)
            {
                return _timers.Count(t => t.Due is not null);
            }
        }
    }

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        lock (_gate)
        {
            _timers.Add(timer);
        }

        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves the clock forward by <paramref name="delta"/>, firing every timer that falls due on the way, in order.</summary>
    public void Advance(TimeSpan delta)
    {
        TimeSpan end;
        lock (_gate)
        {
            end = _elapsed + delta;
        }

        while (true)
        {
            ManualTimer? next;
            lock (_gate)
            {
                next = _timers.Where(t => t.Due is { } due && due <= end).OrderBy(t => t.Due).ThenBy(t => t.Sequence).FirstOrDefault();
                if (next is null)
                {
                    _elapsed = end;
                    return;
                }

                _elapsed = next.Due!.Value;
                next.Due = next.Period is { } period && period > TimeSpan.Zero ? _elapsed + period : null;
            }

            next.Fire();
        }
    }

    /// <summary>Advances in small steps (so that work started by one timer can arm the next) up to <paramref name="total"/>.</summary>
    public void Run(TimeSpan total, TimeSpan step)
    {
        for (var t = TimeSpan.Zero; t < total; t += step)
        {
            Advance(step);
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public TimeSpan? Due { get; set; }

        public TimeSpan? Period { get; private set; }

        public long Sequence { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                if (!owner._timers.Contains(this))
                {
                    return false;
                }

                Sequence = ++owner._sequence;
                Due = dueTime == Timeout.InfiniteTimeSpan ? null : owner._elapsed + (dueTime < TimeSpan.Zero ? TimeSpan.Zero : dueTime);
                Period = period == Timeout.InfiniteTimeSpan ? null : period;
                return true;
            }
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (owner._gate)
            {
                owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
