using System.Runtime.CompilerServices;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Core.Connections;

/// <summary>
/// IPv6 FULLNAT local bindings, as <see cref="ConnectionTable"/>'s: a port map per (protocol, local
/// address) names the connection that holds each local port, so a reply to LIP:lport finds its
/// connection with one array read instead of a second set of hash chains.
/// </summary>
/// <remarks>
/// A map is 65,536 ints (256 KiB), created when its address is reserved (on a snapshot) or first
/// bound. Ports come from <see cref="LocalPorts"/>, the thread's pool that the IPv4 table shares.
/// NAT64 connections hold an IPv4 local address in its IPv4-mapped form (::ffff:a.b.c.d) and take
/// its ports from the IPv4 bitmap, so an IPv4 FULLNAT and a NAT64 connection never share a port.
/// </remarks>
public sealed partial class Ipv6ConnectionTable
{
    // (protocol, local address) -> entry index + 1 by port (0 = port not bound in this table).
    private readonly Dictionary<(IpProtocol Protocol, Ipv6Address Address), int[]> _localOwners = [];

    // The last port map found: a director has a handful of local addresses, so most replies hit it
    // and skip the dictionary over (protocol, 128-bit address) keys.
    private int[]? _lastOwners;
    private Ipv6Address _lastAddress;
    private IpProtocol _lastProtocol;

    /// <summary>The FULLNAT local-port pool.</summary>
    public LocalPortAllocator LocalPorts { get; }

    /// <summary>The connection holding LIP:lport of <paramref name="protocol"/>, if any.</summary>
    /// <returns>The entry's index, or -1.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int FindLocal(IpProtocol protocol, Ipv6Address localAddress, ushort localPort)
    {
        var owners = _lastOwners;
        if (owners is null || _lastAddress != localAddress || _lastProtocol != protocol)
        {
            if (!_localOwners.TryGetValue((protocol, localAddress), out owners))
            {
                return None;
            }

            // Maps are never removed, so a cached one stays valid.
            _lastOwners = owners;
            _lastAddress = localAddress;
            _lastProtocol = protocol;
        }

        return owners[localPort] - 1;
    }

    /// <summary>
    /// Finds the FULLNAT connection of a reply (real server → LIP:lport): the connection that owns
    /// LIP:lport, if its real server is the one at <paramref name="serverAddress"/>:<paramref name="serverPort"/>.
    /// </summary>
    /// <returns>The entry's index, or -1.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int FindFullNatReply(IpProtocol protocol, Ipv6Address localAddress, ushort localPort, Ipv6Address serverAddress, ushort serverPort, RealServerState?[] serversById)
    {
        ArgumentNullException.ThrowIfNull(serversById);
        var index = FindLocal(protocol, localAddress, localPort);
        if (index >= 0)
        {
            ref var entry = ref _entries[index];
            if ((uint)entry.RealServerId < (uint)serversById.Length
                && serversById[entry.RealServerId] is { IsIpv6: true } server
                && server.Address6 == serverAddress
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
    public bool TryBindLocal(int index, Ipv6Address localAddress)
    {
        ref var entry = ref _entries[index];
        if (!(localAddress.IsIpv4Mapped ? LocalPorts.TryAllocate(entry.Protocol, (uint)localAddress.Low, out var port) : LocalPorts.TryAllocate(entry.Protocol, localAddress, out port)))
        {
            return false;
        }

        var owners = OwnersOf(entry.Protocol, localAddress);
        entry.LocalAddress = localAddress;
        entry.LocalPort = port;
        owners[port] = index + 1;
        return true;
    }

    /// <summary>True when <paramref name="localAddress"/> still has a free port for <paramref name="protocol"/>.</summary>
    public bool HasFreeLocalPort(IpProtocol protocol, Ipv6Address localAddress) =>
        localAddress.IsIpv4Mapped ? LocalPorts.HasFreePort(protocol, (uint)localAddress.Low) : LocalPorts.HasFreePort(protocol, localAddress);

    /// <summary>Creates the port maps and bitmaps of <paramref name="localAddress"/> ahead of its first connection (keeps those allocations off the packet path).</summary>
    public void ReserveLocal(Ipv6Address localAddress)
    {
        foreach (var protocol in (ReadOnlySpan<IpProtocol>)[IpProtocol.Tcp, IpProtocol.Udp])
        {
            if (localAddress.IsIpv4Mapped)
            {
                LocalPorts.Reserve(protocol, (uint)localAddress.Low);
            }
            else
            {
                LocalPorts.Reserve(protocol, localAddress);
            }

            OwnersOf(protocol, localAddress);
        }
    }

    /// <summary>
    /// Backup: binds a synced FULLNAT or NAT64 connection to the local address and port the master gave
    /// it, reserving the port (NAT64's IPv4-mapped addresses in the IPv4 pool) so that this director,
    /// once master, never hands it to another connection. A connection of this table that still holds
    /// the port (left from an earlier mastership) is freed first, as in <see cref="ConnectionTable.BindSyncedLocal"/>.
    /// </summary>
    /// <returns>
    /// <see cref="LocalBindResult.Bound"/>, <see cref="LocalBindResult.StaleFreed"/>, or
    /// <see cref="LocalBindResult.NotOurs"/> when the port is not one this table's allocator hands out
    /// (the directors run different worker counts) or is held in the IPv4 table: the entry is unchanged.
    /// </returns>
    public LocalBindResult BindSyncedLocal(int index, Ipv6Address localAddress, ushort localPort, RealServerState?[] serversById)
    {
        ArgumentNullException.ThrowIfNull(serversById);
        ref var entry = ref _entries[index];
        if (entry.LocalPort == localPort && entry.LocalAddress == localAddress)
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

        var reserved = localAddress.IsIpv4Mapped
            ? LocalPorts.TryReserve(entry.Protocol, (uint)localAddress.Low, localPort)
            : LocalPorts.TryReserve(entry.Protocol, localAddress, localPort);
        if (!reserved)
        {
            return LocalBindResult.NotOurs;
        }

        if (entry.LocalPort != 0)
        {
            UnbindLocal(ref entry, index);
        }

        var owners = OwnersOf(entry.Protocol, localAddress);
        entry.LocalAddress = localAddress;
        entry.LocalPort = localPort;
        owners[localPort] = index + 1;
        return result;
    }

    private int[] OwnersOf(IpProtocol protocol, Ipv6Address localAddress)
    {
        if (!_localOwners.TryGetValue((protocol, localAddress), out var owners))
        {
            owners = new int[ushort.MaxValue + 1];
            _localOwners.Add((protocol, localAddress), owners);
        }

        return owners;
    }

    private void UnbindLocal(ref Ipv6ConnectionEntry entry, int index)
    {
        if (_localOwners.TryGetValue((entry.Protocol, entry.LocalAddress), out var owners) && owners[entry.LocalPort] == index + 1)
        {
            owners[entry.LocalPort] = 0;
        }

        if (entry.LocalAddress.IsIpv4Mapped)
        {
            LocalPorts.Release(entry.Protocol, (uint)entry.LocalAddress.Low, entry.LocalPort);
        }
        else
        {
            LocalPorts.Release(entry.Protocol, entry.LocalAddress, entry.LocalPort);
        }
        entry.LocalAddress = default;
        entry.LocalPort = 0;
    }
}
