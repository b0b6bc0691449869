using LvsNet.Packets;

namespace LvsNet.Core.Neighbours;

public sealed partial class NeighbourTable
{
    private static readonly int RefusalCount = Enum.GetValues<ArpRefusal>().Length;

    private readonly long[] _refused = new long[RefusalCount];
    private uint[] _ownAddresses;

    /// <summary>The number of ARP packets refused for <paramref name="reason"/> by this table.</summary>
    public long Refused(ArpRefusal reason) => Volatile.Read(ref _refused[(int)reason]);

    /// <summary>
    /// Takes the addresses the director owns (besides its own IP: VIPs and local addresses, which
    /// no other host may claim) and the configured static MACs; called when a snapshot is applied.
    /// A neighbour that loses its static MAC is resolved again by ARP.
    /// </summary>
    /// <param name="ownedAddresses">The VIPs and local addresses.</param>
    /// <param name="staticMacs">The configured MAC per address.</param>
    /// <param name="now">The current tick.</param>
    public void Configure(IReadOnlyCollection<uint> ownedAddresses, IReadOnlyDictionary<uint, MacAddress> staticMacs, uint now)
    {
        ArgumentNullException.ThrowIfNull(ownedAddresses);
        ArgumentNullException.ThrowIfNull(staticMacs);
        var own = new uint[ownedAddresses.Count + 1];
        own[0] = _ownAddress;
        var n = 1;
        foreach (var address in ownedAddresses)
        {
            own[n++] = address;
        }

        Array.Sort(own);
        _ownAddresses = own;

        for (var i = 0; i < _count; i++)
        {
            ref var slot = ref _slots[i];
            if (slot.State == NeighbourState.Permanent && !staticMacs.ContainsKey(slot.Address))
            {
                Restart(ref slot, now);
            }
        }

        foreach (var (address, mac) in staticMacs)
        {
            if (!_index.TryGetValue(address, out var i) && !TryTakeSlot(address, now, out i))
            {
                continue;
            }

            _slots[i] = new Slot { Address = address, Mac = mac, State = NeighbourState.Permanent, ConfirmedAt = now };
            Release(address, mac);
        }
    }

    /// <summary>
    /// Judges a received ARP packet: learns a MAC only when the packet answers a request this table
    /// sent (to the director's IP and MAC, within <see cref="ReplyWindowTicks"/>, and from the probed
    /// MAC when the request was unicast); treats any other claim of another MAC for a neighbour in
    /// use as a hint that starts a check of the known MAC; refuses invalid and own sender MACs and
    /// claims of the director's own addresses.
    /// </summary>
    /// <param name="arp">The packet's fields.</param>
    /// <param name="now">The current tick.</param>
    /// <param name="quiet">True for a packet another worker already judged and counted: state changes only, no counting or logging.</param>
    /// <returns>Why the packet was refused, or <see cref="ArpRefusal.None"/>.</returns>
    public ArpRefusal OnArp(in ArpObservation arp, uint now, bool quiet = false)
    {
        var refusal = Judge(arp, now);
        if (refusal != ArpRefusal.None && !quiet)
        {
            _refused[(int)refusal]++;
            ReportRefusal(refusal, arp, now);
        }

        return refusal;
    }

    private ArpRefusal Judge(in ArpObservation arp, uint now)
    {
        var mac = arp.SenderMac;

        // No host owns these (the kernel's neighbour code never learns them either).
        if (mac.IsZero || mac.IsMulticast)
        {
            return ArpRefusal.InvalidSenderMac;
        }

        if (mac == _ownMac)
        {
            return ArpRefusal.OwnSenderMac;
        }

        if (arp.SenderIp == 0)
        {
            // An address probe (RFC 5227): claims no address.
            return ArpRefusal.None;
        }

        if (Array.BinarySearch(_ownAddresses, arp.SenderIp) >= 0)
        {
            return ArpRefusal.AddressConflict;
        }

        if (!_index.TryGetValue(arp.SenderIp, out var i))
        {
            // Not a neighbour in use (a client asking for a VIP): nothing to learn, nothing refused.
            return ArpRefusal.None;
        }

        ref var slot = ref _slots[i];
        if (slot.State == NeighbourState.Permanent)
        {
            return mac == slot.Mac ? ArpRefusal.None : ArpRefusal.StaticEntry;
        }

        if (IsAnswer(arp, ref slot, now))
        {
            if (!slot.ProbedMac.IsZero && mac != slot.ProbedMac)
            {
                // The unicast request went to the known MAC only; another MAC answering it was not asked.
                return ArpRefusal.UnexpectedMac;
            }

            Learn(ref slot, mac, now);
            return ArpRefusal.None;
        }

        var known = slot.State is NeighbourState.Reachable or NeighbourState.Stale or NeighbourState.Probe;
        if (known && mac == slot.Mac)
        {
            // Consistent with what we know; it does not confirm reachability (only an answer does).
            return ArpRefusal.None;
        }

        OnHint(ref slot, now);
        return ArpRefusal.Unsolicited;
    }

    // An answer to our outstanding request: a reply, to our IP and MAC, soon enough.
    private bool IsAnswer(in ArpObservation arp, ref Slot slot, uint now) =>
        arp.Operation == ArpOperation.Reply
        && slot.Awaiting
        && arp.TargetIp == _ownAddress
        && arp.TargetMac == _ownMac
        && (int)(now - slot.LastProbeAt) <= (int)ReplyWindowTicks;

    private void Learn(ref Slot slot, MacAddress mac, uint now)
    {
        var previous = slot.State is NeighbourState.Incomplete ? MacAddress.Zero : slot.Mac;
        var changed = slot.State is NeighbourState.Incomplete or NeighbourState.Failed || previous != mac;
        slot.Mac = mac;
        slot.State = NeighbourState.Reachable;
        slot.ConfirmedAt = now;
        slot.Probes = 0;

        // The first answer wins; later answers to the same request are unsolicited (the kernel's locktime).
        slot.Awaiting = false;
        if (!previous.IsZero && previous != mac)
        {
            Log.MacChanged(_logger, slot.Address, previous, mac);
        }

        if (changed)
        {
            Resolved?.Invoke(slot.Address, mac);
        }

        Release(slot.Address, mac);
    }

    // Somebody claims another MAC for a neighbour in use: check before anything changes, at most once per retransmit interval.
    private void OnHint(ref Slot slot, uint now)
    {
        if ((int)(now - slot.LastProbeAt) < (int)RetransmitTicks)
        {
            return;
        }

        switch (slot.State)
        {
            case NeighbourState.Reachable or NeighbourState.Stale:
                StartCheck(ref slot, now);
                break;
            case NeighbourState.Failed:
                Restart(ref slot, now);
                break;

            // Incomplete and Probe already have requests out; Maintain continues them.
        }
    }
}
