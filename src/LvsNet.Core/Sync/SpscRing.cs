using System.Runtime.CompilerServices;

namespace LvsNet.Core.Sync;

/// <summary>
/// A bounded single-producer, single-consumer queue of structs, pre-sized at creation: the capture
/// thread hands sync records to the sync thread (and the receiving thread hands received records to
/// a capture thread) without a lock, an allocation or a wait. When full, <see cref="TryEnqueue"/>
/// returns false at once and the caller counts the record as dropped.
/// </summary>
/// <remarks>
/// Thread contract: exactly one thread enqueues and exactly one thread dequeues. The producer owns
/// <c>_tail</c>, the consumer <c>_head</c>; each publishes its index with a release write after the
/// slot is written (or read), and reads the other's with an acquire read.
/// </remarks>
/// <typeparam name="T">The element, copied by value.</typeparam>
public sealed class SpscRing<T>
    where T : struct
{
    private readonly T[] _slots;
    private readonly int _mask;
    private long _head;
    private PaddedIndex _tail;

    /// <summary>Creates a ring of at least <paramref name="capacity"/> slots (rounded up to a power of two).</summary>
    public SpscRing(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        var size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity);
        _slots = new T[size];
        _mask = size - 1;
    }

    /// <summary>The number of slots.</summary>
    public int Capacity => _slots.Length;

    /// <summary>Elements waiting (a snapshot; exact only on the producer or consumer thread).</summary>
    public int Count => (int)(Volatile.Read(ref _tail.Value) - Volatile.Read(ref _head));

    /// <summary>Producer: appends <paramref name="item"/>.</summary>
    /// <returns>False when the ring is full (nothing is written).</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryEnqueue(in T item)
    {
        var tail = _tail.Value;
        if (tail - Volatile.Read(ref _head) >= _slots.Length)
        {
            return false;
        }

        _slots[(int)tail & _mask] = item;
        Volatile.Write(ref _tail.Value, tail + 1);
        return true;
    }

    /// <summary>Consumer: takes the oldest element.</summary>
    /// <returns>False when the ring is empty.</returns>
    public bool TryDequeue(out T item)
    {
        var head = _head;
        if (head == Volatile.Read(ref _tail.Value))
        {
            item = default;
            return false;
        }

        item = _slots[(int)head & _mask];
        Volatile.Write(ref _head, head + 1);
        return true;
    }
}
