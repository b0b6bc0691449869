using LvsNet.Core.Connections;
using LvsNet.Core.DataPath.Forwarding;
using LvsNet.Core.DataPath.Icmp;
using LvsNet.Core.DataPath.SynProxy;
using LvsNet.Packets;

namespace LvsNet.Core.DataPath.Inbound;

/// <summary>
/// A reply from a real server. NAT (the director is the server's gateway): found by the client's
/// address and port (the same hash chain as the inbound key), the source becomes VIP:vport again.
/// FULLNAT (sent to a local address): found by the local address and port in the reply chain, the
/// source becomes VIP:vport and the destination the client again. Either way it then goes to the
/// client.
/// </summary>
internal sealed class ReplyHandler
{
    private readonly ConnectionTable _table;
    private readonly DataPathCounters _counters;
    private readonly DataPathState _state;
    private readonly ForwarderSet _forwarders;
    private readonly IcmpHandler _icmp;
    private readonly SynProxyHandler _synProxy;

    /// <summary>NAT64 replies: IPv4 packets to a local address that an IPv6 connection holds (set once by the pipeline).</summary>
    public Ipv6.Nat64ReplyHandler? Nat64 { get; init; }

    public ReplyHandler(ConnectionTable table, DataPathCounters counters, DataPathState state, ForwarderSet forwarders, IcmpHandler icmp, SynProxyHandler synProxy)
    {
        _synProxy = synProxy;
        _table = table;
        _counters = counters;
        _state = state;
        _forwarders = forwarders;
        _icmp = icmp;
    }

    /// <summary>
    /// A frame from a NAT real server (<paramref name="fullNat"/> false) or to a FULLNAT local address;
    /// passed the input checks. Returns the connection's index when a TCP or UDP packet was
    /// forwarded, else −1.
    /// </summary>
    public int Handle(ReadOnlySpan<byte> frame, int l2Length, Ipv4Header ip, bool fullNat) => Handle(frame, l2Length, ip, fullNat, out _);

    /// <summary>
    /// As <see cref="Handle(ReadOnlySpan{byte}, int, Ipv4Header, bool)"/>; <paramref name="nat64"/> is
    /// the IPv6 table's index of the NAT64 connection that a packet to a local address was forwarded
    /// for, else −1.
    /// </summary>
    public int Handle(ReadOnlySpan<byte> frame, int l2Length, Ipv4Header ip, bool fullNat, out int nat64)
    {
        nat64 = -1;
        ushort sourcePort;
        ushort destinationPort;
        var flags = TcpFlags.None;
        switch (ip.Protocol)
        {
            case IpProtocol.Tcp when TcpHeader.TryParse(ip.Payload, out var tcp):
                sourcePort = tcp.SourcePort;
                destinationPort = tcp.DestinationPort;
                flags = tcp.Flags;
                break;
            case IpProtocol.Udp when UdpHeader.TryParse(ip.Payload, out var udp) || (ip.IsFragment && UdpHeader.TryParseFirstFragment(ip.Payload, out udp)):
                sourcePort = udp.SourcePort;
                destinationPort = udp.DestinationPort;
                break;
            case IpProtocol.Tcp:
                _counters.Drop(DropReason.MalformedTcp);
                return -1;
            case IpProtocol.Udp:
                _counters.Drop(DropReason.MalformedUdp);
                return -1;
            case IpProtocol.Icmp:
                _icmp.HandleFromServer(frame, l2Length, ip, fullNat);
                return -1;
            default:
                _counters._ignored++;
                return -1;
        }

        var table = _table;
        var index = fullNat
            ? table.FindFullNatReply(ip.Protocol, ip.Destination, destinationPort, ip.Source, sourcePort, _state.Servers)
            : table.FindReply(ip.Protocol, ip.Destination, destinationPort, ip.Source, sourcePort, _state.Servers);
        if (index < 0)
        {
            // An IPv4 local address may serve NAT64 connections too (from the same port pool).
            if (!fullNat || Nat64 is null || !Nat64.TryHandle(frame, l2Length, ip, sourcePort, destinationPort, flags, out nat64))
            {
                _counters.Drop(DropReason.NoConnection);
            }

            return -1;
        }

        ref readonly var entry = ref table[index];
        var server = _state.ServerOf(entry.RealServerId)!;
        if ((entry.Flags & ConnectionFlags.SynProxyPending) != 0 && TcpHeader.TryParse(ip.Payload, out var opening))
        {
            // The real server's half of a SYN-proxied connection is opening: its answer stays here.
            _synProxy.OnServerSegment(ip, opening, index, server);
            return -1;
        }

        if (ip.Protocol == IpProtocol.Tcp)
        {
            table.OnReplySeen(index);
            var state = TcpStateMachine.Next(entry.State, TcpDirection.Output, flags, _state.SecureTcp);
            table.Transition(index, state, _state.Timeouts[state], _state.Now, server);
        }
        else
        {
            table.Transition(index, ConnectionState.Udp, _state.Timeouts[ConnectionState.Udp], _state.Now, server);
        }

        if (fullNat)
        {
            _forwarders.FullNat.ForwardReply(frame, l2Length, ip, in entry, server, index);
        }
        else
        {
            _forwarders.Nat.ForwardReply(frame, l2Length, ip, in entry, server, index);
        }

        return index;
    }
}
