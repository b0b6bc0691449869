using System.Runtime.CompilerServices;
using LvsNet.Core.Connections;
using LvsNet.Packets;

namespace LvsNet.Core.Sync;

/// <summary>
/// The master side on one capture thread: after each client packet of a connection, decides with
/// the kernel's rules (ip_vs_sync_conn_needed) whether the connection, then its persistence
/// template, is due for a sync, and queues the record for the sync thread. No allocation, no lock,
/// no wait: a full queue drops the record and counts it.
/// </summary>
/// <remarks>
/// The triggers: TCP only in ESTABLISHED, FIN_WAIT, CLOSE, CLOSE_WAIT and TIME_WAIT; a change to a
/// state other than ESTABLISHED is sent at once; otherwise (and for UDP) when
/// <c>in_pkts % period == threshold</c> (period 0: only at <c>in_pkts == threshold</c>). A template
/// counts one packet for every packet of a connection it controls and, with a period, is sent each
/// time (as in the kernel without sync_refresh_period; with one, the time rule below limits both).
/// Thread contract: the owning capture thread.
/// </remarks>
public sealed partial class SyncProducer
{
    private readonly SpscRing<SyncConnection> _queue;
    private readonly SyncCounters _counters;
    private int _resyncCursor;
    private int _resyncCursor6;
    private bool _resyncIpv6First;
    private uint _resyncTick;
    private bool _resyncStarted;

    /// <summary>Creates the producer of one worker.</summary>
    public SyncProducer(SyncHub hub, int worker)
    {
        ArgumentNullException.ThrowIfNull(hub);
        _queue = hub.Outbound[worker];
        _counters = hub.Counters;
    }

    /// <summary>A client packet was counted on connection <paramref name="index"/> at tick <paramref name="now"/>: queues it (and its template) when due.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void OnClientPacket(ConnectionTable table, int index, RealServerState?[] servers, SyncMasterSettings settings, uint now)
    {
        ref var entry = ref table.Mutable(index);
        if (Needed(ref entry, ref table.SyncEndTime(index), entry.InPackets, now, settings))
        {
            Enqueue(in entry, servers);
        }

        if (entry.Control >= 0)
        {
            ref var template = ref table.Mutable(entry.Control);
            template.InPackets++;
            if (Needed(ref template, ref table.SyncEndTime(entry.Control), template.InPackets, now, settings))
            {
                Enqueue(in template, servers);
            }
        }
    }

    /// <summary>The kernel's decision without sync_refresh_period (no time memory needed); records the state it syncs.</summary>
    public static bool Needed(ref ConnectionEntry entry, uint packets, SyncMasterSettings settings)
    {
        var syncEnd = 0u;
        return Needed(ref entry, ref syncEnd, packets, now: 0, settings);
    }

    /// <summary>
    /// The kernel's decision (ip_vs_sync_conn_needed) for one entry after its client packet number
    /// <paramref name="packets"/> at tick <paramref name="now"/>; when it says yes, records the
    /// state it syncs and, in <paramref name="syncEnd"/>, the expiry it reports and the retries.
    /// </summary>
    /// <remarks>
    /// With a refresh period, an unchanged connection is sent only when its expiry moved by at
    /// least min(refresh period, max(timeout ÷ 2, 10 s)) since the last sync, or as one of
    /// <see cref="SyncMasterSettings.Retries"/> retries, each at least a refresh period ÷ 8 after
    /// that sync; the packet count rule then still applies (<c>period</c> 0: no packet rule at all).
    /// <paramref name="syncEnd"/> holds the expiry in quarter ticks with the retry count in its low
    /// 2 bits, as the kernel keeps it in sync_endtime's low bits.
    /// </remarks>
    public static bool Needed(ref ConnectionEntry entry, ref uint syncEnd, uint packets, uint now, SyncMasterSettings settings) =>
        Needed((entry.Flags & ConnectionFlags.Template) != 0, entry.Protocol, entry.State, ref entry.SyncedState, entry.TimeoutTicks, ref syncEnd, packets, now, settings);

    /// <summary>The same decision over the fields it reads (both families' entries keep them).</summary>
    internal static bool Needed(bool template, IpProtocol protocol, ConnectionState state, ref ConnectionState syncedState, uint timeoutTicks, ref uint syncEnd, uint packets, uint now, SyncMasterSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var reported = ConnectionTable.SyncEndAt(now + timeoutTicks);
        if (!template && protocol == IpProtocol.Tcp)
        {
            if (state is not (ConnectionState.Established or ConnectionState.FinWait or ConnectionState.Close
                or ConnectionState.CloseWait or ConnectionState.TimeWait))
            {
                return false;
            }

            if (state != syncedState && state != ConnectionState.Established)
            {
                syncedState = state;
                syncEnd = reported;
                return true;
            }
        }

        var refresh = settings.RefreshPeriodTicks;
        if (refresh > 0 && !RefreshDue(ref reported, syncEnd, timeoutTicks, refresh, settings.Retries, now))
        {
            return false;
        }

        if (settings.Period > 0)
        {
            if (!template && packets % (uint)settings.Period != (uint)settings.Threshold)
            {
                return false;
            }
        }
        else if (refresh == 0 && packets != (uint)settings.Threshold)
        {
            return false;
        }

        syncedState = state;
        syncEnd = reported;
        return true;
    }

    // sync_refresh_period's rule: false when the expiry to report is too close to the one last
    // reported and no retry is due; a retry marks its number in the low bits of what is recorded.
    private static bool RefreshDue(ref uint reported, uint last, uint timeout, uint refresh, int retries, uint now)
    {
        var moved = Math.Abs((long)((int)(reported - (last & ~3u)) >> 2));
        var least = Math.Min(refresh, Math.Max(timeout >> 1, 10u * ConnectionClock.TicksPerSecond));
        if (moved >= least)
        {
            return true;
        }

        var sent = (int)(last & 3);
        if (sent >= retries)
        {
            return false;
        }

        // The last sync was at (reported expiry − timeout); a retry waits a refresh period ÷ 8 after it.
        var retryAt = (last & ~3u) - ConnectionTable.SyncEndAt(timeout) + (ConnectionTable.SyncEndAt(refresh) >> 3);
        if ((int)(ConnectionTable.SyncEndAt(now) - retryAt) < 0)
        {
            return false;
        }

        reported |= (uint)(sent + 1);
        return true;
    }

    /// <summary>The record of an entry as the master sends it (null server: the entry is not sent).</summary>
    public static bool TryDescribe(in ConnectionEntry entry, RealServerState?[] servers, out SyncConnection record)
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

        record = new SyncConnection(
            entry.Protocol,
            flags,
            state,
            entry.ClientAddress,
            entry.ClientPort,
            entry.VirtualAddress,
            entry.VirtualPort,
            server.IsIpv6 ? 0 : server.Address,
            server.Port,
            Fwmark: server.Service.FirewallMark,
            TimeoutSeconds: entry.TimeoutTicks / ConnectionClock.TicksPerSecond)
        {
            // A tunnel from the IPv4 VIP to an IPv6 real server: the server travels in LvsNet's option.
            MixedFamily = server.IsIpv6,
            ServerAddress6 = server.IsIpv6 ? server.Address6 : default,
            LocalAddress = entry.LocalAddress,
            LocalPort = entry.LocalPort,
            ToaDone = (entry.Flags & ConnectionFlags.ToaDone) != 0,
        };
        return true;
    }

    // The record's connection flags and state, for an IPv4 or an IPv6 entry alike: the forwarding
    // method's flag, NoOutput and Inactive as the entry has them, and for a template the Template
    // flag with state 1 when assured.
    internal static (uint Flags, ushort State) FlagsAndState(ConnectionFlags entryFlags, ConnectionState entryState, Configuration.ForwardingMethod method)
    {
        var flags = SyncHub.ForwardFlags(method);
        if ((entryFlags & ConnectionFlags.NoOutput) != 0)
        {
            flags |= IpvsConnectionFlags.NoOutput;
        }

        if ((entryFlags & ConnectionFlags.Active) == 0)
        {
            flags |= IpvsConnectionFlags.Inactive;
        }

        if ((entryFlags & ConnectionFlags.Template) != 0)
        {
            return (flags | IpvsConnectionFlags.Template, (ushort)((entryFlags & ConnectionFlags.Assured) != 0 ? 1 : 0));
        }

        // IPVS numbers the one UDP state 0 (IP_VS_UDP_S_NORMAL); LvsNet keeps it apart from TCP's.
        return (flags, entryState == ConnectionState.Udp ? (ushort)0 : (ushort)entryState);
    }

    /// <summary>
    /// The periodic full resync (LvsNet's, off in IPVS): once per tick, walks the next slice of the
    /// IPv4 table and of the IPv6 table so that each is walked once per
    /// <see cref="SyncMasterSettings.ResyncPeriodTicks"/>, and queues every connection in a state the
    /// sync carries and every template, at most <see cref="SyncMasterSettings.ResyncRate"/> records a
    /// second for both tables together (a larger table takes longer than the period). A backup that
    /// starts late or restarts so learns the idle connections too.
    /// </summary>
    /// <remarks>
    /// The two tables share the tick's budget; which one is walked first alternates from tick to
    /// tick, so a large IPv4 table that uses up every budget does not starve the IPv6 one.
    /// </remarks>
    public void Resync(ConnectionTable table, Ipv6ConnectionTable? table6, RealServerState?[] servers, SyncMasterSettings settings, uint now)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(settings);
        if (!_resyncStarted)
        {
            _resyncStarted = true;
            _resyncTick = now;
            return;
        }

        var elapsed = now - _resyncTick;
        if (elapsed == 0 || (int)elapsed < 0)
        {
            return;
        }

        _resyncTick = now;
        elapsed = Math.Min(elapsed, settings.ResyncPeriodTicks);
        var budget = (int)Math.Max(1, (long)settings.ResyncRate * elapsed / ConnectionClock.TicksPerSecond);
        long queued = 0;
        _resyncIpv6First = !_resyncIpv6First && table6 is not null;
        if (_resyncIpv6First)
        {
            queued += ResyncSlice6(table6!, servers, Slots(table6!.HighWater, elapsed, settings), ref budget, now);
            queued += ResyncSlice(table, servers, Slots(table.HighWater, elapsed, settings), ref budget);
        }
        else
        {
            queued += ResyncSlice(table, servers, Slots(table.HighWater, elapsed, settings), ref budget);
            if (table6 is not null)
            {
                queued += ResyncSlice6(table6, servers, Slots(table6.HighWater, elapsed, settings), ref budget, now);
            }
        }

        if (queued > 0)
        {
            SyncCounters.Add(ref _counters._resyncRecords, queued);
        }
    }

    // The slice of a table with highWater slots that walks it once per resync period.
    private static int Slots(int highWater, uint elapsed, SyncMasterSettings settings) =>
        (int)Math.Min(highWater, (((long)highWater * elapsed) + settings.ResyncPeriodTicks - 1) / settings.ResyncPeriodTicks);

    private long ResyncSlice(ConnectionTable table, RealServerState?[] servers, int slots, ref int budget)
    {
        var highWater = table.HighWater;
        long queued = 0;
        for (var visited = 0; visited < slots && budget > 0; visited++)
        {
            if (_resyncCursor >= highWater)
            {
                _resyncCursor = 0;
            }

            ref var entry = ref table.Mutable(_resyncCursor++);
            if (entry.InUse && Carried(entry.Flags, entry.Protocol, entry.State) && TryDescribe(in entry, servers, out var record))
            {
                budget--;
                queued += Queue(in record);
            }
        }

        return queued;
    }

    private long ResyncSlice6(Ipv6ConnectionTable table, RealServerState?[] servers, int slots, ref int budget, uint now)
    {
        var highWater = table.HighWater;
        long queued = 0;
        for (var visited = 0; visited < slots && budget > 0; visited++)
        {
            if (_resyncCursor6 >= highWater)
            {
                _resyncCursor6 = 0;
            }

            ref readonly var entry = ref table[_resyncCursor6++];
            if (entry.InUse && Carried(entry.Flags, entry.Protocol, entry.State) && TryDescribe6(in entry, servers, now, out var record))
            {
                budget--;
                queued += Queue(in record);
            }
        }

        return queued;
    }

    private int Queue(in SyncConnection record)
    {
        if (_queue.TryEnqueue(record))
        {
            return 1;
        }

        SyncCounters.Add(ref _counters._queueDropped);
        return 0;
    }

    // What a resync sends: templates, UDP, and TCP in the states the packet triggers sync.
    private static bool Carried(ConnectionFlags flags, IpProtocol protocol, ConnectionState state) =>
        (flags & ConnectionFlags.Template) != 0
        || protocol != IpProtocol.Tcp
        || state is ConnectionState.Established or ConnectionState.FinWait or ConnectionState.Close or ConnectionState.CloseWait or ConnectionState.TimeWait;

    private void Enqueue(in ConnectionEntry entry, RealServerState?[] servers)
    {
        if (TryDescribe(in entry, servers, out var record) && !_queue.TryEnqueue(record))
        {
            SyncCounters.Add(ref _counters._queueDropped);
        }
    }
}
