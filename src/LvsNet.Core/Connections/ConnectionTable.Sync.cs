namespace LvsNet.Core.Connections;

/// <summary>What the connection synchronisation needs of the table (on the owning capture thread).</summary>
public sealed partial class ConnectionTable
{
    /// <summary>The entry at <paramref name="index"/>, writable: the sync decision keeps its synced state and a template's packet count there.</summary>
    internal ref ConnectionEntry Mutable(int index) => ref _entries[index];

    /// <summary>
    /// The sync daemon's memory of when the connection at <paramref name="index"/> was last synced
    /// (IPVS sync_endtime): the expiry it reported, in quarter ticks (the tick shifted left by 2),
    /// and in the low 2 bits the retries sent since. A new entry starts at its creation tick.
    /// </summary>
    internal ref uint SyncEndTime(int index) => ref _entries[index].SyncEnd;

    /// <summary>The <see cref="SyncEndTime"/> value of tick <paramref name="tick"/> with no retries.</summary>
    internal static uint SyncEndAt(uint tick) => tick << 2;

    /// <summary>One past the highest index ever used: the full resync walks 0 to this.</summary>
    internal int HighWater => _highWater;

    /// <summary>
    /// Backup: binds a synced FULLNAT connection to the local address and port the master gave it,
    /// reserving the port so that this director, once master, never hands it to another connection.
    /// A connection of this table that still holds the port (left from an earlier mastership: the
    /// master, which allocated it again, knows better) is freed first.
    /// </summary>
    /// <returns>
    /// <see cref="LocalBindResult.Bound"/>, <see cref="LocalBindResult.StaleFreed"/> when a stale
    /// holder was freed, or <see cref="LocalBindResult.NotOurs"/> when the port is not one this
    /// table's allocator hands out (the directors run different worker counts): the entry is unchanged.
    /// </returns>
    public LocalBindResult BindSyncedLocal(int index, uint localAddress, ushort localPort, RealServerState?[] serversById)
    {
        ArgumentNullException.ThrowIfNull(serversById);
        ref var entry = ref _entries[index];
        if (entry.LocalAddress == localAddress && entry.LocalPort == localPort)
        {
            return LocalBindResult.Bound;
        }

        var result = LocalBindResult.Bound;
        var holder = FindLocal(entry.Protocol, localAddress, localPort);
        if (holder >= 0 && holder != index)
        {
            Remove(holder, serversById);
            result = LocalBindResult.StaleFreed;
        }

        if (!TryGetLocalId(localAddress, out var id) || !LocalPorts.TryReserve(entry.Protocol, localAddress, localPort))
        {
            return LocalBindResult.NotOurs;
        }

        if (entry.LocalAddressId != 0)
        {
            UnbindLocal(ref entry, index);
        }

        BindLocal(ref entry, index, id, localAddress, localPort);
        return result;
    }

    /// <summary>Backup: the master already gave the real server the client's address (TOA); this director must not add it again.</summary>
    public void MarkToaDone(int index) => _entries[index].Flags |= ConnectionFlags.ToaDone;
}
