using System.Runtime.CompilerServices;

namespace LvsNet.Core;

/// <summary>
/// The SYN-to-established times of one real server's NAT/FULLNAT connections: how many handshakes
/// completed and the sum of their durations in microseconds, counted per capture worker (the
/// <see cref="TrafficCounters"/> pattern: a worker adds to its own cache line with plain adds, no
/// lock, no allocation) and summed when read. The dynamic-weight driver reads the totals once per
/// interval and uses the difference as the interval's mean.
/// </summary>
/// <remarks>
/// Worker <c>w</c> writes stripe <c>w</c> only; readers sum the stripes with 64-bit reads, which are
/// never torn. A reader may see a stripe's count without its sum for one read (the two are separate
/// stores); the driver's per-interval difference absorbs it in the next interval. Worker indexes
/// beyond the stripes share one more stripe with locked adds.
/// </remarks>
public sealed class HandshakeCounters
{
    // Two counters padded to a 64-byte cache line a stripe, one line of padding in front.
    private const int Stride = 8;
    private const int CountCell = 0, SumCell = 1;

    private readonly long[] _cells = new long[(TrafficCounters.Stripes + 2) * Stride];

    /// <summary>Handshakes completed (SYN seen, then the connection became ESTABLISHED).</summary>
    public long Count => Sum(CountCell);

    /// <summary>The sum of their SYN-to-established times, in microseconds.</summary>
    public long TotalMicroseconds => Sum(SumCell);

    /// <summary>Counts one handshake of <paramref name="microseconds"/>, on <paramref name="worker"/>'s stripe.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int worker, uint microseconds)
    {
        if ((uint)worker < (uint)TrafficCounters.Stripes)
        {
            ref var count = ref _cells[((worker + 1) * Stride) + CountCell];
            count++;
            Unsafe.Add(ref count, 1) += microseconds;
        }
        else
        {
            AddShared(microseconds);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AddShared(uint microseconds)
    {
        Interlocked.Increment(ref _cells[((TrafficCounters.Stripes + 1) * Stride) + CountCell]);
        Interlocked.Add(ref _cells[((TrafficCounters.Stripes + 1) * Stride) + SumCell], microseconds);
    }

    private long Sum(int cell)
    {
        var sum = 0L;
        for (var i = Stride + cell; i < _cells.Length; i += Stride)
        {
            sum += Volatile.Read(ref _cells[i]);
        }

        return sum;
    }
}
