using System.Globalization;
using System.Text;
using LvsNet.Control.Protocol;

namespace LvsNet.Cli.Ipvsadm;

/// <summary>The text of <c>lvsnetadm status</c> and <c>lvsnetadm reload</c>.</summary>
public static class StatusFormatter
{
    /// <summary>The status report.</summary>
    public static string Status(DaemonStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"lvsnetd {status.Version} (pid {status.Pid}), up {Duration(status.UptimeSeconds)} since {status.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z\n");
        text.Append(CultureInfo.InvariantCulture, $"configuration: {status.ConfigPath} (snapshot {status.SnapshotVersion}: {status.Services} virtual service(s), {status.RealServers} real server(s))\n");
        if (status.UnsavedRuntimeEdits)
        {
            text.Append("runtime edits: not in the file; lost at the next reload or restart (save with: lvsnetadm export-yaml)\n");
        }
        else if (status.WritesConfig)
        {
            text.Append("runtime edits: written to the file (--write-config)\n");
        }

        if (status.LastReload is { } reload)
        {
            text.Append("last reload: ").Append(Reload(reload));
        }
        else
        {
            text.Append("last reload: none since start\n");
        }

        if (status.Capture is { } capture)
        {
            text.Append(CultureInfo.InvariantCulture, $"capture: received {capture.Received}, dropped by kernel {capture.Dropped}, dropped by interface {capture.InterfaceDropped}\n");
        }
        else
        {
            text.Append("capture: not running\n");
        }

        if (status.DataPath is { } path)
        {
            text.Append(CultureInfo.InvariantCulture, $"data path ({path.Workers} worker{(path.Workers == 1 ? string.Empty : "s")}): received {path.Received}, forwarded {path.Forwarded}, ignored {path.Ignored}, dropped {path.Dropped}, errors {path.Errors}\n");
            text.Append(CultureInfo.InvariantCulture, $"connections: {path.TableEntries} in table (capacity {path.TableCapacity}), {path.ConnectionsCreated} created, {path.ArpRepliesSent} ARP replies, {path.IcmpErrorsSent} ICMP errors sent\n");
            var v6 = path.Icmpv6;
            text.Append(CultureInfo.InvariantCulture, $"icmpv6: {v6.EchoRepliesSent} echo replies, {v6.UnreachableSent} port unreachable, {v6.TimeExceededSent} time exceeded, {v6.PacketTooBigSent} packet too big sent, {v6.ErrorsSuppressed} suppressed, {v6.ErrorsForwarded} errors forwarded\n");
            text.Append(CultureInfo.InvariantCulture, $"flood defence: {path.DefenceDropped} entries dropped (drop_entry), {path.HalfOpenEvicted} of them half-open\n");
            var f = path.Fragments;
            text.Append(CultureInfo.InvariantCulture, $"fragments: {f.Held} held, {f.Forwarded} datagrams forwarded whole; refused {f.Overlap} overlapping, {f.Duplicate} duplicate, {f.Tiny} tiny, {f.Malformed} malformed, {f.TimedOut} timed out, {f.PoolFull} pool full; now {f.PendingDatagrams}/{f.DatagramCapacity} datagrams in {f.BuffersInUse}/{f.BufferCapacity} buffers\n");
            var n = path.Neighbours;
            text.Append(CultureInfo.InvariantCulture, $"neighbours: IPv4 {n.Entries}/{n.Capacity} in table, {n.RequestsSent} ARP requests sent, {n.Failed} failed, {n.Reclaimed} taken for new addresses; IPv6 {n.Entries6}/{n.Capacity6} in table, {n.SolicitationsSent} solicitations sent, {n.Failed6} failed, {n.Reclaimed6} taken for new addresses\n");
            var p = path.SynProxy;
            text.Append(CultureInfo.InvariantCulture, $"syn proxy: {p.CookiesSent} cookies sent, {p.CookiesValid} valid, {p.CookiesInvalid} invalid, {p.Connections} connections proxied, {p.PendingDropped} segments dropped while opening\n");
            text.Append("drops by reason:");
            var any = false;
            foreach (var (reason, count) in path.DropsByReason)
            {
                if (count > 0)
                {
                    text.Append(CultureInfo.InvariantCulture, $"\n  {reason,-20} {count}");
                    any = true;
                }
            }

            text.Append(any ? "\n" : " none\n");
        }

        if (status.Ha is { } ha)
        {
            text.Append(HaLines(ha));
        }

        if (status.Announcement is { } announcement)
        {
            text.Append(AnnouncementLines(announcement));
        }

        text.Append("log level: ").Append(status.LogLevel ?? "unknown").Append('\n');
        text.Append("metrics: ").Append(status.MetricsEndpoint ?? "off").Append('\n');
        if (status.StatusPage is { } page)
        {
            text.Append("status page: ").Append(page).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The HA lines of the status: role, sync daemons and their counters.</summary>
    public static string HaLines(HaStatus ha)
    {
        ArgumentNullException.ThrowIfNull(ha);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"role: {ha.Role} since {ha.RoleSince.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z ({ha.RoleChanges} change(s))\n");
        text.Append(ha.Daemons.Count == 0 ? "sync daemons: none\n" : "sync daemons:\n" + string.Concat(IpvsadmFormatter.Daemons(ha.Daemons).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => "  " + line + "\n")));
        text.Append(CultureInfo.InvariantCulture, $"sync sent: {ha.SyncMessagesSent} message(s), {ha.SyncConnectionsSent} connection(s), {ha.SyncQueueDropped} dropped at the queue, {ha.SyncSendErrors} send error(s)\n");
        text.Append(CultureInfo.InvariantCulture, $"sync received: {ha.SyncMessagesReceived} message(s) ({ha.SyncMessagesRefused} refused), {ha.SyncConnectionsReceived} connection(s), {ha.SyncConnectionsApplied} applied, {ha.SyncConnectionsSkipped} skipped, {ha.SyncConnectionsWithoutServer} without server, {ha.SyncApplyDropped} dropped, {ha.SyncLocalPortNotOurs} FULLNAT port of another worker\n");
        text.Append(CultureInfo.InvariantCulture, $"sync authentication: {(ha.SyncAuthenticated ? "on" : "off")}; refused {ha.SyncRefusedUnauthenticated} unauthenticated, {ha.SyncRefusedBadMac} bad MAC, {ha.SyncRefusedStale} stale, {ha.SyncRefusedReplayed} replayed; full resync sent {ha.SyncResyncRecords} record(s)\n");
        return text.ToString();
    }

    /// <summary>The route announcement's lines of the status: drain state, BIRD, and each VIP.</summary>
    public static string AnnouncementLines(AnnouncementStatus announcement)
    {
        ArgumentNullException.ThrowIfNull(announcement);
        var text = new StringBuilder();
        text.Append("announcement: ").Append(announcement.DrainState);
        if (announcement.DrainedSince is { } since)
        {
            text.Append(CultureInfo.InvariantCulture, $" since {since.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z");
            if (announcement.DrainState == "draining" && announcement.DrainDeadline is { } deadline)
            {
                text.Append(CultureInfo.InvariantCulture, $" until {deadline.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z at the latest");
            }
        }

        text.Append(CultureInfo.InvariantCulture, $", {announcement.ActiveConnections} active connection(s)\n");
        text.Append("bird: ").Append(announcement.BirdManaged
            ? (announcement.BirdRunning ? string.Create(CultureInfo.InvariantCulture, $"running (pid {announcement.BirdPid}, started {announcement.BirdStarts} time(s))") : "NOT RUNNING")
            : "external");
        text.Append(CultureInfo.InvariantCulture, $", {(announcement.InSync ? "in sync" : "NOT IN SYNC")} with {announcement.RoutesFile}, {announcement.Reconfigurations} reconfiguration(s), {announcement.ReconfigurationFailures} failed\n");
        if (announcement.LastError is { } error)
        {
            text.Append("bird error: ").Append(error).Append('\n');
        }

        foreach (var vip in announcement.Vips)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {vip.Address,-15} {(vip.Announced ? "announced" : "withdrawn (" + vip.Reason + ")")} since {vip.Since.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z\n");
        }

        return text.ToString();
    }

    /// <summary>One reload's outcome: "applied ..." or "rejected with N error(s):" and every error.</summary>
    public static string Reload(ReloadReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        var at = report.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "Z";
        if (report.Applied)
        {
            text.Append(CultureInfo.InvariantCulture, $"applied {report.Path} at {at}");
            if (report.Summary is { } summary)
            {
                text.Append(": ").Append(summary);
            }

            text.Append('\n');
        }
        else
        {
            text.Append(CultureInfo.InvariantCulture, $"rejected {report.Path} at {at} with {report.Errors.Count} error(s); the running configuration stays:\n");
            foreach (var error in report.Errors)
            {
                text.Append("  ").Append(error).Append('\n');
            }
        }

        return text.ToString();
    }

    private static string Duration(long seconds)
    {
        var span = TimeSpan.FromSeconds(seconds);
        return span.TotalDays >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalDays}d{span.Hours:00}h{span.Minutes:00}m")
            : string.Create(CultureInfo.InvariantCulture, $"{span.Hours}h{span.Minutes:00}m{span.Seconds:00}s");
    }
}
