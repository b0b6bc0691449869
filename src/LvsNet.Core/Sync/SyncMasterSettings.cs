namespace LvsNet.Core.Sync;

/// <summary>What the capture threads need while a master sync daemon runs: the wire version and the packet triggers.</summary>
/// <param name="Version">0 or 1.</param>
/// <param name="Threshold">sync_threshold's first value.</param>
/// <param name="Period">sync_threshold's second value (0 = sync once).</param>
public sealed record SyncMasterSettings(int Version, int Threshold, int Period)
{
    /// <summary>The full resync's period in table ticks (0 = off): every connection is queued again once per period.</summary>
    public uint ResyncPeriodTicks { get; init; }

    /// <summary>The full resync's bound: records per second per worker.</summary>
    public int ResyncRate { get; init; } = 20_000;

    /// <summary>
    /// sync_refresh_period in table ticks (0 = off, the kernel's default): a connection whose state
    /// did not change is sent again only when its expiry moved by at least this much (or by half its
    /// timeout, at least 10 s, if that is less) since its last sync.
    /// </summary>
    public uint RefreshPeriodTicks { get; init; }

    /// <summary>sync_retries (0..3): with a refresh period, how many times an unchanged connection is sent again, each at least a refresh period ÷ 8 after the last.</summary>
    public int Retries { get; init; }
}
