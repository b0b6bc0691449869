namespace LvsNet.Core.Connections;

/// <summary>Lookups of a whole receive batch at once, so that their cache misses overlap.</summary>
public sealed partial class ConnectionTable
{
    /// <summary>The most keys <see cref="FindBatch"/> looks up in one pass.</summary>
    public const int MaxBatch = 64;

    private uint _touchSink;

    /// <summary>
    /// Finds the connections of up to <see cref="MaxBatch"/> inbound packets: the same result as
    /// <see cref="Find"/> for each key, in <paramref name="indices"/> (-1 for a miss).
    /// </summary>
    /// <remarks>
    /// At millions of entries a lookup is two cache misses in a row (the bucket, then the entry),
    /// and one key's misses wait behind its SipHash. Hashing every key first and then reading every
    /// bucket, then touching every first entry, issues each step's loads back to back, so the
    /// memory system serves them in parallel instead of one key after another.
    /// </remarks>
    public void FindBatch(ReadOnlySpan<ConnectionKey> keys, Span<int> indices)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(keys.Length, MaxBatch, nameof(keys));
        ArgumentOutOfRangeException.ThrowIfLessThan(indices.Length, keys.Length, nameof(indices));
        var entries = _entries;
        var buckets = _buckets;
        Span<int> slots = stackalloc int[MaxBatch];
        for (var i = 0; i < keys.Length; i++)
        {
            ref readonly var key = ref keys[i];
            slots[i] = (int)ConnectionKey.Hash(key.Protocol, key.ClientAddress, key.ClientPort, _hashKey) & _bucketMask;
        }

        for (var i = 0; i < keys.Length; i++)
        {
            indices[i] = buckets[slots[i]];
        }

        // Touch each chain's first entry: independent loads, so their misses overlap; the matching
        // pass below then finds them in cache.
        var touched = 0u;
        for (var i = 0; i < keys.Length; i++)
        {
            var index = indices[i];
            if (index != None)
            {
                touched |= entries[index].ClientAddress;
            }
        }

        for (var i = 0; i < keys.Length; i++)
        {
            var index = indices[i];
            while (index != None)
            {
                ref var entry = ref entries[index];
                if (entry.Matches(keys[i]))
                {
                    break;
                }

                index = entry.BucketNext;
            }

            indices[i] = index;
        }

        // Stored so the JIT keeps the touching loads.
        _touchSink = touched;
    }
}
