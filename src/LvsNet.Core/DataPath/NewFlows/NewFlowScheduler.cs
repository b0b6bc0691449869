using System.Runtime.CompilerServices;
using LvsNet.Core.Configuration;
using LvsNet.Core.Connections;
using LvsNet.Core.DataPath.Defence;
using LvsNet.Core.DataPath.Icmp;
using LvsNet.Core.Runtime;
using LvsNet.Core.Scheduling;
using LvsNet.Packets;
using Microsoft.Extensions.Logging;

namespace LvsNet.Core.DataPath.NewFlows;

/// <summary>
/// A flow the table does not know yet: finds its virtual service, asks the scheduler (or a
/// persistence template) for a real server, takes a FULLNAT local port, and creates the
/// connection. One-packet scheduling picks a server for one datagram without an entry. When no
/// server is available the client gets ICMP port unreachable, as IPVS sends it.
/// </summary>
internal sealed partial class NewFlowScheduler
{
    private readonly ConnectionTable _table;
    private readonly DataPathCounters _counters;
    private readonly DataPathState _state;
    private readonly IcmpErrorSender _icmpErrors;
    private readonly FloodDefence _defence;
    private readonly ILogger _logger;
    private readonly bool _sharedSchedulers;
    private uint _lastTableFullWarning;

    public NewFlowScheduler(ConnectionTable table, DataPathCounters counters, DataPathState state, IcmpErrorSender icmpErrors, FloodDefence defence, ILogger logger, bool sharedSchedulers)
    {
        _defence = defence;
        _table = table;
        _counters = counters;
        _state = state;
        _icmpErrors = icmpErrors;
        _logger = logger;
        _sharedSchedulers = sharedSchedulers;
    }

    /// <summary>
    /// The virtual service of a flow, in the kernel's order (ip_vs_service_find): the firewall-mark
    /// service of the packet's mark when a rule marks it, else its exact port, else a port-0 ("any
    /// port") service of the same VIP and protocol.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VirtualServiceState? FindService(in ConnectionKey key, LvsSnapshot snapshot)
    {
        var services = snapshot.ServicesByKey;
        VirtualServiceState? service;
        if (snapshot.FirewallMarks is { } marks && FindMarked(marks, in key, services) is { } marked)
        {
            return marked;
        }

        if (services.TryGetValue(new ServiceKey(key.Protocol, key.VirtualAddress, key.VirtualPort), out service))
        {
            return service;
        }

        return snapshot.HasPortZeroServices && services.TryGetValue(new ServiceKey(key.Protocol, key.VirtualAddress, 0), out service) ? service : null;
    }

    // Only configurations with firewall_marks get here; the address:port lookup above stays as it was.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static VirtualServiceState? FindMarked(FirewallMarkTable marks, in ConnectionKey key, System.Collections.Frozen.FrozenDictionary<ServiceKey, VirtualServiceState> services)
    {
        var mark = marks.Classify(key.Protocol, key.VirtualAddress, key.VirtualPort);
        return mark != 0 && services.TryGetValue(ServiceKey.ForMark(mark), out var service) ? service : null;
    }

    /// <summary>Schedules a new flow and creates its connection; every refusal is counted (and answered where IPVS answers).</summary>
    /// <returns>The new entry's index, or -1.</returns>
    public int Create(ReadOnlySpan<byte> frame, Ipv4Header ip, in ConnectionKey key, LvsSnapshot snapshot, out RealServerState? server)
    {
        server = null;
        var service = FindService(in key, snapshot);
        if (service is null)
        {
            _counters.Drop(DropReason.NoService);
            return -1;
        }

        if (_defence.ShouldDropNewConnection())
        {
            _counters.Drop(DropReason.DefenceDropPacket);
            return -1;
        }

        var template = -1;
        server = service.Config.PersistenceTimeout is null
            ? Schedule(in key, service)
            : SchedulePersistent(in key, service, out template);
        if (server is null)
        {
            if (template != -2)
            {
                RefuseNoDestination(frame, ip);
            }

            return -1;
        }

        var localAddress = 0u;
        if (server.Method == ForwardingMethod.FullNat && !TryPickLocalAddress(in key, service, out localAddress))
        {
            _counters.Drop(DropReason.NoLocalPort);
            return -1;
        }

        var flags = server.Method is ForwardingMethod.DirectRouting or ForwardingMethod.Tunnel ? ConnectionFlags.NoOutput : ConnectionFlags.None;
        if (localAddress != 0 && !(service.Config.Toa && key.Protocol == IpProtocol.Tcp))
        {
            // Decided once here, so that established packets never look the service up again.
            flags |= ConnectionFlags.ToaDone;
        }

        var now = _state.Now;
        var index = _table.Insert(in key, server.Id, flags, now);
        if (index < 0 && key.Protocol == IpProtocol.Tcp && snapshot.Config.Connections.DropEntry != 0 && _table.TryEvictHalfOpen(_state.Servers))
        {
            // Full, with drop_entry on: a half-open entry (what a SYN flood leaves) makes room before a new flow is refused.
            index = _table.Insert(in key, server.Id, flags, now);
        }

        if (index < 0)
        {
            _counters.Drop(DropReason.TableFull);
            WarnTableFull();
            return -1;
        }

        if (localAddress != 0)
        {
            // A free port was seen above; the bind cannot fail on this thread.
            _table.TryBindLocal(index, localAddress);
        }

        if (template >= 0)
        {
            _table.Attach(index, template, now);
        }

        server.OnConnectionCreated();
        _counters._connectionsCreated++;
        return index;
    }

    /// <summary>One-packet scheduling: a server for one datagram, counted as a connection that lives for that packet (as IPVS counts OPS connections).</summary>
    /// <returns>The server, or null (counted).</returns>
    public RealServerState? ScheduleOnePacket(ReadOnlySpan<byte> frame, Ipv4Header ip, in ConnectionKey key, VirtualServiceState service)
    {
        if (_defence.ShouldDropNewConnection())
        {
            _counters.Drop(DropReason.DefenceDropPacket);
            return null;
        }

        var template = -1;
        var server = service.Config.PersistenceTimeout is null
            ? Schedule(in key, service)
            : SchedulePersistent(in key, service, out template);
        if (server is null)
        {
            if (template != -2)
            {
                RefuseNoDestination(frame, ip);
            }

            return null;
        }

        if (template >= 0)
        {
            _table.RefreshTemplate(template, _state.Now);
        }

        server.OnConnectionCreated();
        server.OnConnectionFreed(wasActive: false);
        _counters._connectionsCreated++;
        return server;
    }

    /// <summary>
    /// Asks the service's scheduler. Schedulers keep state (rr's cursor, wrr's current weight,
    /// lblc's cache); with several workers they share it under the service's lock, as IPVS takes
    /// its per-service scheduler lock. Only new connections pay for it.
    /// </summary>
    private RealServerState? Schedule(in ConnectionKey key, VirtualServiceState service)
    {
        var flow = new FlowInfo(key.Protocol, key.ClientAddress, key.ClientPort, key.VirtualAddress, key.VirtualPort);
        if (!_sharedSchedulers)
        {
            return service.Scheduler.Schedule(flow);
        }

        lock (service)
        {
            return service.Scheduler.Schedule(flow);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void RefuseNoDestination(ReadOnlySpan<byte> frame, Ipv4Header ip)
    {
        _icmpErrors.Send(frame, ip, IcmpHeader.TypeDestinationUnreachable, IcmpHeader.CodePortUnreachable);
        _counters.Drop(DropReason.NoDestination);
    }

    /// <summary>
    /// FULLNAT: the local address a new connection comes from. The client's address and port pick
    /// the first candidate (so one client's connections spread over the pool without shared
    /// state); an address whose ports are all in use passes to the next one.
    /// </summary>
    private bool TryPickLocalAddress(in ConnectionKey key, VirtualServiceState service, out uint localAddress)
    {
        var pool = service.Config.LocalAddresses;
        if (!pool.IsEmpty)
        {
            var start = (int)(ConnectionKey.Hash(key.Protocol, key.ClientAddress, key.ClientPort) % (uint)pool.Length);
            for (var i = 0; i < pool.Length; i++)
            {
                localAddress = pool[(start + i) % pool.Length];
                if (_table.LocalPorts.HasFreePort(key.Protocol, localAddress))
                {
                    return true;
                }
            }
        }

        localAddress = 0;
        return false;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void WarnTableFull()
    {
        var now = _state.Now;
        if (_lastTableFullWarning == 0 || (int)(now - _lastTableFullWarning) >= 10 * ConnectionClock.TicksPerSecond)
        {
            _lastTableFullWarning = now == 0 ? 1u : now;
            DataPathLog.TableFull(_logger, _table.Capacity);
        }
    }
}
