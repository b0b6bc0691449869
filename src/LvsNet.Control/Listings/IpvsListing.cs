using LvsNet.Control.Editing;

namespace LvsNet.Control.Listings;

/// <summary>Everything <c>ipvsadm -L</c>, <c>-S</c> and <c>--timeout</c> print, as the daemon reports it.</summary>
public sealed record IpvsListing
{
    /// <summary>The number ipvsadm prints as "size=": the connection table's hash buckets.</summary>
    public int TableSize { get; init; }

    /// <summary>The connection timeouts in seconds.</summary>
    public TimeoutSettings Timeouts { get; init; } = new(900, 120, 300);

    /// <summary>The services in configuration order (the listings sort them unless --nosort).</summary>
    public IReadOnlyList<ServiceListing> Services { get; init; } = [];
}
