using LvsNet.Control.Listings;
using LvsNet.Control.Protocol;

namespace LvsNet.Daemon.Status;

/// <summary>Everything one rendering of the status page shows, gathered at once (<see cref="StatusViewBuilder"/>).</summary>
public sealed record StatusView
{
    /// <summary>When it was gathered.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>The daemon's status (uptime, reload, data path, workers).</summary>
    public required DaemonStatus Daemon { get; init; }

    /// <summary>The services with every configured server and its health.</summary>
    public required IpvsListing Listing { get; init; }

    /// <summary>The time series and histories.</summary>
    public required StatusHistory History { get; init; }

    /// <summary>Sections other parts of the daemon add (high availability, route announcements).</summary>
    public IReadOnlyList<(string Title, IReadOnlyList<KeyValuePair<string, string>> Rows)> Sections { get; init; } = [];

    /// <summary>True when the page offers admin actions (authenticated endpoint with <c>admin_actions: true</c>).</summary>
    public bool AdminActions { get; init; }
}
