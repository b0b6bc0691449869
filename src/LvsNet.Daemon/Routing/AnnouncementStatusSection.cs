using System.Globalization;
using LvsNet.Daemon.Status;

namespace LvsNet.Daemon.Routing;

/// <summary>
/// The status page's "Route announcement" section: the drain state, BIRD, and each VIP announced or
/// withdrawn with the reason (docs/scale-out.md). Empty when the director announces nothing.
/// </summary>
public sealed class AnnouncementStatusSection : IStatusPageSection
{
    private readonly RouteAnnouncer _announcer;

    /// <summary>Shows <paramref name="announcer"/>'s status.</summary>
    public AnnouncementStatusSection(RouteAnnouncer announcer) => _announcer = announcer;

    /// <inheritdoc/>
    public string Title => "Route announcement";

    /// <inheritdoc/>
    public IReadOnlyList<KeyValuePair<string, string>> Rows()
    {
        if (_announcer.Status() is not { } status)
        {
            return [Row("announce", "off (no announce section)")];
        }

        var rows = new List<KeyValuePair<string, string>>
        {
            Row("state", string.Create(CultureInfo.InvariantCulture, $"{status.DrainState}, {status.ActiveConnections} active connections")),
            Row("bird", status.BirdManaged
                ? string.Create(CultureInfo.InvariantCulture, $"{(status.BirdRunning ? "running, pid " + status.BirdPid.ToString(CultureInfo.InvariantCulture) : "NOT RUNNING")}, started {status.BirdStarts} times")
                : "external"),
            Row("routes file", string.Create(CultureInfo.InvariantCulture, $"{status.RoutesFile}: {(status.InSync ? "taken by BIRD" : "NOT taken by BIRD")} ({status.Reconfigurations} reconfigurations, {status.ReconfigurationFailures} failed)")),
        };
        if (status.LastError is { } error)
        {
            rows.Add(Row("last error", error));
        }

        foreach (var vip in status.Vips)
        {
            rows.Add(Row("VIP " + vip.Address, vip.Announced ? "announced" : "withdrawn: " + vip.Reason));
        }

        return rows;
    }

    private static KeyValuePair<string, string> Row(string name, string value) => new(name, value);
}
