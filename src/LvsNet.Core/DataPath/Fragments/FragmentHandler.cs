using LvsNet.Core.Connections;
using LvsNet.Core.DataPath.Forwarding;
using LvsNet.Core.DataPath.Inbound;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Core.DataPath.Fragments;

/// <summary>
/// Fragmented TCP and UDP datagrams, to a VIP or back from a real server: their fragments are held
/// (<see cref="FragmentQueues"/>) until the datagram is complete and valid, then the first fragment
/// goes through the normal path (connection lookup or scheduling, state, forwarding) and every
/// other fragment follows it to the same real server or client by the same method. Fragments are
/// forwarded as they came, not merged: each already fits the MTU, so nothing has to be fragmented
/// again; DR and TUN send them unchanged, NAT and FULLNAT rewrite the addresses of each and the
/// ports and transport checksum in the first (the incremental update of the checksum, which covers
/// the whole datagram, stays right). docs/hardening.md says why this design. IPv6 datagrams share
/// the queues and the pool and are forwarded by <see cref="Ipv6FragmentForwarder"/>, which also
/// translates the IPv4 fragments of a reply to a NAT64 connection.
/// </summary>
/// <remarks>
/// The first fragment must hold the whole TCP or UDP header (RFC 1858): a datagram whose first
/// fragment is tiny is dropped whole, so no later fragment can change the ports or flags the
/// director decided on. Holding everything until the datagram is complete also means nothing of a
/// datagram that turns out to overlap reaches a real server, and fragments may come in any order.
/// </remarks>
internal sealed class FragmentHandler
{
    private readonly FragmentQueues _queues;
    private readonly ConnectionTable _table;
    private readonly DataPathCounters _counters;
    private readonly DataPathState _state;
    private readonly ClientPacketHandler _clients;
    private readonly ReplyHandler _replies;
    private readonly ForwarderSet _forwarders;

    public FragmentHandler(FragmentQueues queues, ConnectionTable table, DataPathCounters counters, DataPathState state, ClientPacketHandler clients, ReplyHandler replies, ForwarderSet forwarders)
    {
        _queues = queues;
        _table = table;
        _counters = counters;
        _state = state;
        _clients = clients;
        _replies = replies;
        _forwarders = forwarders;
    }

    /// <summary>Forwards complete IPv6 datagrams (set once at construction by the pipeline; without it IPv6 fragments are not taken).</summary>
    public Ipv6FragmentForwarder? Ipv6 { get; init; }

    /// <summary>How many datagrams are being collected.</summary>
    public int Active => _queues.Active;

    /// <summary>How long a datagram may take to arrive whole (fragments.timeout); a change applies to datagrams started after it.</summary>
    public TimeSpan Timeout
    {
        set => _queues.Timeout = value;
    }

    /// <summary>Datagrams being collected and buffers in use, for the control plane.</summary>
    public FragmentOccupancy Occupancy => new(_queues.Active, _queues.Pool.InUse, _queues.Pool.Capacity, _queues.Capacity);

    /// <summary>A TCP or UDP fragment that passed the input checks, travelling <paramref name="origin"/>'s way.</summary>
    public void Handle(ReadOnlySpan<byte> frame, int l2Length, Ipv4Header ip, FragmentOrigin origin) =>
        OnVerdict(_queues.Add(frame, l2Length, ip, origin, _state.Now, out var queue), queue);

    /// <summary>
    /// An IPv6 TCP or UDP fragment (<paramref name="chain"/>: its walked header chain, with its
    /// fragment header) that passed the IPv6 checks, travelling <paramref name="origin"/>'s way.
    /// </summary>
    public void Handle(ReadOnlySpan<byte> frame, int l2Length, Ipv6Header ip, in Ipv6Chain chain, FragmentOrigin origin)
    {
        if (Ipv6 is null)
        {
            _counters.Drop(DropReason.Fragment);
            return;
        }

        OnVerdict(_queues.Add(frame, l2Length, ip, in chain, origin, _state.Now, out var queue), queue);
    }

    private void OnVerdict(FragmentVerdict verdict, int queue)
    {
        switch (verdict)
        {
            case FragmentVerdict.Held:
                _counters._fragmentsHeld++;
                break;
            case FragmentVerdict.Complete:
                _counters._fragmentsHeld++;
                Forward(queue);
                break;
            case FragmentVerdict.Duplicate:
                _counters.Drop(DropReason.FragmentDuplicate);
                break;
            case FragmentVerdict.Overlap:
                _counters.Drop(DropReason.FragmentOverlap, 1 + _queues.Release(queue));
                break;
            case FragmentVerdict.Malformed:
                _counters.Drop(DropReason.FragmentMalformed);
                break;
            default:
                _counters.Drop(DropReason.FragmentNoBuffer);
                break;
        }
    }

    /// <summary>Drops the datagrams whose time is up; called once per tick.</summary>
    public void Expire()
    {
        var dropped = _queues.Expire(_state.Now);
        if (dropped > 0)
        {
            _counters.Drop(DropReason.FragmentTimeout, dropped);
        }
    }

    private void Forward(int queue)
    {
        if (_queues.IsIpv6(queue))
        {
            Ipv6!.Forward(_queues, queue);
            return;
        }

        var pool = _queues.Pool;
        var l2Length = _queues.L2Length(queue);
        var origin = _queues.Origin(queue);
        var head = _queues.Head(queue);
        var first = pool.Frame(head);
        var snapshot = _state.Snapshot;
        if (snapshot is null || !Ipv4Header.TryParse(first.Slice(l2Length), out var ip))
        {
            // Cannot happen: the frame was parsed when it arrived, and the snapshot never goes back to none.
            _counters.Drop(DropReason.FragmentOfDropped, _queues.Release(queue));
            return;
        }

        if (!HoldsTransportHeader(ip))
        {
            _counters.Drop(DropReason.FragmentTiny, _queues.Release(queue));
            return;
        }

        var nat64 = -1;
        var index = origin switch
        {
            FragmentOrigin.Client when ip.Protocol == IpProtocol.Tcp => _clients.HandleTcp(first, l2Length, ip, snapshot),
            FragmentOrigin.Client => _clients.HandleUdp(first, l2Length, ip, snapshot),
            _ => _replies.Handle(first, l2Length, ip, fullNat: origin == FragmentOrigin.FullNatReply, out nat64),
        };

        var rest = pool.Next(head);
        if (nat64 >= 0 && Ipv6 is not null)
        {
            // A reply to a NAT64 connection's IPv4 local address: the rest become IPv6 fragments too.
            Ipv6.ForwardNat64Replies(_queues, queue, nat64);
            return;
        }

        if (index < 0)
        {
            // The first fragment was dropped and counted under its own reason; the rest follow it.
            _counters.Drop(DropReason.FragmentOfDropped, _queues.Release(queue) - 1);
            return;
        }

        for (var buffer = rest; buffer >= 0; buffer = pool.Next(buffer))
        {
            var frame = pool.Frame(buffer);
            ref readonly var entry = ref _table[index];
            var server = _state.ServerOf(entry.RealServerId);
            if (server is null || !Ipv4Header.TryParse(frame.Slice(l2Length), out var fragment))
            {
                _counters.Drop(DropReason.ServerRemoved);
                continue;
            }

            switch (origin)
            {
                case FragmentOrigin.Client:
                    _forwarders.Forward(frame, l2Length, fragment, server, index);
                    break;
                case FragmentOrigin.NatReply:
                    _forwarders.Nat.ForwardReply(frame, l2Length, fragment, in entry, server, index);
                    break;
                default:
                    _forwarders.FullNat.ForwardReply(frame, l2Length, fragment, in entry, server, index);
                    break;
            }
        }

        _counters._fragmentedDatagrams++;
        _queues.Release(queue);
    }

    /// <summary>RFC 1858: the first fragment holds the whole transport header (for TCP with its options).</summary>
    private static bool HoldsTransportHeader(Ipv4Header ip) => ip.Protocol == IpProtocol.Tcp
        ? TcpHeader.TryParse(ip.Payload, out _)
        : ip.Payload.Length >= UdpHeader.Length;
}
