namespace LvsNet.Core.Sync;

/// <summary>
/// The sync daemons' counters: written by the sync threads (and, for drops, by the capture threads
/// with an interlocked add, which happens only when a queue is full), read by status and metrics.
/// </summary>
public sealed class SyncCounters
{
    internal long _queueDropped;
    internal long _messagesSent;
    internal long _connectionsSent;
    internal long _sendErrors;
    internal long _messagesReceived;
    internal long _connectionsReceived;
    internal long _messagesRefused;
    internal long _connectionsSkipped;
    internal long _connectionsApplied;
    internal long _connectionsWithoutServer;
    internal long _applyDropped;
    internal long _localPortNotOurs;
    internal long _refusedUnauthenticated;
    internal long _refusedBadMac;
    internal long _refusedStale;
    internal long _refusedReplayed;
    internal long _resyncRecords;

    /// <summary>Master: records dropped because a capture thread's queue to the sync thread was full.</summary>
    public long QueueDropped => Volatile.Read(ref _queueDropped);

    /// <summary>Master: messages sent.</summary>
    public long MessagesSent => Volatile.Read(ref _messagesSent);

    /// <summary>Master: connection records sent.</summary>
    public long ConnectionsSent => Volatile.Read(ref _connectionsSent);

    /// <summary>Master: messages the socket refused to send.</summary>
    public long SendErrors => Volatile.Read(ref _sendErrors);

    /// <summary>Backup: messages received.</summary>
    public long MessagesReceived => Volatile.Read(ref _messagesReceived);

    /// <summary>Backup: connection records read from accepted messages.</summary>
    public long ConnectionsReceived => Volatile.Read(ref _connectionsReceived);

    /// <summary>Backup: messages refused (too short, wrong size, other sync id, malformed).</summary>
    public long MessagesRefused => Volatile.Read(ref _messagesRefused);

    /// <summary>Backup: records skipped (IPv6, other protocols, states out of range, unknown mandatory options, persistence-engine data).</summary>
    public long ConnectionsSkipped => Volatile.Read(ref _connectionsSkipped);

    /// <summary>Backup: records applied to a connection table (created or updated).</summary>
    public long ConnectionsApplied => Volatile.Read(ref _connectionsApplied);

    /// <summary>Backup: records whose service or real server this director does not have (not created).</summary>
    public long ConnectionsWithoutServer => Volatile.Read(ref _connectionsWithoutServer);

    /// <summary>Backup: records dropped because a capture thread's queue was full or its table was.</summary>
    public long ApplyDropped => Volatile.Read(ref _applyDropped);

    /// <summary>Backup: FULLNAT records whose local port this director's worker does not hand out (the directors run different worker counts): not kept.</summary>
    public long LocalPortNotOurs => Volatile.Read(ref _localPortNotOurs);

    /// <summary>Backup, authenticated mode: messages refused without LvsNet's trailer (also in <see cref="MessagesRefused"/>).</summary>
    public long RefusedUnauthenticated => Volatile.Read(ref _refusedUnauthenticated);

    /// <summary>Backup, authenticated mode: messages refused for a wrong HMAC.</summary>
    public long RefusedBadMac => Volatile.Read(ref _refusedBadMac);

    /// <summary>Backup, authenticated mode: messages refused because their sequence was too far from this clock.</summary>
    public long RefusedStale => Volatile.Read(ref _refusedStale);

    /// <summary>Backup, authenticated mode: messages refused as replays (a sequence already seen or behind the window).</summary>
    public long RefusedReplayed => Volatile.Read(ref _refusedReplayed);

    /// <summary>Master: records queued by the periodic full resync (also in the records sent).</summary>
    public long ResyncRecords => Volatile.Read(ref _resyncRecords);

    /// <summary>Backup thread: a message was refused by the authenticated mode.</summary>
    public void OnAuthRefused(SyncAuthStatus status)
    {
        Add(ref _messagesRefused);
        switch (status)
        {
            case SyncAuthStatus.Unauthenticated: Add(ref _refusedUnauthenticated); break;
            case SyncAuthStatus.BadMac: Add(ref _refusedBadMac); break;
            case SyncAuthStatus.Stale: Add(ref _refusedStale); break;
            default: Add(ref _refusedReplayed); break;
        }
    }

    /// <summary>Master thread: a message of <paramref name="connections"/> records left.</summary>
    public void OnMessageSent(int connections)
    {
        Add(ref _messagesSent);
        Add(ref _connectionsSent, connections);
    }

    /// <summary>Master thread: the socket refused a message.</summary>
    public void OnSendError() => Add(ref _sendErrors);

    /// <summary>Backup thread: a message arrived.</summary>
    public void OnMessageReceived() => Add(ref _messagesReceived);

    /// <summary>Backup thread: a message was refused.</summary>
    public void OnMessageRefused() => Add(ref _messagesRefused);

    /// <summary>Backup thread: records read and skipped from a message.</summary>
    public void OnRecordsRead(int received, int skipped)
    {
        Add(ref _connectionsReceived, received);
        Add(ref _connectionsSkipped, skipped);
    }

    /// <summary>Adds <paramref name="value"/> to a counter from any thread.</summary>
    internal static void Add(ref long counter, long value = 1) => Interlocked.Add(ref counter, value);
}
