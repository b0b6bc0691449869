using LvsNet.Core.Neighbours;
using LvsNet.Core.Runtime;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Core.DataPath.Ipv6;

/// <summary>
/// Neighbour discovery for the IPv6 VIPs, FULLNAT local addresses and HA floating addresses, the
/// counterpart of the ARP handler: answers solicitations for them while active (sent to their
/// solicited-node groups or to the address itself), passes
/// advertisements to <see cref="Ipv6NeighbourTable"/> (which learns only what it asked for), and
/// announces them with unsolicited advertisements when a snapshot brings them.
/// </summary>
internal sealed class NeighborDiscoveryHandler
{
    private readonly Ipv6NeighbourTable _neighbours;
    private readonly DataPathCounters _counters;
    private readonly DataPathState _state;
    private readonly Egress _egress;

    public NeighborDiscoveryHandler(Ipv6NeighbourTable neighbours, DataPathCounters counters, DataPathState state, Egress egress)
    {
        _neighbours = neighbours;
        _counters = counters;
        _state = state;
        _egress = egress;
    }

    /// <summary>A neighbour solicitation or advertisement (the upper layer at <paramref name="offset"/> of <paramref name="ip"/>).</summary>
    public void Handle(EthernetHeader eth, Ipv6Header ip, int offset, LvsSnapshot snapshot)
    {
        if (!NeighborDiscovery.TryParse(ip, ip.Packet.Slice(offset), out var message))
        {
            _counters.Drop(DropReason.NeighborDiscoveryInvalid);
            return;
        }

        if (message.Type == Icmpv6.NeighborAdvertisement)
        {
            if (Learn(in message, eth.Destination) == NeighborAdvertisementOutcome.Refused && AdvertisementSeen is null)
            {
                _counters.Drop(DropReason.NeighborAdvertisementRefused);
            }

            if (eth.Destination == _egress.Mac)
            {
                AdvertisementSeen?.Invoke(message);
            }

            return;
        }

        // A solicitation goes to the target's solicited-node group or to the target itself (RFC 4861 §7.1.1 implied by §7.2.2).
        var target = message.Target;
        if (!snapshot.IsOwnedAddress6(target) || (ip.Destination != target && ip.Destination != target.SolicitedNode))
        {
            _counters._ignored++;
            return;
        }

        if (!_state.Active)
        {
            _counters.Drop(DropReason.Standby);
            return;
        }

        // RFC 4861 §7.2.4: to the solicitation's source, solicited; to all nodes when the source is
        // unspecified (someone's duplicate address detection for a VIP: it learns the VIP is taken).
        var fromDad = ip.Source.IsUnspecified;
        var destination = fromDad ? Ipv6Address.AllNodes : ip.Source;
        var destinationMac = fromDad ? Ipv6Address.AllNodes.MulticastMac() : !message.LinkLayerAddress.IsZero ? message.LinkLayerAddress : eth.Source;
        var length = NeighborDiscovery.WriteFrame(_egress.Scratch, Icmpv6.NeighborAdvertisement, destinationMac, _egress.Mac, target, destination, target, solicited: !fromDad, overrideFlag: true);
        if (_egress.Send(_egress.Scratch.Slice(0, length)))
        {
            _counters._neighborAdvertisementsSent++;
        }
    }

    /// <summary>
    /// With several capture workers: raised on worker 0 (the steering program sends neighbour
    /// discovery there) for every valid advertisement to the director's MAC, so that the others
    /// judge it against their own outstanding solicitations (<see cref="Learn"/>). A refusal is then
    /// not counted here, since another worker may have asked.
    /// </summary>
    public Action<NeighborDiscoveryMessage>? AdvertisementSeen { get; init; }

    /// <summary>An advertisement (captured here or passed on by worker 0) judged by this worker's neighbour table; frames held for the neighbour leave.</summary>
    public NeighborAdvertisementOutcome Learn(in NeighborDiscoveryMessage advertisement, MacAddress ethernetDestination)
    {
        var released = _neighbours.Released;
        var outcome = _neighbours.Learn(advertisement, ethernetDestination, _state.Now);

        // Frames held for the neighbour left now: they count as forwarded, as with ARP.
        _counters._forwarded += _neighbours.Released - released;
        return outcome;
    }

    /// <summary>
    /// Unsolicited advertisements (to all nodes, override set) for every IPv6 VIP, local address and floating address,
    /// <paramref name="count"/> rounds, so neighbours that cached another MAC for it update (RFC 4861
    /// §7.2.6): on a new snapshot, and as a new master's burst beside its gratuitous ARPs (keepalived's
    /// garp_master_repeat for unsolicited NAs), without which clients would send to the old master's MAC
    /// until their neighbour entry went stale and failed its probes.
    /// </summary>
    public void Announce(Ipv6Address[] addresses, int count = 1)
    {
        for (var round = 0; round < count; round++)
        {
            foreach (var vip in addresses)
            {
                var length = NeighborDiscovery.WriteFrame(_egress.Scratch, Icmpv6.NeighborAdvertisement, Ipv6Address.AllNodes.MulticastMac(), _egress.Mac, vip, Ipv6Address.AllNodes, vip, solicited: false, overrideFlag: true);
                if (_egress.Send(_egress.Scratch.Slice(0, length)))
                {
                    _counters._unsolicitedAdvertisementsSent++;
                }
            }
        }
    }
}
