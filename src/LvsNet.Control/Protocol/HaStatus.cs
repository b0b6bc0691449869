namespace LvsNet.Control.Protocol;

/// <summary>The director's high-availability state in <c>lvsnetadm status</c>.</summary>
public sealed record HaStatus
{
    /// <summary>MASTER, BACKUP or FAULT.</summary>
    public required string Role { get; init; }

    /// <summary>When the role last changed (or the daemon started).</summary>
    public DateTimeOffset RoleSince { get; init; }

    /// <summary>Role changes since start.</summary>
    public long RoleChanges { get; init; }

    /// <summary>The running sync daemons.</summary>
    public IReadOnlyList<SyncDaemonInfo> Daemons { get; init; } = [];

    /// <summary>Master: records dropped at a full queue between a capture thread and the sync thread.</summary>
    public long SyncQueueDropped { get; init; }

    /// <summary>Master: messages sent.</summary>
    public long SyncMessagesSent { get; init; }

    /// <summary>Master: connection records sent.</summary>
    public long SyncConnectionsSent { get; init; }

    /// <summary>Master: send errors.</summary>
    public long SyncSendErrors { get; init; }

    /// <summary>Backup: messages received.</summary>
    public long SyncMessagesReceived { get; init; }

    /// <summary>Backup: messages refused (size, sync id, malformed).</summary>
    public long SyncMessagesRefused { get; init; }

    /// <summary>Backup: connection records received.</summary>
    public long SyncConnectionsReceived { get; init; }

    /// <summary>Backup: records skipped (IPv6, other protocols, bad states, unknown options).</summary>
    public long SyncConnectionsSkipped { get; init; }

    /// <summary>Backup: records applied to the connection table.</summary>
    public long SyncConnectionsApplied { get; init; }

    /// <summary>Backup: records for a service or real server this director does not have.</summary>
    public long SyncConnectionsWithoutServer { get; init; }

    /// <summary>Backup: records dropped (queue or table full).</summary>
    public long SyncApplyDropped { get; init; }

    /// <summary>Backup: FULLNAT records whose local port belongs to another worker here (different worker counts).</summary>
    public long SyncLocalPortNotOurs { get; init; }

    /// <summary>True when a running sync daemon uses the authenticated mode (a shared key).</summary>
    public bool SyncAuthenticated { get; init; }

    /// <summary>Backup, authenticated mode: refused messages without LvsNet's trailer.</summary>
    public long SyncRefusedUnauthenticated { get; init; }

    /// <summary>Backup, authenticated mode: refused messages with a wrong HMAC.</summary>
    public long SyncRefusedBadMac { get; init; }

    /// <summary>Backup, authenticated mode: refused messages with a sequence too far from this clock.</summary>
    public long SyncRefusedStale { get; init; }

    /// <summary>Backup, authenticated mode: refused replays.</summary>
    public long SyncRefusedReplayed { get; init; }

    /// <summary>Master: records queued by the periodic full resync.</summary>
    public long SyncResyncRecords { get; init; }
}
