namespace LvsNet.Core.Scheduling;

/// <summary>The ipvsadm names of the schedulers, shared by the validator and the factory.</summary>
public static class SchedulerNames
{
    /// <summary>Round robin.</summary>
    public const string RoundRobin = "rr";

    /// <summary>Weighted round robin (classic LVS stepping).</summary>
    public const string WeightedRoundRobin = "wrr";

    /// <summary>Least connection.</summary>
    public const string LeastConnection = "lc";

    /// <summary>Weighted least connection (the ipvsadm default).</summary>
    public const string WeightedLeastConnection = "wlc";

    /// <summary>Every scheduler this build implements.</summary>
    public static readonly IReadOnlyList<string> Implemented = [RoundRobin, WeightedRoundRobin];

    /// <summary>True when <paramref name="name"/> is an implemented scheduler.</summary>
    public static bool IsKnown(string? name) => name is not null && Implemented.Contains(name);
}
