using System.Numerics;
using System.Runtime.CompilerServices;

namespace LvsNet.Core;

/// <summary>
/// Packets and bytes in each direction, counted per capture worker and summed when read: the
/// kernel keeps IPVS's statistics per CPU for the same reason. A locked add costs about 20 cycles
/// and four of them ran on every forwarded packet (server and service, packets and bytes); a
/// worker's own cache line takes a plain add.
/// </summary>
/// <remarks>
/// Worker <c>w</c> writes stripe <c>w</c> only, so plain adds cannot lose counts; readers sum the
/// stripes with 64-bit reads, which are never torn. Worker indexes beyond the stripes (more
/// workers than the process had processors when it started) share one more stripe with locked
/// adds.
/// </remarks>
public sealed class TrafficCounters
{
    // Four counters padded to a 64-byte cache line a stripe: one line of padding in front (so that
    // stripe 0 does not share the array header's line), the workers' stripes, the shared stripe.
    private const int Stride = 8;
    private const int InPacketsCell = 0, InBytesCell = 1, OutPacketsCell = 2, OutBytesCell = 3;

    /// <summary>Stripes per counter set: the processor count, so each possible worker has its own.</summary>
    public static readonly int Stripes = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(Environment.ProcessorCount, 1, 256));

    private readonly long[] _cells = new long[(Stripes + 2) * Stride];

    /// <summary>Packets from clients.</summary>
    public long InPackets => Sum(InPacketsCell);

    /// <summary>Bytes from clients.</summary>
    public long InBytes => Sum(InBytesCell);

    /// <summary>Replies through the director (NAT, FULLNAT).</summary>
    public long OutPackets => Sum(OutPacketsCell);

    /// <summary>Reply bytes.</summary>
    public long OutBytes => Sum(OutBytesCell);

    /// <summary>Counts one packet of <paramref name="bytes"/> from a client, on <paramref name="worker"/>'s stripe.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddInbound(int worker, int bytes) => Add(worker, InPacketsCell, bytes);

    /// <summary>Counts one reply packet of <paramref name="bytes"/>, on <paramref name="worker"/>'s stripe.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddOutbound(int worker, int bytes) => Add(worker, OutPacketsCell, bytes);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Add(int worker, int packetsCell, int bytes)
    {
        if ((uint)worker < (uint)Stripes)
        {
            ref var packets = ref _cells[((worker + 1) * Stride) + packetsCell];
            packets++;
            Unsafe.Add(ref packets, 1) += bytes;
        }
        else
        {
            AddShared(packetsCell, bytes);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AddShared(int packetsCell, int bytes)
    {
        Interlocked.Increment(ref _cells[((Stripes + 1) * Stride) + packetsCell]);
        Interlocked.Add(ref _cells[((Stripes + 1) * Stride) + packetsCell + 1], bytes);
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
