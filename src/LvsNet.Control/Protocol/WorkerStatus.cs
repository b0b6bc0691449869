namespace LvsNet.Control.Protocol;

/// <summary>One capture worker (a thread with its own socket and connection table).</summary>
public sealed record WorkerStatus
{
    /// <summary>The worker's index (0-based).</summary>
    public int Index { get; init; }

    /// <summary>The packet I/O backend (pcap, afpacket, afxdp).</summary>
    public required string Backend { get; init; }

    /// <summary>Frames handed to the data path by this worker.</summary>
    public long Received { get; init; }

    /// <summary>Frames it forwarded.</summary>
    public long Forwarded { get; init; }

    /// <summary>Frames it dropped, all reasons.</summary>
    public long Dropped { get; init; }

    /// <summary>Entries in its connection table.</summary>
    public int TableEntries { get; init; }

    /// <summary>Its table's capacity.</summary>
    public int TableCapacity { get; init; }

    /// <summary>Unexpected errors caught on its thread.</summary>
    public long Errors { get; init; }

    /// <summary>Its capture socket's kernel counters.</summary>
    public CaptureCounters? Capture { get; init; }
}
