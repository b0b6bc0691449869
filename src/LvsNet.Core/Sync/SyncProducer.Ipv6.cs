using System.Runtime.CompilerServices;
using LvsNet.Core.Connections;
using LvsNet.Packets;

namespace LvsNet.Core.Sync;

/// <summary>
/// The master side for IPv6 connections: the same decision (ip_vs_sync_conn_needed) over the IPv6
/// table's entries, records of type STYPE_F_INET6 (<c>struct ip_vs_sync_v6</c>).
/// </summary>
/// <remarks>
/// Every IPv6 connection is sent: an IPv6 FULLNAT one with its IPv6 local address and port in
/// LvsNet's optional IPv6 local option; a NAT64 one (IPv4 real server and IPv4 local address, held
/// IPv4-mapped in the table) with the IPv4 server in LvsNet's mandatory other-family option and the
/// IPv4 local option; a tunnel to an IPv4 real server with the other-family option alone.
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

    /// <summary>The record of an IPv6 entry as the master sends it; false when it is not sent (no server).</summary>
    public static bool TryDescribe6(in Ipv6ConnectionEntry entry, RealServerState?[] servers, uint now, out SyncConnection record)
    {
        ArgumentNullException.ThrowIfNull(servers);
        var id = entry.RealServerId;
        var server = (uint)id < (uint)servers.Length ? servers[id] : null;
        if (server is null)
        {
            record = default;
            return false;
        }

        var (flags, state) = FlagsAndState(entry.Flags, entry.State, server.Method);
        var bound = entry.LocalPort != 0;
        record = new SyncConnection(
            entry.Protocol,
            flags,
            state,
            ClientAddress: 0,
            entry.ClientPort,
            VirtualAddress: 0,
            entry.VirtualPort,
            ServerAddress: server.IsIpv6 ? 0 : server.Address,
            server.Port,
            Fwmark: server.Service.FirewallMark,
            TimeoutSeconds: TimeoutTicks(in entry, now) / ConnectionClock.TicksPerSecond)
        {
            IsIpv6 = true,
            ClientAddress6 = entry.ClientAddress,
            VirtualAddress6 = entry.VirtualAddress,
            ServerAddress6 = server.IsIpv6 ? server.Address6 : default,
            MixedFamily = !server.IsIpv6,

            // FULLNAT: the local address is of the server's family (NAT64: IPv4, kept IPv4-mapped here).
            LocalAddress = bound && !server.IsIpv6 ? (uint)entry.LocalAddress.Low : 0,
            LocalAddress6 = bound && server.IsIpv6 ? entry.LocalAddress : default,
            LocalPort = bound ? entry.LocalPort : (ushort)0,
            ToaDone = (entry.Flags & ConnectionFlags.ToaDone) != 0,
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
