using System.Buffers.Binary;
using LvsNet.Core.Connections;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Core.DataPath.Ipv6;

/// <summary>
/// An IPv4 real server's TCP or UDP reply to an IPv4 local address that no IPv4 FULLNAT connection
/// holds: a NAT64 connection's, if the IPv6 table's port map of that local address (held as its
/// IPv4-mapped form) names one whose real server is the sender. The IPv4 and the NAT64 connections
/// draw their local ports from one pool, so a port names at most one of them.
/// </summary>
internal sealed class Nat64ReplyHandler
{
    private readonly Ipv6ConnectionTable _table;
    private readonly DataPathCounters _counters;
    private readonly DataPathState _state;
    private readonly Nat64Forwarder _forwarder;

    /// <summary>The SYN proxy, which completes the IPv4 real server's half of proxied NAT64 connections (set once by the pipeline).</summary>
    public Ipv6SynProxyHandler? SynProxy { get; set; }

    public Nat64ReplyHandler(Ipv6ConnectionTable table, DataPathCounters counters, DataPathState state, Nat64Forwarder forwarder)
    {
        _table = table;
        _counters = counters;
        _state = state;
        _forwarder = forwarder;
    }

    /// <summary>The NAT64 connection of a packet from RIP:rport to LIP4:lport, or −1.</summary>
    public int Find(IpProtocol protocol, uint localAddress, ushort localPort, uint serverAddress, ushort serverPort)
    {
        var index = _table.FindLocal(protocol, Nat64Translator.MapIpv4(localAddress), localPort);
        if (index < 0)
        {
            return -1;
        }

        ref readonly var entry = ref _table[index];
        return _state.ServerOf(entry.RealServerId) is { IsIpv6: false } server
            && server.Address == serverAddress
            && (server.Port == serverPort || (server.Port == 0 && entry.VirtualPort == serverPort))
            ? index
            : -1;
    }

    /// <summary>
    /// A reply (passed the IPv4 input checks, TTL above 1) to an IPv4 local address: translated and
    /// sent to the client when it belongs to a NAT64 connection.
    /// </summary>
    /// <param name="frame">The frame.</param>
    /// <param name="l2Length">Its link-layer header's length.</param>
    /// <param name="ip">The packet, or the first fragment of a complete datagram (the caller passes the others on when <paramref name="forwarded"/> is set).</param>
    /// <param name="sourcePort">The real server's port.</param>
    /// <param name="destinationPort">The local port.</param>
    /// <param name="flags">The TCP flags.</param>
    /// <param name="forwarded">The IPv6 connection's index when the packet was forwarded, else −1.</param>
    /// <returns>False when no NAT64 connection holds it (the caller counts it).</returns>
    public bool TryHandle(ReadOnlySpan<byte> frame, int l2Length, Ipv4Header ip, ushort sourcePort, ushort destinationPort, TcpFlags flags, out int forwarded)
    {
        forwarded = -1;
        var index = Find(ip.Protocol, ip.Destination, destinationPort, ip.Source, sourcePort);
        if (index < 0)
        {
            return false;
        }

        if (ip.IsFragment && ip.Protocol == IpProtocol.Udp && BinaryPrimitives.ReadUInt16BigEndian(ip.Payload.Slice(6)) == 0)
        {
            // RFC 7915 §4.5: a fragmented IPv4 UDP datagram without a checksum is not translated
            // (its checksum would need the whole datagram before the first fragment leaves).
            _counters.Drop(DropReason.Nat64FragmentUntranslatable);
            return true;
        }

        var table = _table;
        ref readonly var entry = ref table[index];
        var server = _state.ServerOf(entry.RealServerId)!;
        var sequenceShift = 0u;
        if ((entry.Flags & ConnectionFlags.SynProxy) != 0 && ip.Protocol == IpProtocol.Tcp && SynProxy is { } proxy)
        {
            if ((entry.Flags & ConnectionFlags.SynProxyPending) != 0)
            {
                // The real server's half of a SYN-proxied connection is opening: its answer stays here.
                if (TcpHeader.TryParse(ip.Payload, out var opening))
                {
                    proxy.OnServerSegment4(ip, opening, index, server);
                }
                else
                {
                    _counters.Drop(DropReason.SynProxyPending);
                }

                return true;
            }

            sequenceShift = 0u - proxy.Shifts[index];
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

        _forwarder.ForwardReply(frame, l2Length, ip, in entry, server, sequenceShift);
        forwarded = index;
        return true;
    }

    /// <summary>
    /// An ICMPv4 error from the real servers' side (to an IPv4 local address) quoting
    /// LIP4:lport → RIP:rport: translated to ICMPv6 for the client when a NAT64 connection holds it.
    /// </summary>
    /// <returns>False when no NAT64 connection holds it (the caller counts it).</returns>
    public bool TryHandleIcmpError(ReadOnlySpan<byte> frame, int l2Length, Ipv4Header ip, IcmpHeader icmp, IpProtocol protocol, uint localAddress, ushort localPort, uint serverAddress, ushort serverPort)
    {
        var index = Find(protocol, localAddress, localPort, serverAddress, serverPort);
        if (index < 0)
        {
            return false;
        }

        ref readonly var entry = ref _table[index];
        if (ip.Ttl <= 1)
        {
            // No error about an error (RFC 4443 §2.4(e)): one that would expire here is dropped.
            _counters.Drop(DropReason.TtlExceeded);
        }
        else if (!_forwarder.ForwardIcmpError(frame, l2Length, ip, icmp, in entry, _state.ServerOf(entry.RealServerId)!))
        {
            _counters._ignored++;
        }

        return true;
    }
}
