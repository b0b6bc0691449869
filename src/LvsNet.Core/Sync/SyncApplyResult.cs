namespace LvsNet.Core.Sync;

/// <summary>What applying one received record did.</summary>
public enum SyncApplyResult
{
    /// <summary>A new entry.</summary>
    Created,

    /// <summary>An existing entry took the record's state and timeout.</summary>
    Updated,

    /// <summary>An existing entry bound to another real server was replaced.</summary>
    Replaced,

    /// <summary>An inactive record for a connection already replaced: nothing changed.</summary>
    Ignored,

    /// <summary>This director has no such service or real server: nothing created.</summary>
    NoServer,

    /// <summary>The table is full.</summary>
    TableFull,

    /// <summary>FULLNAT: the master's local port is not one this worker hands out (different worker counts): the entry was not kept.</summary>
    LocalPortNotOurs,

    /// <summary>FULLNAT: applied; a stale connection of this director that still held the local port was freed.</summary>
    LocalPortReclaimed,
}
