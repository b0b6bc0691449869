using System.Runtime.InteropServices;
using LvsNet.Core.Connections;
using LvsNet.Core.Hashing;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Core.DataPath.Fragments;

/// <summary>
/// The datagrams whose fragments are being collected, of both families, keyed like the kernel's
/// defrag queues (<see cref="FragmentKey"/>: IPv4 by source, destination, protocol and
/// identification; IPv6 by source, destination and identification). Each queue holds its fragments in buffers of a
/// <see cref="FragmentBufferPool"/>, sorted by offset, and applies the checks of the kernel's
/// ip_frag_queue and inet_frag_queue_insert: an empty fragment, a fragment with MF set whose
/// length is not a multiple of 8, one ending past 65,535 bytes or past the last fragment's end,
/// and a second last fragment with another end are refused alone; a fragment that overlaps one
/// already held kills the whole datagram (RFC 5722, which the kernel applies to IPv4 as well); an
/// exact copy is dropped alone. Both families share one bound: the same queues and pool.
/// </summary>
/// <remarks>
/// <para>Bounded: a fixed number of queues in 4-way buckets chosen by SipHash-1-3 under the
/// process key (a spoofer cannot aim at one bucket), at most
/// <see cref="MaxFragmentsPerDatagram"/> fragments a datagram, the pool's buffers in all, and each
/// queue lives at most the timeout from its first fragment (the kernel's ipfrag_time, shorter:
/// fragments of one datagram arrive back to back). When a bucket or the pool is full, new
/// fragments are refused, as the kernel does above ipfrag_high_thresh.</para>
/// <para>Thread contract: one per capture thread; nothing is allocated after construction.</para>
/// </remarks>
internal sealed class FragmentQueues
{
    /// <summary>The most fragments one datagram may have (a 64 KiB datagram in 1,480-byte fragments has 45).</summary>
    public const int MaxFragmentsPerDatagram = 64;

    private const int Ways = 4;
    private const int MaxDatagramLength = 65535;
    private const int Ipv6FragmentHeaderLength = 8;

    private readonly Queue[] _queues;
    private readonly int _bucketMask;
    private readonly SipHashKey _key = SipHashKey.Process;
    private readonly FragmentBufferPool _pool;
    private uint _timeoutTicks;
    private int _active;

    /// <summary>Creates the queues: <paramref name="queues"/> (rounded up to a power of two, at least 4) over <paramref name="pool"/>.</summary>
    public FragmentQueues(int queues, FragmentBufferPool pool, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(pool);
        var buckets = (int)Math.Max(1, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(Ways, queues)) / Ways);
        _queues = new Queue[buckets * Ways];
        _bucketMask = buckets - 1;
        _pool = pool;
        _timeoutTicks = Math.Max(1, ConnectionClock.ToTicks(timeout));
    }

    /// <summary>How many datagrams are being collected.</summary>
    public int Active => _active;

    /// <summary>How long a datagram may take to arrive whole; a change applies to datagrams started after it.</summary>
    public TimeSpan Timeout
    {
        set => _timeoutTicks = Math.Max(1, ConnectionClock.ToTicks(value));
    }

    /// <summary>How many datagrams may be collected at once.</summary>
    public int Capacity => _queues.Length;

    /// <summary>The buffers.</summary>
    public FragmentBufferPool Pool => _pool;

    /// <summary>
    /// Holds <paramref name="frame"/>'s fragment in its datagram's queue (created when it is the first
    /// fragment seen). <paramref name="queue"/> is the queue (for <see cref="FragmentVerdict.Complete"/>
    /// and <see cref="FragmentVerdict.Overlap"/>), otherwise −1.
    /// </summary>
    public FragmentVerdict Add(ReadOnlySpan<byte> frame, int l2Length, Ipv4Header ip, FragmentOrigin origin, uint now, out int queue) =>
        Add(frame, l2Length, FragmentKey.Of(ip), ip.FragmentOffset, ip.TotalLength - ip.HeaderLength, !ip.MoreFragments, ip.HeaderLength, origin, now, out queue);

    /// <summary>
    /// Holds an IPv6 fragment (<paramref name="chain"/>: its walked header chain, with its fragment
    /// header) as <see cref="Add(ReadOnlySpan{byte}, int, Ipv4Header, FragmentOrigin, uint, out int)"/>
    /// does. The fragmentable part may end at most at 65,535 bytes (the kernel's IPV6_MAXPLEN check
    /// in ip6_frag_queue); jumbograms are not fragmented.
    /// </summary>
    public FragmentVerdict Add(ReadOnlySpan<byte> frame, int l2Length, Ipv6Header ip, in Ipv6Chain chain, FragmentOrigin origin, uint now, out int queue)
    {
        var data = chain.FragmentHeaderOffset + Ipv6FragmentHeaderLength;
        return Add(frame.Slice(0, l2Length + ip.Packet.Length), l2Length, FragmentKey.Of(ip, in chain), chain.FragmentOffset, ip.Packet.Length - data, !chain.MoreFragments, 0, origin, now, out queue);
    }

    /// <summary>
    /// Holds a fragment whose data is [<paramref name="start"/>, <paramref name="start"/> +
    /// <paramref name="payload"/>) of the datagram <paramref name="key"/>; <paramref name="headerLength"/>
    /// counts towards the 65,535-byte bound (IPv4's header; 0 for IPv6).
    /// </summary>
    private FragmentVerdict Add(ReadOnlySpan<byte> frame, int l2Length, in FragmentKey key, int start, int payload, bool last, int headerLength, FragmentOrigin origin, uint now, out int queue)
    {
        queue = -1;
        var end = start + payload;
        if (payload <= 0 || headerLength + end > MaxDatagramLength || (!last && (payload & 7) != 0))
        {
            // The kernel trims a non-last fragment to a multiple of 8; forwarded unchanged it would
            // not line up with the next one at the real server, so it is refused instead.
            return FragmentVerdict.Malformed;
        }

        var index = FindOrCreate(in key, origin, l2Length, now);
        if (index < 0)
        {
            return FragmentVerdict.NoBuffer;
        }

        ref var q = ref _queues[index];
        if (last ? (q.Total >= 0 && end != q.Total) || q.MaxEnd > end : q.Total >= 0 && end > q.Total)
        {
            ReleaseIfEmpty(index);
            return FragmentVerdict.Malformed;
        }

        // Where it goes in the list sorted by start; duplicates and overlaps with either neighbour.
        var previous = -1;
        var current = q.Head;
        while (current >= 0 && _pool.Start(current) < start)
        {
            previous = current;
            current = _pool.Next(current);
        }

        if (current >= 0 && _pool.Start(current) == start && _pool.End(current) == end)
        {
            return FragmentVerdict.Duplicate;
        }

        if ((previous >= 0 && _pool.End(previous) > start) || (current >= 0 && _pool.Start(current) < end))
        {
            queue = index;
            return FragmentVerdict.Overlap;
        }

        var buffer = q.Count < MaxFragmentsPerDatagram ? _pool.Rent(frame, start, end) : -1;
        if (buffer < 0)
        {
            ReleaseIfEmpty(index);
            return FragmentVerdict.NoBuffer;
        }

        _pool.Next(buffer) = current;
        if (previous >= 0)
        {
            _pool.Next(previous) = buffer;
        }
        else
        {
            q.Head = buffer;
        }

        q.Count++;
        q.Received += payload;
        q.MaxEnd = Math.Max(q.MaxEnd, end);
        if (last)
        {
            q.Total = end;
        }

        // No overlap is ever held, so the bytes received add up to the total only when every hole is filled.
        if (q.Total >= 0 && q.Received == q.Total)
        {
            queue = index;
            return FragmentVerdict.Complete;
        }

        return FragmentVerdict.Held;
    }

    /// <summary>The first held fragment (lowest offset) of <paramref name="queue"/>, or −1.</summary>
    public int Head(int queue) => _queues[queue].Head;

    /// <summary>The Ethernet header length of the queue's frames.</summary>
    public int L2Length(int queue) => _queues[queue].L2Length;

    /// <summary>True when the queue's datagram is IPv6.</summary>
    public bool IsIpv6(int queue) => _queues[queue].Key.Ipv6;

    /// <summary>Which way the queue's datagram travels.</summary>
    public FragmentOrigin Origin(int queue) => _queues[queue].Origin;

    /// <summary>Frees a queue and its buffers; returns how many fragments it held.</summary>
    public int Release(int queue)
    {
        ref var q = ref _queues[queue];
        var count = 0;
        var buffer = q.Head;
        while (buffer >= 0)
        {
            var next = _pool.Next(buffer);
            _pool.Return(buffer);
            buffer = next;
            count++;
        }

        q = default;
        _active--;
        return count;
    }

    /// <summary>Frees every queue whose time is up at <paramref name="now"/>; returns how many fragments they held.</summary>
    public int Expire(uint now)
    {
        if (_active == 0)
        {
            return 0;
        }

        var dropped = 0;
        for (var i = 0; i < _queues.Length; i++)
        {
            if (_queues[i].Origin != FragmentOrigin.None && (int)(_queues[i].ExpiresAt - now) <= 0)
            {
                dropped += Release(i);
            }
        }

        return dropped;
    }

    private int FindOrCreate(in FragmentKey key, FragmentOrigin origin, int l2Length, uint now)
    {
        Span<byte> bytes = stackalloc byte[FragmentKey.Length];
        key.Write(bytes);
        var first = (int)(SipHash.Hash13(bytes, _key) & (uint)_bucketMask) * Ways;
        var free = -1;
        for (var i = first; i < first + Ways; i++)
        {
            ref readonly var q = ref _queues[i];
            if (q.Origin == FragmentOrigin.None)
            {
                free = free < 0 ? i : free;
            }
            else if (q.Key == key)
            {
                return i;
            }
        }

        if (free >= 0)
        {
            _queues[free] = new Queue
            {
                Key = key,
                Origin = origin,
                L2Length = (byte)l2Length,
                ExpiresAt = now + _timeoutTicks,
                Head = -1,
                Total = -1,
            };
            _active++;
        }

        return free;
    }

    private void ReleaseIfEmpty(int queue)
    {
        if (_queues[queue].Count == 0)
        {
            Release(queue);
        }
    }

    [StructLayout(LayoutKind.Auto)]
    private struct Queue
    {
        public FragmentKey Key;
        public FragmentOrigin Origin;
        public byte L2Length;
        public uint ExpiresAt;
        public int Head;
        public int Total;
        public int Received;
        public int MaxEnd;
        public int Count;
    }
}
