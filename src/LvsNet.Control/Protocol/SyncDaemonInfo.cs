namespace LvsNet.Control.Protocol;

/// <summary>One connection synchronisation daemon, as ipvsadm --start-daemon sets it and -L --daemon lists it.</summary>
public sealed record SyncDaemonInfo
{
    /// <summary>master or backup.</summary>
    public required string State { get; init; }

    /// <summary>The multicast interface (--mcast-interface); null = the director's interface.</summary>
    public string? Interface { get; init; }

    /// <summary>The sync id (--syncid).</summary>
    public int SyncId { get; init; }

    /// <summary>The largest message (--sync-maxlen); null = derived from the MTU.</summary>
    public int? MaxLength { get; init; }

    /// <summary>The group or peer address (--mcast-group); null = 224.0.0.81.</summary>
    public string? Group { get; init; }

    /// <summary>The UDP port (--mcast-port); null = 8848.</summary>
    public int? Port { get; init; }

    /// <summary>The multicast TTL (--mcast-ttl); null = 1.</summary>
    public int? Ttl { get; init; }

    /// <summary>The wire version in use (0 or 1), as the daemon reports it.</summary>
    public int? Version { get; init; }
}
