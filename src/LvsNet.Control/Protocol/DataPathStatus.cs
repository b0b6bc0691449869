namespace LvsNet.Control.Protocol;

/// <summary>The data path's counters and connection table occupancy.</summary>
public sealed record DataPathStatus
{
    /// <summary>Frames handed to the data path.</summary>
    public long Received { get; init; }

    /// <summary>Frames forwarded to a real server.</summary>
    public long Forwarded { get; init; }

    /// <summary>Frames left to the kernel (not for a VIP).</summary>
    public long Ignored { get; init; }

    /// <summary>Frames dropped, all reasons.</summary>
    public long Dropped { get; init; }

    /// <summary>Connections created.</summary>
    public long ConnectionsCreated { get; init; }

    /// <summary>ARP replies sent for VIPs.</summary>
    public long ArpRepliesSent { get; init; }

    /// <summary>ICMP errors sent.</summary>
    public long IcmpErrorsSent { get; init; }

    /// <summary>Entries in the connection table.</summary>
    public int TableEntries { get; init; }

    /// <summary>The connection table's capacity (connections.max_entries).</summary>
    public int TableCapacity { get; init; }

    /// <summary>Entries the flood defence (IPVS drop_entry) has dropped from the table.</summary>
    public long DefenceDropped { get; init; }

    /// <summary>Of those, half-open (SYN_RECV) entries, which go first under pressure.</summary>
    public long HalfOpenEvicted { get; init; }

    /// <summary>The fragment handling's counters and occupancy.</summary>
    public FragmentStatus Fragments { get; init; } = new();

    /// <summary>ICMPv6 messages sent and forwarded for IPv6 services.</summary>
    public Icmpv6Status Icmpv6 { get; init; } = new();

    /// <summary>The SYN proxy's counters.</summary>
    public SynProxyStatus SynProxy { get; init; } = new();

    /// <summary>The neighbour tables' occupancy and counters.</summary>
    public NeighbourStatus Neighbours { get; init; } = new();

    /// <summary>Unexpected errors caught on the capture thread.</summary>
    public long Errors { get; init; }

    /// <summary>Capture workers (threads, each with its own table).</summary>
    public int Workers { get; init; } = 1;

    /// <summary>Drops by reason (every reason, zero ones included, in the enum's order).</summary>
    public IReadOnlyDictionary<string, long> DropsByReason { get; init; } = new Dictionary<string, long>();

    /// <summary>Each capture worker's own counters, in worker order.</summary>
    public IReadOnlyList<WorkerStatus> PerWorker { get; init; } = [];
}
