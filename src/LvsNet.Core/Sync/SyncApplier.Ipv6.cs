using LvsNet.Core.Connections;
using LvsNet.Core.Runtime;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Core.Sync;

/// <summary>
/// The backup side for IPv6 records (<c>struct ip_vs_sync_v6</c>): the same rules as for IPv4
/// (ip_vs_proc_conn), applied to the IPv6 connection table: an existing connection whose real
/// server differs is replaced unless the record is inactive, an existing one takes the state and
/// timeout, a new one is bound to the server found by (service, server address and port);
/// templates are found and created by the masked client address. A FULLNAT record binds the
/// entry to the master's local address and port (IPv6, or for NAT64 the IPv4 one in its
/// IPv4-mapped form) and reserves the port, as the IPv4 applier does; a record whose real server is
/// IPv4 (NAT64, a tunnel) is bound to the service's IPv4 server of that address and port.
/// </summary>
public static partial class SyncApplier
{
    /// <summary>Applies one IPv6 record to <paramref name="table"/>.</summary>
    /// <param name="table">The IPv6 table of the worker.</param>
    /// <param name="snapshot">The current snapshot.</param>
    /// <param name="servers">Real servers by id.</param>
    /// <param name="timeouts">The state timeouts (for records without one).</param>
    /// <param name="now">The current tick.</param>
    /// <param name="record">The received record.</param>
    /// <param name="threshold">The packet count a new entry starts with.</param>
    /// <param name="table4">The same worker's IPv4 table: a stale IPv4 FULLNAT connection there that holds a NAT64 record's port (they share the IPv4 pool) is freed too.</param>
    public static SyncApplyResult Apply6(Ipv6ConnectionTable table, LvsSnapshot snapshot, RealServerState?[] servers, ConnectionTimeouts timeouts, uint now, in SyncConnection record, int threshold, ConnectionTable? table4 = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(servers);
        ArgumentNullException.ThrowIfNull(timeouts);
        var template = record.IsTemplate;
        var state = template ? ConnectionState.None : record.Protocol == IpProtocol.Udp ? ConnectionState.Udp : (ConnectionState)record.State;
        var timeoutTicks = record.TimeoutSeconds != 0
            ? ConnectionClock.ToTicks(TimeSpan.FromSeconds(Math.Min(record.TimeoutSeconds, 31u * 86400)))
            : template ? TemplateFallbackTicks : timeouts[state];

        var key = new Ipv6ConnectionKey(record.Protocol, record.ClientAddress6, template ? (ushort)0 : record.ClientPort, record.VirtualAddress6, record.VirtualPort);
        var index = template
            ? table.FindTemplate(record.Protocol, record.ClientAddress6, record.VirtualAddress6, record.VirtualPort)
            : table.Find(in key);
        var result = SyncApplyResult.Updated;
        if (index >= 0)
        {
            var current = (uint)table[index].RealServerId < (uint)servers.Length ? servers[table[index].RealServerId] : null;
            var sameServer = current is not null && IsRecordServer(current, in record);
            if (!sameServer && !template)
            {
                if ((record.Flags & IpvsConnectionFlags.Inactive) != 0)
                {
                    return SyncApplyResult.Ignored;
                }

                table.Remove(index, servers);
                index = -1;
                result = SyncApplyResult.Replaced;
            }
        }

        RealServerState? server;
        if (index < 0)
        {
            server = FindServer6(snapshot, in record);
            if (server is null)
            {
                return SyncApplyResult.NoServer;
            }

            if (template)
            {
                index = table.InsertTemplate(record.Protocol, record.ClientAddress6, record.VirtualAddress6, record.VirtualPort, server, timeoutTicks, now);
            }
            else
            {
                var flags = (record.Flags & IpvsConnectionFlags.NoOutput) != 0 ? ConnectionFlags.NoOutput : ConnectionFlags.None;
                index = table.Insert(in key, server.Id, flags, now);
                if (index >= 0)
                {
                    server.OnSyncedConnectionBound();
                }
            }

            if (index < 0)
            {
                return SyncApplyResult.TableFull;
            }

            if (result != SyncApplyResult.Replaced)
            {
                result = SyncApplyResult.Created;
            }
        }
        else
        {
            var id = table[index].RealServerId;
            server = (uint)id < (uint)servers.Length ? servers[id] : null;
        }

        ref var entry = ref table.Mutable(index);
        if (template)
        {
            if (record.State == 1)
            {
                entry.Flags |= ConnectionFlags.Assured;
            }

            // Only ever later: the timer wheel finds a later expiry in the entry's slot and moves it then.
            entry.TemplateTimeoutTicks = timeoutTicks;
            var expires = now + timeoutTicks;
            if ((int)(expires - entry.ExpiresAt) > 0)
            {
                entry.ExpiresAt = expires;
            }
        }
        else
        {
            table.Transition(index, state, timeoutTicks, now, server);
        }

        entry.InPackets = (uint)threshold;
        entry.SyncedState = entry.State;
        if (!template && record.LocalPort != 0)
        {
            // FULLNAT (IPv6 local address) or NAT64 (IPv4 local address, kept IPv4-mapped): the reply
            // direction needs the master's binding, and this director must never hand the port out.
            var bind = BindLocal6(table, table4, snapshot, servers, index, in record);
            if (bind == LocalBindResult.NotOurs)
            {
                table.Remove(index, servers);
                return SyncApplyResult.LocalPortNotOurs;
            }

            if (bind == LocalBindResult.StaleFreed)
            {
                result = SyncApplyResult.LocalPortReclaimed;
            }

            if (record.ToaDone)
            {
                table.Mutable(index).Flags |= ConnectionFlags.ToaDone;
            }
        }

        return result;
    }

    // Only a local address this director has: a record naming another cannot make it create port maps.
    private static LocalBindResult BindLocal6(Ipv6ConnectionTable table, ConnectionTable? table4, LvsSnapshot snapshot, RealServerState?[] servers, int index, in SyncConnection record)
    {
        Ipv6Address local;
        var staleFreed = false;
        if (record.LocalAddress != 0)
        {
            if (Array.BinarySearch(snapshot.LocalAddresses, record.LocalAddress) < 0)
            {
                return LocalBindResult.NotOurs;
            }

            // An IPv4 FULLNAT connection left from an earlier mastership may hold the port in the shared pool.
            var stale = table4?.FindLocal(record.Protocol, record.LocalAddress, record.LocalPort) ?? -1;
            if (stale >= 0)
            {
                table4!.Remove(stale, servers);
                staleFreed = true;
            }

            local = Nat64Translator.MapIpv4(record.LocalAddress);
        }
        else
        {
            if (Array.BinarySearch(snapshot.LocalAddresses6, record.LocalAddress6) < 0)
            {
                return LocalBindResult.NotOurs;
            }

            local = record.LocalAddress6;
        }

        var result = table.BindSyncedLocal(index, local, record.LocalPort, servers);
        return staleFreed && result == LocalBindResult.Bound ? LocalBindResult.StaleFreed : result;
    }

    private static RealServerState? FindServer6(LvsSnapshot snapshot, in SyncConnection record)
    {
        var key = record.Fwmark != 0 ? ServiceKey.ForMark(record.Fwmark, ipv6: true) : new ServiceKey(record.Protocol, 0, record.VirtualPort, 0, record.VirtualAddress6);
        if (!snapshot.ServicesByKey.TryGetValue(key, out var service))
        {
            return null;
        }

        foreach (var server in service.Servers)
        {
            if (IsRecordServer(server, in record))
            {
                return server;
            }
        }

        return null;
    }

    // The record's real server: its family is the connection's unless the record is mixed-family.
    private static bool IsRecordServer(RealServerState server, in SyncConnection record)
    {
        var ipv6 = record.IsIpv6 != record.MixedFamily;
        return server.Port == record.ServerPort && server.IsIpv6 == ipv6
            && (ipv6 ? server.Address6 == record.ServerAddress6 : server.Address == record.ServerAddress);
    }
}
