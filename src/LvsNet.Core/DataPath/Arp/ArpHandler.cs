using System.Runtime.CompilerServices;
using LvsNet.Core.Neighbours;
using LvsNet.Packets;
using LvsNet.Packets.Writing;

namespace LvsNet.Core.DataPath.Arp;

/// <summary>
/// ARP on the capture thread: passes what an ARP packet says to the <see cref="NeighbourTable"/>
/// (which decides what to learn), answers requests for the VIPs and local addresses the daemon
/// owns, announces them with gratuitous ARP, and accounts for the frames that waited for a
/// neighbour: forwarded when the table releases them, dropped when it gives up.
/// </summary>
internal sealed class ArpHandler
{
    private readonly NeighbourTable _neighbours;
    private readonly FrameTransmitter _transmitter;
    private readonly Egress _egress;
    private readonly DataPathCounters _counters;
    private readonly DataPathState _state;
    private readonly Action<uint, MacAddress> _seen;
    private readonly HashSet<uint> _announced = [];

    public ArpHandler(NeighbourTable neighbours, FrameTransmitter transmitter, Egress egress, DataPathCounters counters, DataPathState state, Action<uint, MacAddress> seen)
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

        Learn(arp.SenderIp, arp.SenderMac);
        _seen(arp.SenderIp, arp.SenderMac);
        var snapshot = _state.Snapshot;
        if (arp.Operation != ArpOperation.Request || snapshot is null || !snapshot.IsOwnedAddress(arp.TargetIp) || arp.SenderIp == arp.TargetIp)
        {
            _counters._ignored++;
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
    /// Tells the neighbour table what an ARP packet's sender claims (from this thread's capture, or
    /// passed on by the worker that received it). The IPv4 frames the table sends meanwhile are the
    /// held frames it releases: they count as forwarded now.
    /// </summary>
    public void Learn(uint senderIp, MacAddress senderMac)
    {
        var sent = _transmitter.Sent - _transmitter.ArpSent;
        var failed = _transmitter.Failed - _transmitter.ArpFailed;
        _neighbours.OnArp(senderIp, senderMac, _state.Now);
        _counters._forwarded += _transmitter.Sent - _transmitter.ArpSent - sent;
        for (var lost = _transmitter.Failed - _transmitter.ArpFailed - failed; lost > 0; lost--)
        {
            _counters.Drop(DropReason.SendFailed);
        }
    }

    /// <summary>Retries pending resolutions (once per tick); frames held for a neighbour that never answered count as dropped.</summary>
    public void Maintain()
    {
        var dropped = _neighbours.PendingDropped;
        _neighbours.Maintain(_state.Now);
        for (var lost = _neighbours.PendingDropped - dropped; lost > 0; lost--)
        {
            _counters.Drop(DropReason.NeighbourUnresolved);
        }
    }

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
}
