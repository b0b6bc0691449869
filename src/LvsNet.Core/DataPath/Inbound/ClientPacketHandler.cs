using LvsNet.Core.Configuration;
using LvsNet.Core.Connections;
using LvsNet.Core.DataPath.Forwarding;
using LvsNet.Core.DataPath.NewFlows;
using LvsNet.Core.DataPath.SynProxy;
using LvsNet.Core.Runtime;
using LvsNet.Packets;

namespace LvsNet.Core.DataPath.Inbound;

/// <summary>
/// A client's TCP segment or UDP datagram to a virtual service: the connection is looked up (or
/// scheduled and created), its state moves on, and the packet goes to its real server by the
/// server's method.
/// </summary>
internal sealed class ClientPacketHandler
{
    private readonly ConnectionTable _table;
    private readonly DataPathCounters _counters;
    private readonly DataPathState _state;
    private readonly NewFlowScheduler _newFlows;
    private readonly ForwarderSet _forwarders;
    private readonly SynProxyHandler _synProxy;

    public ClientPacketHandler(ConnectionTable table, DataPathCounters counters, DataPathState state, NewFlowScheduler newFlows, ForwarderSet forwarders, SynProxyHandler synProxy)
    {
        _synProxy = synProxy;
        _table = table;
        _counters = counters;
        _state = state;
        _newFlows = newFlows;
        _forwarders = forwarders;
    }

    /// <summary>A TCP segment (or a first fragment) to a VIP; returns its connection's index when it was forwarded, else −1 (dropped and counted).</summary>
    public int HandleTcp(ReadOnlySpan<byte> frame, int l2Length, Ipv4Header ip, LvsSnapshot snapshot)
    {
        if (!TcpHeader.TryParse(ip.Payload, out var tcp))
        {
            _counters.Drop(DropReason.MalformedTcp);
            return -1;
        }

        var flags = tcp.Flags;
        if (!TcpFlagRules.IsValid(flags) || tcp.SourcePort == 0 || tcp.DestinationPort == 0)
        {
            _counters.Drop(TcpFlagRules.IsValid(flags) ? DropReason.PortZero : DropReason.InvalidTcpFlags);
            return -1;
        }

        // Only a SYN without ACK opens a connection (or reopens a closing one).
        var isSyn = TcpFlagRules.CanOpen(flags);
        var key = new ConnectionKey(IpProtocol.Tcp, ip.Source, tcp.SourcePort, ip.Destination, tcp.DestinationPort);
        var table = _table;
        var index = table.Find(key);
        RealServerState? server = null;
        if (index >= 0)
        {
            ref readonly var existing = ref table[index];
            server = _state.ServerOf(existing.RealServerId);

            // A new SYN on a tuple whose connection is closing is a new connection: reschedule it
            // at once (IPVS conn_reuse_mode 1, without the conntrack one-second stall).
            if (isSyn && (existing.State is ConnectionState.TimeWait or ConnectionState.Close
                || (_state.ExpireNodest && server is not null && server.Weight == 0)))
            {
                table.Remove(index, _state.Servers);
                _counters._connectionsReused++;
                index = -1;
            }
            else if (server is null || !server.IsAvailable)
            {
                if (!_state.ExpireNodest)
                {
                    _counters.Drop(DropReason.ServerRemoved);
                    return -1;
                }

                // expire_nodest_conn=1: forget the connection; a SYN is scheduled afresh below.
                table.Remove(index, _state.Servers);
                index = -1;
            }
        }

        if (index < 0)
        {
            if (_synProxy.Enabled && (isSyn || (flags & (TcpFlags.Syn | TcpFlags.Fin | TcpFlags.Rst)) == 0)
                && NewFlowScheduler.FindService(in key, snapshot) is { Config.SynProxy: true })
            {
                // SYN proxy: a SYN gets a cookie; only an ACK that proves one opens a connection.
                if (isSyn)
                {
                    _synProxy.AnswerSyn(frame, ip, tcp);
                }
                else
                {
                    _synProxy.Open(frame, ip, tcp, in key, snapshot);
                }

                return -1;
            }

            // sloppy_tcp (IPVS): a mid-stream segment opens a connection too, never an RST, and never
            // a SYN that cannot open one (SYN with ACK or FIN stays refused, see TcpFlagRules).
            if (!isSyn && !(_state.SloppyTcp && (flags & (TcpFlags.Syn | TcpFlags.Rst)) == 0))
            {
                _counters.Drop((flags & TcpFlags.Syn) != 0 ? DropReason.TcpCannotOpen : DropReason.NoConnection);
                return -1;
            }

            index = _newFlows.Create(frame, ip, in key, snapshot, out server);
            if (index < 0)
            {
                return -1;
            }

            // The director sees both directions of NAT and FULLNAT: time the handshake from here.
            if (server!.Method is ForwardingMethod.Nat or ForwardingMethod.FullNat)
            {
                table.MarkHandshakeStart(index, _state.Microseconds);
            }
        }

        var entryFlags = table[index].Flags;
        if ((entryFlags & ConnectionFlags.SynProxyPending) != 0)
        {
            _synProxy.OnPendingClientSegment(frame, tcp, index);
            return -1;
        }

        var direction = (entryFlags & ConnectionFlags.NoOutput) != 0 ? TcpDirection.InputOnly : TcpDirection.Input;
        var previous = table[index].State;
        var state = TcpStateMachine.Next(previous, direction, flags, _state.SecureTcp);
        table.OnClientPacket(index, state, _state.Timeouts[state], _state.Now, server);
        if (state == ConnectionState.Established && previous != ConnectionState.Established && server is not null && table.TakeHandshakeStart(index, out var synAt))
        {
            server.OnHandshake(_state.Worker, (_state.Microseconds | 1) - synAt);
        }
        if (_state.SyncMaster is { } sync)
        {
            _state.SyncProducer!.OnClientPacket(table, index, _state.Servers, sync, _state.Now);
        }

        _forwarders.Forward(frame, l2Length, ip, server!, index);
        return index;
    }

    /// <summary>A UDP datagram (or a first fragment) to a VIP; returns its connection's index when it was forwarded, else −1 (dropped and counted, or one-packet-scheduled).</summary>
    public int HandleUdp(ReadOnlySpan<byte> frame, int l2Length, Ipv4Header ip, LvsSnapshot snapshot)
    {
        if (!UdpHeader.TryParse(ip.Payload, out var udp) && !(ip.IsFragment && UdpHeader.TryParseFirstFragment(ip.Payload, out udp)))
        {
            _counters.Drop(DropReason.MalformedUdp);
            return -1;
        }

        if (udp.SourcePort == 0 || udp.DestinationPort == 0)
        {
            _counters.Drop(DropReason.PortZero);
            return -1;
        }

        var key = new ConnectionKey(IpProtocol.Udp, ip.Source, udp.SourcePort, ip.Destination, udp.DestinationPort);
        var table = _table;
        var index = table.Find(key);
        RealServerState? server = null;
        if (index >= 0)
        {
            server = _state.ServerOf(table[index].RealServerId);
            if (server is null || !server.IsAvailable)
            {
                if (!_state.ExpireNodest)
                {
                    _counters.Drop(DropReason.ServerRemoved);
                    return -1;
                }

                table.Remove(index, _state.Servers);
                index = -1;
            }
        }

        if (index < 0 && NewFlowScheduler.FindService(in key, snapshot) is { Config.OnePacketScheduling: true } opsService)
        {
            // One-packet scheduling: each datagram is scheduled on its own and no entry is kept, so
            // there is nothing for a datagram's later fragments to follow.
            if (ip.IsFragment)
            {
                _counters.Drop(DropReason.Fragment);
                return -1;
            }

            server = _newFlows.ScheduleOnePacket(frame, ip, in key, opsService);
            if (server is not null)
            {
                _forwarders.Forward(frame, l2Length, ip, server, index: -1);
            }

            return -1;
        }

        if (index < 0)
        {
            index = _newFlows.Create(frame, ip, in key, snapshot, out server);
            if (index < 0)
            {
                return -1;
            }
        }

        table.OnClientPacket(index, ConnectionState.Udp, _state.Timeouts[ConnectionState.Udp], _state.Now, server);
        if (_state.SyncMaster is { } sync)
        {
            _state.SyncProducer!.OnClientPacket(table, index, _state.Servers, sync, _state.Now);
        }

        _forwarders.Forward(frame, l2Length, ip, server!, index);
        return index;
    }
}
