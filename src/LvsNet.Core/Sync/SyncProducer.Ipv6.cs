using System.Runtime.CompilerServices;
using LvsNet.Core.Connections;
using LvsNet.Packets;

namespace LvsNet.Core.Sync;

/// <summary>
/// The master side for IPv6 connections: the same decision (ip_vs_sync_conn_needed) over the IPv6
/// table's entries, records of type STYPE_F_INET6 (<c>struct ip_vs_sync_v6</c>).
/// </summary>
/// <remarks>
/// An IPv6 FULLNAT connection is not synced: LvsNet's local-binding option carries an IPv4 local
/// address, and a backup without the binding could not forward the replies. Nor is a connection of
/// an IPv6 VIP to an IPv4 real server (NAT64, a mixed-family tunnel): the record has one family for
/// all three addresses, and the kernel refuses mixed-family services while sync runs. The periodic
/// full resync walks the IPv4 table only.
/// </remarks>
public sealed partial class SyncProducer
{
    /// <summary>A client packet was counted on IPv6 connection <paramref name="index"/> at tick <paramref name="now"/>: queues it (and its template) when due.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void OnClientPacket6(Ipv6ConnectionTable table, int index, RealServerState?[] servers, SyncMasterSettings settings, uint now)
    {
        ArgumentNullException.ThrowIfNull(table);
        ref var entry = ref table.Mutable(index);
        if (Needed6(ref entry, entry.InPackets, now, settings))
        {
            Enqueue6(in entry, servers, now);
        }

        if (entry.ControlPlusOne != 0)
        {
            ref var template = ref table.Mutable(entry.ControlPlusOne - 1);
            template.InPackets++;
            if (Needed6(ref template, template.InPackets, now, settings))
            {
                Enqueue6(in template, servers, now);
            }
        }
    }

    /// <summary>The kernel's decision for an IPv6 entry after its client packet number <paramref name="packets"/>.</summary>
    internal static bool Needed6(ref Ipv6ConnectionEntry entry, uint packets, uint now, SyncMasterSettings settings)
    {
        var template = (entry.Flags & ConnectionFlags.Template) != 0;
        return Needed(template, entry.Protocol, entry.State, ref entry.SyncedState, TimeoutTicks(in entry, now), ref entry.SyncEnd, packets, now, settings);
    }

    /// <summary>The record of an IPv6 entry as the master sends it; false when it is not sent (no server, FULLNAT, or an IPv4 real server).</summary>
    public static bool TryDescribe6(in Ipv6ConnectionEntry entry, RealServerState?[] servers, uint now, out SyncConnection record)
    {
        ArgumentNullException.ThrowIfNull(servers);
        var id = entry.RealServerId;
        var server = (uint)id < (uint)servers.Length ? servers[id] : null;
        if (server is null || entry.LocalPort != 0 || !server.IsIpv6)
        {
            record = default;
            return false;
        }

        var (flags, state) = FlagsAndState(entry.Flags, entry.State, server.Method);

        record = new SyncConnection(
            entry.Protocol,
            flags,
            state,
            ClientAddress: 0,
            entry.ClientPort,
            VirtualAddress: 0,
            entry.VirtualPort,
            ServerAddress: 0,
            server.Port,
            Fwmark: 0,
            TimeoutSeconds: TimeoutTicks(in entry, now) / ConnectionClock.TicksPerSecond)
        {
            IsIpv6 = true,
            ClientAddress6 = entry.ClientAddress,
            VirtualAddress6 = entry.VirtualAddress,
            ServerAddress6 = server.Address6,
        };
        return true;
    }

    // The IPv6 entry keeps its expiry, not its timeout: right after a client packet re-armed it
    // (or for a template, its persistence timeout) the difference is the state's timeout.
    private static uint TimeoutTicks(in Ipv6ConnectionEntry entry, uint now) =>
        (entry.Flags & ConnectionFlags.Template) != 0 ? entry.TemplateTimeoutTicks : (uint)Math.Max(0, (int)(entry.ExpiresAt - now));

    private void Enqueue6(in Ipv6ConnectionEntry entry, RealServerState?[] servers, uint now)
    {
        if (TryDescribe6(in entry, servers, now, out var record) && !_queue.TryEnqueue(record))
        {
            SyncCounters.Add(ref _counters._queueDropped);
        }
    }
}
