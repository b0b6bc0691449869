namespace LvsNet.Control.Protocol;

/// <summary>The fragment handling's counters (all capture workers) and its bounds in use now.</summary>
public sealed record FragmentStatus
{
    /// <summary>Fragments held until the rest of their datagram arrived.</summary>
    public long Held { get; init; }

    /// <summary>Datagrams that arrived whole and valid and were forwarded fragment by fragment.</summary>
    public long Forwarded { get; init; }

    /// <summary>Fragments dropped because their datagram was not complete within fragments.timeout.</summary>
    public long TimedOut { get; init; }

    /// <summary>Fragments dropped because one of their datagram overlapped another (RFC 5722: the whole datagram goes).</summary>
    public long Overlap { get; init; }

    /// <summary>Exact copies of a held fragment, dropped alone.</summary>
    public long Duplicate { get; init; }

    /// <summary>Fragments of datagrams whose first fragment did not hold the transport header (RFC 1858).</summary>
    public long Tiny { get; init; }

    /// <summary>Fragments refused alone: empty, misaligned, past 65,535 bytes or past the last fragment.</summary>
    public long Malformed { get; init; }

    /// <summary>Fragments refused because the buffers, the datagram's bucket or its fragment limit were full.</summary>
    public long PoolFull { get; init; }

    /// <summary>Datagrams being collected now.</summary>
    public int PendingDatagrams { get; init; }

    /// <summary>Datagrams that may be collected at once (fragments.max_datagrams).</summary>
    public int DatagramCapacity { get; init; }

    /// <summary>Buffers holding a fragment now.</summary>
    public int BuffersInUse { get; init; }

    /// <summary>All buffers (fragments.memory_bytes over the buffer size).</summary>
    public int BufferCapacity { get; init; }
}
