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
/// time (as in the kernel without sync_refresh_period). Thread contract: the owning capture thread.
/// </remarks>
public sealed class SyncProducer
{
    private readonly SpscRing<SyncConnection> _queue;
    private readonly SyncCounters _counters;
    private int _resyncCursor;
    private uint _resyncTick;
    private bool _resyncStarted;

    /// <summary>Creates the producer of one worker.</summary>
    public SyncProducer(SyncHub hub, int worker)
    {
        ArgumentNullException.ThrowIfNull(hub);
        _queue = hub.Outbound[worker];
        _counters = hub.Counters;
    }

    /// <summary>A client packet was counted on connection <paramref name="index"/>: queues it (and its template) when due.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void OnClientPacket(ConnectionTable table, int index, RealServerState?[] servers, SyncMasterSettings settings)
    {
        ref var entry = ref table.Mutable(index);
        if (Needed(ref entry, entry.InPackets, settings))
        {
            Enqueue(in entry, servers);
        }

        if (entry.Control >= 0)
        {
            ref var template = ref table.Mutable(entry.Control);
            template.InPackets++;
            if (Needed(ref template, template.InPackets, settings))
            {
                Enqueue(in template, servers);
            }
        }
    }

    /// <summary>The kernel's decision for one entry (without sync_refresh_period); records the state it syncs.</summary>
    public static bool Needed(ref ConnectionEntry entry, uint packets, SyncMasterSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var template = (entry.Flags & ConnectionFlags.Template) != 0;
        if (!template && entry.Protocol == IpProtocol.Tcp)
        {
            if (entry.State is not (ConnectionState.Established or ConnectionState.FinWait or ConnectionState.Close
                or ConnectionState.CloseWait or ConnectionState.TimeWait))
            {
                return false;
            }

            if (entry.State != entry.SyncedState && entry.State != ConnectionState.Established)
            {
                entry.SyncedState = entry.State;
                return true;
            }
        }

        if (settings.Period > 0)
        {
            if (!template && packets % (uint)settings.Period != (uint)settings.Threshold)
            {
                return false;
            }
        }
        else if (packets != (uint)settings.Threshold)
        {
            return false;
        }

        entry.SyncedState = entry.State;
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

        var template = (entry.Flags & ConnectionFlags.Template) != 0;
        var flags = SyncHub.ForwardFlags(server.Method);
        if ((entry.Flags & ConnectionFlags.NoOutput) != 0)
        {
            flags |= IpvsConnectionFlags.NoOutput;
        }

        if ((entry.Flags & ConnectionFlags.Active) == 0)
        {
            flags |= IpvsConnectionFlags.Inactive;
        }

        ushort state;
        if (template)
        {
            flags |= IpvsConnectionFlags.Template;
            state = (ushort)((entry.Flags & ConnectionFlags.Assured) != 0 ? 1 : 0);
        }
        else
        {
            // IPVS numbers the one UDP state 0 (IP_VS_UDP_S_NORMAL); LvsNet keeps it apart from TCP's.
            state = entry.State == ConnectionState.Udp ? (ushort)0 : (ushort)entry.State;
        }

        record = new SyncConnection(
            entry.Protocol,
            flags,
            state,
            entry.ClientAddress,
            entry.ClientPort,
            entry.VirtualAddress,
            entry.VirtualPort,
            server.Address,
            server.Port,
            Fwmark: 0,
            TimeoutSeconds: entry.TimeoutTicks / ConnectionClock.TicksPerSecond)
        {
            LocalAddress = entry.LocalAddress,
            LocalPort = entry.LocalPort,
            ToaDone = (entry.Flags & ConnectionFlags.ToaDone) != 0,
        };
        return true;
    }

    /// <summary>
    /// The periodic full resync (LvsNet's, off in IPVS): once per tick, walks the next slice of the
    /// table so that the whole table is walked once per <see cref="SyncMasterSettings.ResyncPeriodTicks"/>,
    /// and queues every connection in a state the sync carries and every template, at most
    /// <see cref="SyncMasterSettings.ResyncRate"/> records a second (a larger table takes longer
    /// than the period). A backup that starts late or restarts so learns the idle connections too.
    /// </summary>
    public void Resync(ConnectionTable table, RealServerState?[] servers, SyncMasterSettings settings, uint now)
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
        var highWater = table.HighWater;
        var slots = (int)Math.Min(highWater, (((long)highWater * elapsed) + settings.ResyncPeriodTicks - 1) / settings.ResyncPeriodTicks);
        var budget = (int)Math.Max(1, (long)settings.ResyncRate * elapsed / ConnectionClock.TicksPerSecond);
        long queued = 0;
        for (var visited = 0; visited < slots && budget > 0; visited++)
        {
            if (_resyncCursor >= highWater)
            {
                _resyncCursor = 0;
            }

            ref var entry = ref table.Mutable(_resyncCursor++);
            if (entry.InUse && Carried(in entry) && TryDescribe(in entry, servers, out var record))
            {
                budget--;
                if (_queue.TryEnqueue(record))
                {
                    queued++;
                }
                else
                {
                    SyncCounters.Add(ref _counters._queueDropped);
                }
            }
        }

        if (queued > 0)
        {
            SyncCounters.Add(ref _counters._resyncRecords, queued);
        }
    }

    // What a resync sends: templates, UDP, and TCP in the states the packet triggers sync.
    private static bool Carried(in ConnectionEntry entry) =>
        (entry.Flags & ConnectionFlags.Template) != 0
        || entry.Protocol != IpProtocol.Tcp
        || entry.State is ConnectionState.Established or ConnectionState.FinWait or ConnectionState.Close or ConnectionState.CloseWait or ConnectionState.TimeWait;

    private void Enqueue(in ConnectionEntry entry, RealServerState?[] servers)
    {
        if (TryDescribe(in entry, servers, out var record) && !_queue.TryEnqueue(record))
        {
            SyncCounters.Add(ref _counters._queueDropped);
        }
    }
}
