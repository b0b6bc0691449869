namespace LvsNet.Control.Protocol;

/// <summary>The counts of a filtered connection query: every match, not only the rows sent.</summary>
public sealed record ConnectionCounts
{
    /// <summary>Entries in the tables when they were walked.</summary>
    public long Scanned { get; init; }

    /// <summary>Entries that matched the filter.</summary>
    public long Matched { get; init; }

    /// <summary>Matching entries by real server ("10.0.0.11:80").</summary>
    public IReadOnlyDictionary<string, long> ByServer { get; init; } = new Dictionary<string, long>();

    /// <summary>Matching entries by state as ipvsadm names it.</summary>
    public IReadOnlyDictionary<string, long> ByState { get; init; } = new Dictionary<string, long>();
}
