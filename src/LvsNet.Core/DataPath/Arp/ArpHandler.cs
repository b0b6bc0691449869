using System.Runtime.CompilerServices;
using LvsNet.Core.Neighbours;
using LvsNet.Packets;
using LvsNet.Packets.Writing;

namespace LvsNet.Core.DataPath.Arp;

/// <summary>
/// ARP on the capture thread: passes what an ARP packet says to the <see cref="NeighbourTable"/>
/// (which decides what to learn), answers requests for the VIPs and local addresses the daemon
/// owns, announces them with gratuitous ARP, and accounts for the frames that waited for a
/// neighbour when the table releases them (forwarded; PacketProcessor counts the dropped ones).
/// </summary>
internal sealed class ArpHandler
{
    private readonly NeighbourTable _neighbours;
    private readonly FrameTransmitter _transmitter;
    private readonly Egress _egress;
    private readonly DataPathCounters _counters;
    private readonly DataPathState _state;
    private readonly Action<ArpObservation> _seen;
    private readonly HashSet<uint> _announced = [];

    public ArpHandler(NeighbourTable neighbours, FrameTransmitter transmitter, Egress egress, DataPathCounters counters, DataPathState state, Action<ArpObservation> seen)
    {
        _neighbours = neighbours;
        _transmitter = transmitter;
        _egress = egress;
        _counters = counters;
        _state = state;
        _seen = seen;
    }

    /// <summary>An ARP frame from the wire.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void Handle(EthernetHeader eth)
    {
        if (!ArpPacket.TryParse(eth.Payload, out var arp))
        {
            _counters.Drop(DropReason.MalformedArp);
            return;
        }

        // What the packet may change is the neighbour table's decision; a refusal is counted as a drop.
        var observation = ArpObservation.From(arp);
        var refusal = Learn(observation, quiet: false);
        var hostile = refusal is ArpRefusal.InvalidSenderMac or ArpRefusal.OwnSenderMac or ArpRefusal.AddressConflict;
        if (!hostile)
        {
            _seen(observation);
        }

        if (refusal != ArpRefusal.None)
        {
            _counters.Drop(refusal switch
            {
                ArpRefusal.InvalidSenderMac => DropReason.ArpInvalidSenderMac,
                ArpRefusal.OwnSenderMac => DropReason.ArpOwnSenderMac,
                ArpRefusal.AddressConflict => DropReason.ArpAddressConflict,
                ArpRefusal.UnexpectedMac => DropReason.ArpUnexpectedMac,
                ArpRefusal.StaticEntry => DropReason.ArpStaticEntry,
                _ => DropReason.ArpUnsolicited,
            });
        }

        var snapshot = _state.Snapshot;
        if (arp.Operation != ArpOperation.Request || snapshot is null || !snapshot.IsOwnedAddress(arp.TargetIp) || arp.SenderIp == arp.TargetIp
            || hostile)
        {
            if (refusal == ArpRefusal.None)
            {
                _counters._ignored++;
            }

            return;
        }

        if (!_state.Active)
        {
            // A backup (or faulty) director: the master answers for the VIPs; two answers would split the traffic.
            _counters.Drop(DropReason.Standby);
            return;
        }

        // The kernel does not hold the VIPs and local addresses, so the daemon answers for them with the NIC's MAC.
        var length = ArpWriter.WriteFrame(_egress.Scratch, eth.Source, ArpOperation.Reply, _egress.Mac, arp.TargetIp, arp.SenderMac, arp.SenderIp);
        if (_transmitter.Send(_egress.Scratch.Slice(0, length)))
        {
            _counters._arpRepliesSent++;
        }
    }

    /// <summary>
    /// Tells the neighbour table what an ARP packet claims (from this thread's capture, or passed on
    /// by the worker that received it, <paramref name="quiet"/> then: that worker counted and logged
    /// it). The table decides what it may change. The IPv4 frames the table sends meanwhile are the
    /// held frames it releases: they count as forwarded now.
    /// </summary>
    public ArpRefusal Learn(in ArpObservation arp, bool quiet)
    {
        var sent = _transmitter.Sent - _transmitter.ArpSent;
        var failed = _transmitter.Failed - _transmitter.ArpFailed;
        var refusal = _neighbours.OnArp(arp, _state.Now, quiet);
        _counters._forwarded += _transmitter.Sent - _transmitter.ArpSent - sent;
        for (var lost = _transmitter.Failed - _transmitter.ArpFailed - failed; lost > 0; lost--)
        {
            _counters.Drop(DropReason.SendFailed);
        }

        return refusal;
    }

    /// <summary>Retries pending resolutions (once per tick).</summary>
    public void Maintain() => _neighbours.Maintain(_state.Now);

    /// <summary>
    /// Announces new VIPs and local addresses with a gratuitous ARP so switches and neighbours
    /// learn the director's MAC (one worker does it: one announcement is enough).
    /// </summary>
    public void Announce(uint[] owned)
    {
        foreach (var vip in owned)
        {
            if (_announced.Add(vip))
            {
                var length = ArpWriter.WriteFrame(_egress.Scratch, MacAddress.Broadcast, ArpOperation.Request, _egress.Mac, vip, MacAddress.Zero, vip);
                if (_transmitter.Send(_egress.Scratch.Slice(0, length)))
                {
                    _counters._gratuitousArpsSent++;
                }
            }
        }

        _announced.IntersectWith(owned);
    }

    /// <summary>
    /// Announces every owned address <paramref name="count"/> times (a new master's burst, keepalived's
    /// garp_master_repeat): neighbours and switches learn the MAC of the director that took over.
    /// </summary>
    public void AnnounceBurst(uint[] owned, int count)
    {
        for (var round = 0; round < count; round++)
        {
            foreach (var address in owned)
            {
                var length = ArpWriter.WriteFrame(_egress.Scratch, MacAddress.Broadcast, ArpOperation.Request, _egress.Mac, address, MacAddress.Zero, address);
                if (_transmitter.Send(_egress.Scratch.Slice(0, length)))
                {
                    _counters._gratuitousArpsSent++;
                }
            }
        }

        _announced.UnionWith(owned);
    }
}
