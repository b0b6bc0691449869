using LvsNet.Core.Configuration;
using LvsNet.Core.Connections;
using LvsNet.Core.DataPath.Ipv6;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Core.DataPath.Fragments;

/// <summary>
/// A complete fragmented IPv6 datagram, forwarded as <see cref="FragmentHandler"/> forwards an IPv4
/// one: the first fragment goes through the IPv6 path (connection lookup or scheduling, state, the
/// connection's method), every later fragment follows it to the same real server or client by the
/// same method. DR and TUN send each fragment as it came (hop limit − 1; TUN inside its outer
/// header), NAT and FULLNAT rewrite the addresses of each and the ports and checksum in the first
/// (<see cref="Ipv6NatRewriter"/>: the checksum covers the whole datagram, so its incremental update
/// stays right). The fragment header and the identification travel unchanged. NAT64 translates each
/// fragment into an IPv4 one (<see cref="Nat64Forwarder.ForwardFragment"/>), and the fragments of an
/// IPv4 reply to a NAT64 connection into IPv6 ones (<see cref="ForwardNat64Replies"/>).
/// </summary>
/// <remarks>
/// The first fragment must hold the whole header chain and the whole TCP header with its options
/// or the UDP header (RFC 7112 for the chain, RFC 1858 for the transport header): otherwise every
/// fragment is dropped, so that no later fragment can carry the ports the director decided on.
/// </remarks>
internal sealed class Ipv6FragmentForwarder
{
    private readonly Ipv6ConnectionTable _table;
    private readonly DataPathCounters _counters;
    private readonly DataPathState _state;
    private readonly Ipv6ClientHandler _clients;
    private readonly Ipv6ReplyHandler _replies;
    private readonly Ipv6NatForwarder _nat;
    private readonly Ipv6FullNatForwarder _fullNat;

    /// <summary>NAT64's translator, for the fragments of IPv4 replies to NAT64 connections (set once by the pipeline).</summary>
    public Nat64Forwarder Nat64 { get; init; } = null!;

    public Ipv6FragmentForwarder(Ipv6ConnectionTable table, DataPathCounters counters, DataPathState state, Ipv6ClientHandler clients, Ipv6ReplyHandler replies, Ipv6NatForwarder nat, Ipv6FullNatForwarder fullNat)
    {
        _table = table;
        _counters = counters;
        _state = state;
        _clients = clients;
        _replies = replies;
        _nat = nat;
        _fullNat = fullNat;
    }

    /// <summary>Forwards (or drops, counted) the complete datagram of <paramref name="queue"/> and releases the queue.</summary>
    public void Forward(FragmentQueues queues, int queue)
    {
        var pool = queues.Pool;
        var l2Length = queues.L2Length(queue);
        var origin = queues.Origin(queue);
        var head = queues.Head(queue);
        var first = pool.Frame(head);
        var snapshot = _state.Snapshot;
        if (snapshot is null || !TryParse(first, l2Length, out var ip, out var chain) || chain.FragmentOffset != 0)
        {
            // Cannot happen: the frame was walked when it arrived, and the snapshot never goes back to none.
            _counters.Drop(DropReason.FragmentOfDropped, queues.Release(queue));
            return;
        }

        if (!HoldsTransportHeader(ip, in chain))
        {
            _counters.Drop(DropReason.FragmentTiny, queues.Release(queue));
            return;
        }

        var tcp = chain.UpperLayer == (byte)IpProtocol.Tcp;
        var index = origin switch
        {
            FragmentOrigin.Client when tcp => _clients.HandleTcp(first, l2Length, ip, chain.UpperLayerOffset, snapshot, firstFragment: true),
            FragmentOrigin.Client => _clients.HandleUdp(first, l2Length, ip, chain.UpperLayerOffset, snapshot, firstFragment: true),
            _ => _replies.Handle(first, l2Length, ip, in chain, fullNat: origin == FragmentOrigin.FullNatReply),
        };

        if (index < 0)
        {
            // The first fragment was dropped and counted under its own reason; the rest follow it.
            _counters.Drop(DropReason.FragmentOfDropped, queues.Release(queue) - 1);
            return;
        }

        if (origin == FragmentOrigin.Client && _state.ServerOf(_table[index].RealServerId) is { IsIpv6: false, Method: ForwardingMethod.FullNat } && !Nat64Forwarder.IsTranslatableFirstFragment(ip, in chain))
        {
            // NAT64 refused the first fragment (counted Nat64FragmentUntranslatable): the others go with it.
            _counters.Drop(DropReason.Nat64FragmentUntranslatable, queues.Release(queue) - 1);
            return;
        }

        for (var buffer = pool.Next(head); buffer >= 0; buffer = pool.Next(buffer))
        {
            var frame = pool.Frame(buffer);
            ref readonly var entry = ref _table[index];
            var server = _state.ServerOf(entry.RealServerId);
            if (server is null || !TryParse(frame, l2Length, out var fragment, out var fragmentChain))
            {
                _counters.Drop(DropReason.ServerRemoved);
                continue;
            }

            switch (origin)
            {
                case FragmentOrigin.Client:
                    _clients.ForwardFragment(frame, l2Length, fragment, in fragmentChain, server, index);
                    break;
                case FragmentOrigin.NatReply:
                    _nat.ForwardReply(frame, l2Length, fragment, in fragmentChain, in entry, server);
                    break;
                default:
                    _fullNat.ForwardReply(frame, l2Length, fragment, in fragmentChain, in entry, server);
                    break;
            }
        }

        _counters._fragmentedDatagrams++;
        queues.Release(queue);
    }

    /// <summary>
    /// The fragments after the first of an IPv4 reply to a NAT64 connection (<paramref name="index"/>
    /// in the IPv6 table), whose first fragment was translated: each becomes IPv6 fragments
    /// (RFC 7915 §4.1). Releases the queue.
    /// </summary>
    public void ForwardNat64Replies(FragmentQueues queues, int queue, int index)
    {
        var pool = queues.Pool;
        var l2Length = queues.L2Length(queue);
        for (var buffer = pool.Next(queues.Head(queue)); buffer >= 0; buffer = pool.Next(buffer))
        {
            ref readonly var entry = ref _table[index];
            var server = _state.ServerOf(entry.RealServerId);
            if (server is null || !Ipv4Header.TryParse(pool.Frame(buffer).Slice(l2Length), out var fragment))
            {
                _counters.Drop(DropReason.ServerRemoved);
                continue;
            }

            Nat64.ForwardReply(pool.Frame(buffer), l2Length, fragment, in entry, server);
        }

        _counters._fragmentedDatagrams++;
        queues.Release(queue);
    }

    private static bool TryParse(ReadOnlySpan<byte> frame, int l2Length, out Ipv6Header ip, out Ipv6Chain chain)
    {
        chain = default;
        return Ipv6Header.TryParse(frame.Slice(l2Length), out ip) && Ipv6ExtensionHeaders.TryWalk(ip, out chain, out _);
    }

    /// <summary>RFC 7112 and RFC 1858: the first fragment holds the whole chain and TCP header (with its options) or UDP header.</summary>
    private static bool HoldsTransportHeader(Ipv6Header ip, in Ipv6Chain chain)
    {
        var transport = ip.Packet.Slice(chain.UpperLayerOffset);
        return chain.UpperLayer switch
        {
            (byte)IpProtocol.Tcp => TcpHeader.TryParse(transport, out _),
            (byte)IpProtocol.Udp => transport.Length >= UdpHeader.Length,
            _ => false,
        };
    }
}
