using LvsNet.Core.Connections;
using LvsNet.Core.Runtime;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Core.Sync;

/// <summary>
/// The backup side on one capture thread: applies received records to its connection table with
/// the kernel's rules (ip_vs_proc_conn). An existing connection whose real server differs is
/// replaced, unless the record is an inactive one (the expiry of the connection it replaced);
/// otherwise the existing entry takes the state and timeout; a new entry is created bound to the
/// real server found by (service, server address and port). It starts with <c>in_pkts</c> at the
/// threshold, so the master-to-be syncs it again at the same point of its period.
/// </summary>
/// <remarks>
/// Unlike the kernel, a record whose real server this director does not have is not kept as an
/// unbound connection: LvsNet's entries forward through their server, so it is counted and dropped.
/// A FULLNAT record (LvsNet's option) binds the entry to the master's local address and port and
/// reserves that port; a port this worker does not hand out (the two directors run different
/// worker counts, so replies would be steered to another worker) drops the entry, counted.
/// Thread contract: the owning capture thread.
/// </remarks>
public static partial class SyncApplier
{
    // A version 0 template carries no timeout: the kernel gives it 3 minutes.
    private static readonly uint TemplateFallbackTicks = ConnectionClock.ToTicks(TimeSpan.FromMinutes(3));

    /// <summary>Applies one record.</summary>
    /// <param name="table">The IPv4 table of the worker.</param>
    /// <param name="snapshot">The current snapshot.</param>
    /// <param name="servers">Real servers by id.</param>
    /// <param name="timeouts">The state timeouts (for records without one).</param>
    /// <param name="now">The current tick.</param>
    /// <param name="record">The received record.</param>
    /// <param name="threshold">The packet count a new entry starts with.</param>
    /// <param name="table6">The same worker's IPv6 table: a stale NAT64 connection there that holds the FULLNAT port (they share the IPv4 pool) is freed too.</param>
    public static SyncApplyResult Apply(ConnectionTable table, LvsSnapshot snapshot, RealServerState?[] servers, ConnectionTimeouts timeouts, uint now, in SyncConnection record, int threshold, Ipv6ConnectionTable? table6 = null)
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

        var index = template
            ? table.FindTemplate(record.Protocol, record.ClientAddress, record.VirtualAddress, record.VirtualPort)
            : table.Find(new ConnectionKey(record.Protocol, record.ClientAddress, record.ClientPort, record.VirtualAddress, record.VirtualPort));
        var result = SyncApplyResult.Updated;
        if (index >= 0)
        {
            var current = (uint)table[index].RealServerId < (uint)servers.Length ? servers[table[index].RealServerId] : null;
            var sameServer = current is not null && IsRecordServer(current, in record);
            if (!sameServer && !template)
            {
                if ((record.Flags & IpvsConnectionFlags.Inactive) != 0)
                {
                    // The expiry of the connection that was already replaced: ignored.
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
            server = FindServer(snapshot, record);
            if (server is null)
            {
                return SyncApplyResult.NoServer;
            }

            if (template)
            {
                index = table.InsertTemplate(record.Protocol, record.ClientAddress, record.VirtualAddress, record.VirtualPort, server, timeoutTicks, now);
            }
            else
            {
                var flags = (record.Flags & IpvsConnectionFlags.NoOutput) != 0 ? ConnectionFlags.NoOutput : ConnectionFlags.None;
                index = table.Insert(new ConnectionKey(record.Protocol, record.ClientAddress, record.ClientPort, record.VirtualAddress, record.VirtualPort), server.Id, flags, now);
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
            entry.TimeoutTicks = timeoutTicks;
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
        if (!template && record.LocalAddress != 0)
        {
            // FULLNAT: the reply direction needs the master's local address and port, and this
            // director must never hand that port to another connection.
            var staleNat64 = table6?.FindLocal(record.Protocol, Nat64Translator.MapIpv4(record.LocalAddress), record.LocalPort) ?? -1;
            if (staleNat64 >= 0)
            {
                table6!.Remove(staleNat64, servers);
                result = SyncApplyResult.LocalPortReclaimed;
            }

            switch (table.BindSyncedLocal(index, record.LocalAddress, record.LocalPort, servers))
            {
                case LocalBindResult.NotOurs:
                    table.Remove(index, servers);
                    return SyncApplyResult.LocalPortNotOurs;
                case LocalBindResult.StaleFreed:
                    result = SyncApplyResult.LocalPortReclaimed;
                    break;
            }

            if (record.ToaDone)
            {
                table.MarkToaDone(index);
            }
        }

        return result;
    }

    private static RealServerState? FindServer(LvsSnapshot snapshot, in SyncConnection record)
    {
        // A firewall-mark service's connection or template names its service by the mark (IPVS's
        // ip_vs_proc_conn looks it up by fwmark too), the others by protocol, VIP and port.
        var key = record.Fwmark != 0 ? ServiceKey.ForMark(record.Fwmark) : new ServiceKey(record.Protocol, record.VirtualAddress, record.VirtualPort);
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
}
