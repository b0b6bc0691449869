using LvsNet.Core.Connections;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Core.DataPath.Ipv6;

/// <summary>
/// A TCP segment or UDP datagram from an IPv6 NAT real server (the director is its gateway): found
/// in the IPv6 table by the client's address and port (its destination) and confirmed by the
/// server's address and port (a FULLNAT reply: by the local address and port it is sent to), the connection's state moves with the reply direction (IPVS's output
/// table), and <see cref="Ipv6NatForwarder"/> turns the source back into VIP:vport for the client.
/// </summary>
internal sealed class Ipv6ReplyHandler
{
    private readonly Ipv6ConnectionTable _table;
    private readonly DataPathCounters _counters;
    private readonly DataPathState _state;
    private readonly Ipv6NatForwarder _nat;
    private readonly Ipv6FullNatForwarder _fullNat;

    /// <summary>ICMPv6 errors from the real servers' side (set once by the pipeline).</summary>
    public Icmpv6ErrorTranslator? Errors { get; init; }

    /// <summary>The SYN proxy, which completes the real server's half of its connections (set once by the pipeline).</summary>
    public Ipv6SynProxyHandler? SynProxy { get; init; }

    public Ipv6ReplyHandler(Ipv6ConnectionTable table, DataPathCounters counters, DataPathState state, Ipv6NatForwarder nat, Ipv6FullNatForwarder fullNat)
    {
        _fullNat = fullNat;
        _table = table;
        _counters = counters;
        _state = state;
        _nat = nat;
    }

    /// <summary>
    /// A reply that passed the IPv6 checks (not a fragment or the first fragment of a complete datagram, hop limit above 1); <paramref name="chain"/>
    /// is its walked header chain, <paramref name="fullNat"/> true when it is addressed to a FULLNAT
    /// local address (found by LIP:lport, confirmed by the real server's address and port).
    /// </summary>
    /// <returns>The connection's index when it was forwarded, else −1.</returns>
    public int Handle(ReadOnlySpan<byte> frame, int l2Length, Ipv6Header ip, in Ipv6Chain chain, bool fullNat = false)
    {
        var transport = ip.Packet.Slice(chain.UpperLayerOffset);
        ushort sourcePort;
        ushort destinationPort;
        var flags = TcpFlags.None;
        IpProtocol protocol;
        switch (chain.UpperLayer)
        {
            case (byte)IpProtocol.Tcp when TcpHeader.TryParse(transport, out var tcp):
                protocol = IpProtocol.Tcp;
                sourcePort = tcp.SourcePort;
                destinationPort = tcp.DestinationPort;
                flags = tcp.Flags;
                break;
            case (byte)IpProtocol.Udp when UdpHeader.TryParse(transport, out var udp) || (chain.IsFragment && UdpHeader.TryParseFirstFragment(transport, out udp)):
                protocol = IpProtocol.Udp;
                sourcePort = udp.SourcePort;
                destinationPort = udp.DestinationPort;
                break;
            case (byte)IpProtocol.Tcp:
                _counters.Drop(DropReason.MalformedTcp);
                return -1;
            case (byte)IpProtocol.Udp:
                _counters.Drop(DropReason.MalformedUdp);
                return -1;
            case Ipv6ExtensionHeaders.Icmpv6 when Errors is not null:
                // Errors about its connections go to the client, translated.
                Errors.HandleFromServer(frame, l2Length, ip, in chain, fullNat);
                return -1;
            default:
                _counters._ignored++;
                return -1;
        }

        var table = _table;
        var index = fullNat
            ? table.FindFullNatReply(protocol, ip.Destination, destinationPort, ip.Source, sourcePort, _state.Servers)
            : table.FindReply(protocol, ip.Destination, destinationPort, ip.Source, sourcePort, _state.Servers);
        if (index < 0)
        {
            _counters.Drop(DropReason.NoConnection);
            return -1;
        }

        ref readonly var entry = ref table[index];
        var server = _state.ServerOf(entry.RealServerId)!;
        var sequenceShift = 0u;
        if ((entry.Flags & ConnectionFlags.SynProxy) != 0 && protocol == IpProtocol.Tcp && SynProxy is { } proxy)
        {
            if ((entry.Flags & ConnectionFlags.SynProxyPending) != 0)
            {
                // The real server's half of a SYN-proxied connection is opening: its answer stays here.
                if (!chain.IsFragment && TcpHeader.TryParse(transport, out var opening))
                {
                    proxy.OnServerSegment(ip, opening, index, server);
                }
                else
                {
                    _counters.Drop(DropReason.SynProxyPending);
                }

                return -1;
            }

            sequenceShift = 0u - proxy.Shifts[index];
        }

        if (protocol == IpProtocol.Tcp)
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
            _fullNat.ForwardReply(frame, l2Length, ip, in chain, in entry, server, sequenceShift);
        }
        else
        {
            _nat.ForwardReply(frame, l2Length, ip, in chain, in entry, server, sequenceShift);
        }

        return index;
    }
}
