using System.Diagnostics.Metrics;
using LvsNet.Core.Configuration;
using LvsNet.Core.Ha;
using LvsNet.Core.Sync;
using LvsNet.Daemon.Metrics;

namespace LvsNet.Daemon.Ha;

/// <summary>
/// The HA instruments, on the daemon's meter name (<see cref="LvsMetrics.MeterName"/>, so the
/// Prometheus endpoint and dotnet-counters show them with the others): the director role, role
/// changes, and the sync daemons' counters. Observable only: read at collection time.
/// </summary>
public sealed class HaMetrics : IDisposable
{
    private readonly Meter _meter;

    /// <summary>Creates the instruments.</summary>
    public HaMetrics(DirectorRoleState role, SyncHub hub)
    {
        ArgumentNullException.ThrowIfNull(role);
        ArgumentNullException.ThrowIfNull(hub);
        _meter = new Meter(LvsMetrics.MeterName, typeof(HaMetrics).Assembly.GetName().Version?.ToString());
        _meter.CreateObservableGauge("lvsnet.director.role", () => Role(role), "{bool}", "1 for the director's current HA role (MASTER, BACKUP, FAULT), 0 for the others");
        _meter.CreateObservableCounter("lvsnet.director.role_changes", () => role.Changes, "{change}", "HA role changes since start");
        var c = hub.Counters;
        _meter.CreateObservableCounter("lvsnet.sync.messages", () => new Measurement<long>[]
        {
            new(c.MessagesSent, new KeyValuePair<string, object?>("result", "sent")),
            new(c.SendErrors, new KeyValuePair<string, object?>("result", "send_error")),
            new(c.MessagesReceived, new KeyValuePair<string, object?>("result", "received")),
            new(c.MessagesRefused, new KeyValuePair<string, object?>("result", "refused")),
            new(c.RefusedUnauthenticated, new KeyValuePair<string, object?>("result", "refused_unauthenticated")),
            new(c.RefusedBadMac, new KeyValuePair<string, object?>("result", "refused_bad_mac")),
            new(c.RefusedStale, new KeyValuePair<string, object?>("result", "refused_stale")),
            new(c.RefusedReplayed, new KeyValuePair<string, object?>("result", "refused_replayed")),
        }, "{message}", "Sync messages: sent and send errors (master), received and refused (backup)");
        _meter.CreateObservableCounter("lvsnet.sync.connections", () => new Measurement<long>[]
        {
            new(c.ConnectionsSent, new KeyValuePair<string, object?>("result", "sent")),
            new(c.QueueDropped, new KeyValuePair<string, object?>("result", "queue_dropped")),
            new(c.ConnectionsReceived, new KeyValuePair<string, object?>("result", "received")),
            new(c.ConnectionsApplied, new KeyValuePair<string, object?>("result", "applied")),
            new(c.ConnectionsSkipped, new KeyValuePair<string, object?>("result", "skipped")),
            new(c.ConnectionsWithoutServer, new KeyValuePair<string, object?>("result", "no_server")),
            new(c.ApplyDropped, new KeyValuePair<string, object?>("result", "apply_dropped")),
            new(c.LocalPortNotOurs, new KeyValuePair<string, object?>("result", "local_port_not_ours")),
            new(c.ResyncRecords, new KeyValuePair<string, object?>("result", "resync_queued")),
        }, "{connection}", "Sync connection records: sent and dropped at the capture-to-sync queue (master); received, applied, skipped, without server, dropped, FULLNAT local port of another worker (backup)");
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    private static Measurement<long>[] Role(DirectorRoleState role)
    {
        var current = role.Role;
        return
        [
            new(current == DirectorRole.Master ? 1 : 0, new KeyValuePair<string, object?>("role", "MASTER")),
            new(current == DirectorRole.Backup ? 1 : 0, new KeyValuePair<string, object?>("role", "BACKUP")),
            new(current == DirectorRole.Fault ? 1 : 0, new KeyValuePair<string, object?>("role", "FAULT")),
        ];
    }
}
