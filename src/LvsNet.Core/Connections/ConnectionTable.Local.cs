using System.Runtime.CompilerServices;
using LvsNet.Packets;

namespace LvsNet.Core.Connections;

/// <summary>
/// FULLNAT local bindings: which connection holds each local address and port. A port map per
/// (protocol, local address) instead of a second set of hash chains: a local port is never held
/// by two live connections of an address, so the port names the connection directly.
/// </summary>
/// <remarks>
/// A map is 65,536 ints (256 KiB), created when its address is first bound; a director needs one
/// local address per 64,512 concurrent FULLNAT connections, so the maps cost about 4 bytes per
/// FULLNAT connection at full use, and nothing on a table without FULLNAT (the reply chains they
/// replace cost 8 bytes per entry on every table).
/// </remarks>
public sealed partial class ConnectionTable
{
    // (protocol, local address) -> entry index + 1 by port (0 = port not bound in this table).
    private readonly Dictionary<ulong, int[]> _localOwners = [];

    // This table's cache of LocalAddressBook ids (the book takes a lock).
    private readonly Dictionary<uint, ushort> _localIds = [];

    /// <summary>
    /// Finds the FULLNAT connection of a reply (real server → local address and port): the
    /// connection holding that local port, if any.
    /// </summary>
    /// <returns>The entry's index, or -1.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int FindLocal(IpProtocol protocol, uint localAddress, ushort localPort) =>
        _localOwners.TryGetValue(LocalKey(protocol, localAddress), out var owners) ? owners[localPort] - 1 : None;

    /// <summary>
    /// Finds the FULLNAT connection of a reply (or of an ICMP error quoting one): the connection
    /// that owns LIP:lport, if its real server is the one at
    /// <paramref name="serverAddress"/>:<paramref name="serverPort"/>.
    /// </summary>
    /// <returns>The entry's index, or -1.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int FindFullNatReply(IpProtocol protocol, uint localAddress, ushort localPort, uint serverAddress, ushort serverPort, RealServerState?[] serversById)
    {
        ArgumentNullException.ThrowIfNull(serversById);
        var index = FindLocal(protocol, localAddress, localPort);
        if (index >= 0)
        {
            ref var entry = ref _entries[index];
            if ((uint)entry.RealServerId < (uint)serversById.Length
                && serversById[entry.RealServerId] is { } server
                && server.Address == serverAddress
                && (server.Port == serverPort || (server.Port == 0 && entry.VirtualPort == serverPort)))
            {
                return index;
            }
        }

        return None;
    }

    /// <summary>
    /// Gives a new connection a FULLNAT source: a free port on <paramref name="localAddress"/>,
    /// recorded in the port map; the port returns to the pool when the entry is freed.
    /// </summary>
    /// <returns>False when every port of that local address is in use (the entry is unchanged).</returns>
    public bool TryBindLocal(int index, uint localAddress)
    {
        ref var entry = ref _entries[index];
        if (!TryGetLocalId(localAddress, out var id) || !LocalPorts.TryAllocate(entry.Protocol, localAddress, out var port))
        {
            return false;
        }

        BindLocal(ref entry, index, id, localAddress, port);
        return true;
    }

    private void BindLocal(ref ConnectionEntry entry, int index, ushort id, uint localAddress, ushort port)
    {
        var key = LocalKey(entry.Protocol, localAddress);
        if (!_localOwners.TryGetValue(key, out var owners))
        {
            owners = new int[ushort.MaxValue + 1];
            _localOwners.Add(key, owners);
        }

        entry.LocalAddressId = id;
        entry.LocalPort = port;
        owners[port] = index + 1;
    }

    private void UnbindLocal(ref ConnectionEntry entry, int index)
    {
        var address = entry.LocalAddress;
        if (_localOwners.TryGetValue(LocalKey(entry.Protocol, address), out var owners) && owners[entry.LocalPort] == index + 1)
        {
            owners[entry.LocalPort] = 0;
        }

        LocalPorts.Release(entry.Protocol, address, entry.LocalPort);
        entry.LocalAddressId = 0;
        entry.LocalPort = 0;
    }

    private bool TryGetLocalId(uint localAddress, out ushort id)
    {
        if (_localIds.TryGetValue(localAddress, out id))
        {
            return true;
        }

        if (!LocalAddressBook.TryGetId(localAddress, out id))
        {
            return false;
        }

        _localIds.Add(localAddress, id);
        return true;
    }

    private static ulong LocalKey(IpProtocol protocol, uint localAddress) => ((ulong)protocol << 32) | localAddress;
}
