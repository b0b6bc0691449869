using LvsNet.Control.Listings;
using LvsNet.Daemon.Control;

namespace LvsNet.Daemon.Status;

/// <summary>
/// Gathers a <see cref="StatusView"/> from the same sources as <c>lvsnetadm status</c> and
/// <c>lvsnetadm -L --health</c> (the command handler), plus the history: the page and the command
/// line never disagree, and reading costs the data path nothing (volatile loads of its counters).
/// </summary>
public sealed class StatusViewBuilder
{
    private readonly ControlRequestHandler _handler;
    private readonly StatusHistory _history;
    private readonly IEnumerable<IStatusPageSection> _sections;
    private readonly TimeProvider _time;

    /// <summary>Creates the builder.</summary>
    public StatusViewBuilder(ControlRequestHandler handler, StatusHistory history, IEnumerable<IStatusPageSection> sections, TimeProvider time)
    {
        _handler = handler;
        _history = history;
        _sections = sections;
        _time = time;
    }

    /// <summary>Gathers the view now.</summary>
    public StatusView Build(bool adminActions)
    {
        var listing = _handler.List(null, health: true).Listing ?? new IpvsListing();
        return new StatusView
        {
            At = _time.GetUtcNow(),
            Daemon = _handler.Status(),
            Listing = listing,
            History = _history,
            Sections = [.. _sections.Select(s => (s.Title, s.Rows()))],
            AdminActions = adminActions,
        };
    }
}
