namespace LvsNet.Core.Configuration;

/// <summary>The ipvsadm names of the schedulers, shared by the validator and the factory.</summary>
public static class SchedulerNames
{
    /// <summary>Round robin (ip_vs_rr.c).</summary>
    public const string RoundRobin = "rr";

    /// <summary>Weighted round robin, classic LVS stepping (ip_vs_wrr.c).</summary>
    public const string WeightedRoundRobin = "wrr";

    /// <summary>Least connection (ip_vs_lc.c).</summary>
    public const string LeastConnection = "lc";

    /// <summary>Weighted least connection, the ipvsadm default (ip_vs_wlc.c).</summary>
    public const string WeightedLeastConnection = "wlc";

    /// <summary>Locality-based least connection, keyed by destination address (ip_vs_lblc.c).</summary>
    public const string LocalityBasedLeastConnection = "lblc";

    /// <summary>Locality-based least connection with replication (ip_vs_lblcr.c).</summary>
    public const string LocalityBasedLeastConnectionReplication = "lblcr";

    /// <summary>Destination hashing (ip_vs_dh.c).</summary>
    public const string DestinationHash = "dh";

    /// <summary>Source hashing (ip_vs_sh.c).</summary>
    public const string SourceHash = "sh";

    /// <summary>Shortest expected delay (ip_vs_sed.c).</summary>
    public const string ShortestExpectedDelay = "sed";

    /// <summary>Never queue (ip_vs_nq.c).</summary>
    public const string NeverQueue = "nq";

    /// <summary>Maglev hashing (ip_vs_mh.c).</summary>
    public const string MaglevHash = "mh";

    /// <summary>Weighted failover (ip_vs_fo.c).</summary>
    public const string WeightedFailover = "fo";

    /// <summary>Weighted overflow (ip_vs_ovf.c).</summary>
    public const string Overflow = "ovf";

    /// <summary>Power of two choices (ip_vs_twos.c).</summary>
    public const string TwoChoices = "twos";

    /// <summary>Every scheduler this build implements, in ipvsadm(8)'s order.</summary>
    public static readonly IReadOnlyList<string> Implemented =
    [
        RoundRobin,
        WeightedRoundRobin,
        LeastConnection,
        WeightedLeastConnection,
        LocalityBasedLeastConnection,
        LocalityBasedLeastConnectionReplication,
        DestinationHash,
        SourceHash,
        ShortestExpectedDelay,
        NeverQueue,
        MaglevHash,
        WeightedFailover,
        Overflow,
        TwoChoices,
    ];

    /// <summary>True when <paramref name="name"/> is an implemented scheduler.</summary>
    public static bool IsKnown(string? name) => name is not null && Implemented.Contains(name);

    /// <summary>
    /// True when the scheduler divides load in proportion to weights while looking at load, so a
    /// dynamic-weight policy is meaningful for it (wrr, wlc, sed, nq, ovf, twos, lblc, lblcr). rr and
    /// lc ignore weight magnitudes, fo uses weights as priorities, and dh, sh and mh are hash tables
    /// whose remapping on every weight change would defeat their stickiness.
    /// </summary>
    public static bool SupportsDynamicWeights(string? name) => name is
        WeightedRoundRobin or WeightedLeastConnection or ShortestExpectedDelay or NeverQueue or Overflow
        or TwoChoices or LocalityBasedLeastConnection or LocalityBasedLeastConnectionReplication;

    /// <summary>The kernel's mh table sizes (CONFIG_IP_VS_MH_TAB_INDEX): primes, so every offset/skip pair walks the whole table.</summary>
    public static IReadOnlyList<int> MaglevTableSizes { get; } = [251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071];

    /// <summary>The kernel's default mh table size (CONFIG_IP_VS_MH_TAB_INDEX 12).</summary>
    public const int MaglevDefaultTableSize = 4093;
}
