using System.Globalization;
using LvsNet.Daemon.Status;

namespace LvsNet.Daemon.Ha;

/// <summary>
/// The status page's "High availability" section: the director's VRRP role as keepalived last
/// set it, the sync daemons and their counters. Read from the same status the control socket
/// serves, on the page's thread.
/// </summary>
public sealed class HaStatusSection : IStatusPageSection
{
    private readonly HaController _ha;
    private readonly TimeProvider _time;

    /// <summary>Shows <paramref name="ha"/>'s status.</summary>
    public HaStatusSection(HaController ha, TimeProvider time)
    {
        _ha = ha;
        _time = time;
    }

    /// <inheritdoc/>
    public string Title => "High availability";

    /// <inheritdoc/>
    public IReadOnlyList<KeyValuePair<string, string>> Rows()
    {
        var status = _ha.Status();
        var since = _time.GetUtcNow() - status.RoleSince;
        var rows = new List<KeyValuePair<string, string>>
        {
            Row("role", string.Create(CultureInfo.InvariantCulture, $"{status.Role} for {Math.Max(0, (long)since.TotalSeconds)} s ({status.RoleChanges} changes)")),
        };
        if (status.Daemons.Count == 0)
        {
            rows.Add(Row("sync daemon", "none"));
        }

        foreach (var daemon in status.Daemons)
        {
            rows.Add(Row(
                "sync daemon " + daemon.State,
                string.Create(CultureInfo.InvariantCulture, $"interface {daemon.Interface ?? "-"}, syncid {daemon.SyncId}, {daemon.Group ?? "224.0.0.81"}:{daemon.Port ?? 8848}, protocol v{daemon.Version ?? 1}")));
        }

        rows.Add(Row("sync sent", string.Create(CultureInfo.InvariantCulture, $"{status.SyncMessagesSent} messages, {status.SyncConnectionsSent} connections, {status.SyncSendErrors} send errors, {status.SyncQueueDropped} dropped (queue full)")));
        rows.Add(Row("sync received", string.Create(CultureInfo.InvariantCulture, $"{status.SyncMessagesReceived} messages ({status.SyncMessagesRefused} refused), {status.SyncConnectionsApplied} connections applied, {status.SyncConnectionsSkipped} skipped, {status.SyncConnectionsWithoutServer} without a known server")));
        rows.Add(Row("sync authentication", string.Create(CultureInfo.InvariantCulture, $"{(status.SyncAuthenticated ? "on" : "off")}; refused: {status.SyncRefusedUnauthenticated} unauthenticated, {status.SyncRefusedBadMac} bad MAC, {status.SyncRefusedStale} stale, {status.SyncRefusedReplayed} replayed")));
        rows.Add(Row("sync full resync", string.Create(CultureInfo.InvariantCulture, $"{status.SyncResyncRecords} records sent")));
        return rows;
    }

    private static KeyValuePair<string, string> Row(string name, string value) => new(name, value);
}
