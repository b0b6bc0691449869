namespace LvsNet.Core.Connections;

/// <summary>What binding a synced FULLNAT connection to its local port did (<see cref="ConnectionTable.BindSyncedLocal"/>).</summary>
public enum LocalBindResult
{
    /// <summary>The connection holds the port.</summary>
    Bound,

    /// <summary>The connection holds the port; a stale connection of this table that held it was freed.</summary>
    StaleFreed,

    /// <summary>The port is not one this table hands out: nothing changed.</summary>
    NotOurs,
}
