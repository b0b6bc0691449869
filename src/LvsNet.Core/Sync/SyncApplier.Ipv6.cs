using LvsNet.Core.Connections;
using LvsNet.Core.Runtime;
using LvsNet.Packets;

namespace LvsNet.Core.Sync;

/// <summary>
/// The backup side for IPv6 records (<c>struct ip_vs_sync_v6</c>): the same rules as for IPv4
/// (ip_vs_proc_conn), applied to the IPv6 connection table: an existing connection whose real
/// server differs is replaced unless the record is inactive, an existing one takes the state and
/// timeout, a new one is bound to the server found by (service, server address and port);
/// templates are found and created by the masked client address.
/// </summary>
public static partial class SyncApplier
{
    /// <summary>Applies one IPv6 record to <paramref name="table"/>.</summary>
    public static SyncApplyResult Apply6(Ipv6ConnectionTable table, LvsSnapshot snapshot, RealServerState?[] servers, ConnectionTimeouts timeouts, uint now, in SyncConnection record, int threshold)
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
            var sameServer = current is not null && current.IsIpv6 && current.Address6 == record.ServerAddress6 && current.Port == record.ServerPort;
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
        return result;
    }

    private static RealServerState? FindServer6(LvsSnapshot snapshot, in SyncConnection record)
    {
        if (!snapshot.ServicesByKey.TryGetValue(new ServiceKey(record.Protocol, 0, record.VirtualPort, 0, record.VirtualAddress6), out var service))
        {
            return null;
        }

        foreach (var server in service.Servers)
        {
            if (server.IsIpv6 && server.Address6 == record.ServerAddress6 && server.Port == record.ServerPort)
            {
                return server;
            }
        }

        return null;
    }
}
