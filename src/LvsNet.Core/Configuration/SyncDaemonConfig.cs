namespace LvsNet.Core.Configuration;

/// <summary>
/// YAML <c>high_availability.sync_daemon</c>: IPVS connection synchronisation, wire-compatible with
/// the kernel's sync daemon (ip_vs_sync.c). Defaults are the kernel's and ipvsadm's.
/// </summary>
public sealed record SyncDaemonConfig
{
    /// <summary>The IPVS default multicast group, 224.0.0.81, in network byte order.</summary>
    public const uint DefaultGroup = 0xE0000051;

    /// <summary>The IPVS default port.</summary>
    public const ushort DefaultPort = 8848;

    /// <summary>Which daemons run.</summary>
    public SyncDaemonMode Mode { get; init; } = SyncDaemonMode.FollowRole;

    /// <summary>The interface the messages leave and arrive on (--mcast-interface); null = the director's interface.</summary>
    public string? Interface { get; init; }

    /// <summary>The sync id (0..255); a backup with a non-zero id drops messages of other ids.</summary>
    public int SyncId { get; init; }

    /// <summary>The wire version: 1 (default, sync_version) or 0 (legacy).</summary>
    public int Version { get; init; } = 1;

    /// <summary>The largest message the master sends, in bytes (sync-maxlen); null = MTU − 28 (1472 on Ethernet).</summary>
    public int? MaxLength { get; init; }

    /// <summary>The multicast group (or a unicast peer address), network byte order.</summary>
    public uint Group { get; init; } = DefaultGroup;

    /// <summary>The UDP port.</summary>
    public ushort Port { get; init; } = DefaultPort;

    /// <summary>The multicast TTL (1..255).</summary>
    public int Ttl { get; init; } = 1;

    /// <summary>sync_threshold's first value: the packet count at which a connection is first synced (default 3).</summary>
    public int Threshold { get; init; } = 3;

    /// <summary>sync_threshold's second value: resync every this many packets (default 50; 0 = only once).</summary>
    public int Period { get; init; } = 50;

    /// <summary>
    /// The kernel's <c>sync_refresh_period</c> (0 = off, the default): an established connection
    /// whose state did not change is sent again only when its expiry moved by at least this much
    /// (or half its timeout, at least 10 s, if that is less) since its last sync.
    /// </summary>
    public TimeSpan RefreshPeriod { get; init; }

    /// <summary>The kernel's <c>sync_retries</c> (0..3): with a refresh period, resend an unchanged connection up to this many times, a refresh period ÷ 8 apart.</summary>
    public int Retries { get; init; }

    /// <summary>Connections queued from the data path to the sync thread per worker before new ones are dropped (sync_qlen_max).</summary>
    public int QueueLength { get; init; } = 16384;

    /// <summary>
    /// The shared key of the authenticated mode, in hex (at least 16 bytes), or null for IPVS's
    /// unauthenticated messages. With a key, every message carries an HMAC-SHA256 trailer and a
    /// sequence (docs/high-availability.md); messages without a valid one are refused.
    /// </summary>
    public string? AuthKey { get; init; }

    /// <summary>The shortest shared key accepted, in bytes (128 bits).</summary>
    public const int MinAuthKeyLength = 16;

    /// <summary>
    /// Master: send every connection of the table again, spread over this period (0 = off, IPVS's
    /// behaviour), so that a backup that starts late or restarts learns the established connections
    /// that send no packets. Bounded by <see cref="ResyncRate"/>.
    /// </summary>
    public TimeSpan ResyncPeriod { get; init; }

    /// <summary>Master: at most this many records per second per capture worker for the full resync.</summary>
    public int ResyncRate { get; init; } = 20_000;
}
