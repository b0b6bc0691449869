namespace LvsNet.Core.Connections;

/// <summary>
/// Flood defences on the table: IPVS's random entry dropping (drop_entry), and the eviction of a
/// half-open TCP entry when the table is full and a new SYN needs room.
/// </summary>
public sealed partial class ConnectionTable
{
    /// <summary>An entry idle this long may be sampled by <see cref="DropRandomEntries"/> (IPVS: 60 s).</summary>
    public static readonly uint DropEntryIdleTicks = ConnectionClock.ToTicks(TimeSpan.FromSeconds(60));

    // Buckets looked at for a half-open entry to evict before a new SYN is refused.
    private const int EvictionBuckets = 16;

    // IPVS todrop_counter: per in_pkts value 0..8, one entry in every in_pkts is dropped.
    private readonly int[] _todropCounter = new int[9];
    private uint _random = (uint)System.Security.Cryptography.RandomNumberGenerator.GetInt32(1, int.MaxValue);

    /// <summary>
    /// IPVS ip_vs_random_dropentry (drop_entry active, once a second): looks at 1/32 of the
    /// buckets chosen at random and frees every half-open TCP entry (SYN_RECV, SYNACK) in them, and
    /// a sample of ESTABLISHED TCP and UDP entries idle for 60 s or more that saw 1..8 packets from
    /// the client (one in every n of those with n packets). Templates, and entries a template
    /// still controls, are kept.
    /// </summary>
    /// <returns>The number of entries freed.</returns>
    public int DropRandomEntries(uint now, RealServerState?[] serversById)
    {
        ArgumentNullException.ThrowIfNull(serversById);
        var freed = 0;
        var rounds = Math.Max(1, _buckets.Length >> 5);
        for (var r = 0; r < rounds; r++)
        {
            var index = _buckets[(int)(NextRandom() & (uint)_bucketMask)];
            while (index != None)
            {
                ref var entry = ref _entries[index];
                var next = entry.BucketNext;
                if (IsDropCandidate(ref entry, now))
                {
                    Remove(index, serversById);
                    freed++;
                }

                index = next;
            }
        }

        DefenceDropped += freed;
        return freed;
    }

    /// <summary>
    /// The table is full and a new SYN needs room: frees one half-open TCP entry (SYN_RECV or
    /// SYNACK, the entries a spoofed SYN flood creates) found in a few buckets chosen at random.
    /// </summary>
    /// <returns>False when none was found (the new flow is then refused).</returns>
    public bool TryEvictHalfOpen(RealServerState?[] serversById)
    {
        ArgumentNullException.ThrowIfNull(serversById);
        for (var r = 0; r < EvictionBuckets; r++)
        {
            var index = _buckets[(int)(NextRandom() & (uint)_bucketMask)];
            while (index != None)
            {
                ref var entry = ref _entries[index];
                if (IsHalfOpen(ref entry) && entry.Controlled == 0)
                {
                    Remove(index, serversById);
                    HalfOpenEvicted++;
                    return true;
                }

                index = entry.BucketNext;
            }
        }

        return false;
    }

    /// <summary>Entries freed by <see cref="DropRandomEntries"/> since start.</summary>
    public long DefenceDropped { get; private set; }

    /// <summary>Half-open entries evicted for a new SYN since start.</summary>
    public long HalfOpenEvicted { get; private set; }

    private static bool IsHalfOpen(ref ConnectionEntry entry) =>
        (entry.Flags & ConnectionFlags.Template) == 0
        && entry.Protocol == Packets.IpProtocol.Tcp
        && entry.State is ConnectionState.SynRecv or ConnectionState.SynAck;

    private bool IsDropCandidate(ref ConnectionEntry entry, uint now)
    {
        if ((entry.Flags & ConnectionFlags.Template) != 0 || entry.Controlled > 0)
        {
            return false;
        }

        if (entry.Protocol == Packets.IpProtocol.Tcp)
        {
            return entry.State switch
            {
                ConnectionState.SynRecv or ConnectionState.SynAck => true,
                ConnectionState.Established => ToDrop(ref entry, now),
                _ => false,
            };
        }

        return ToDrop(ref entry, now);
    }

    // IPVS todrop_entry: idle for 60 s or more, 1..8 packets from the client, one in every n.
    private bool ToDrop(ref ConnectionEntry entry, uint now)
    {
        var left = (int)(entry.ExpiresAt - now);
        if ((long)left + DropEntryIdleTicks > entry.TimeoutTicks)
        {
            return false;
        }

        var packets = entry.InPackets;
        if (packets is 0 or > 8)
        {
            return false;
        }

        ref var counter = ref _todropCounter[packets];
        if (--counter > 0)
        {
            return false;
        }

        counter = (int)packets;
        return true;
    }

    // xorshift32: cheap, allocation-free, and only picks buckets to look at (no attacker gains from predicting it).
    private uint NextRandom()
    {
        var x = _random;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        _random = x;
        return x;
    }
}
