using LvsNet.Core.Connections;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Core.Neighbours;

/// <summary>What <see cref="Ipv6NeighbourTable.Learn"/> made of a neighbour advertisement.</summary>
public enum NeighborAdvertisementOutcome
{
    /// <summary>Learnt: it answered a solicitation of ours.</summary>
    Learnt,

    /// <summary>Refused: not solicited, not for an address being resolved, or a MAC no neighbour can have.</summary>
    Refused,
}

/// <summary>
/// IPv6 neighbours (RFC 4861) of one capture thread: the real servers' MACs, resolved with neighbour
/// solicitations to their solicited-node addresses, the frames waiting for them, the retries.
/// </summary>
/// <remarks>
/// <para>Anti-poisoning, the rule the ARP side follows: a MAC is learnt only from a <em>solicited</em>
/// advertisement (S flag) sent to the director's own MAC, for an address the director is resolving
/// (an outstanding solicitation, or the periodic re-check of a known one), carrying a unicast target
/// link-layer address that is not the director's own. Unsolicited advertisements, solicitations and
/// advertisements for the director's own addresses never change an entry, so one forged frame
/// cannot re-point a real server's traffic.</para>
/// <para>Entries exist only for addresses the director resolves itself (its real servers, its
/// gateway, and on-link clients a NAT reply goes to), at most <c>capacity</c> of them, so a sender
/// cannot grow the table without bound; when full, the entry of an address that never answered or
/// is unused for <see cref="RecheckTicks"/> is taken for a new one. Thread contract: owned by one
/// capture thread; nothing allocates once the table is full or an address has its entry.</para>
/// </remarks>
public sealed class Ipv6NeighbourTable
{
    /// <summary>Solicitations sent before an address is given up (RFC 4861 MAX_MULTICAST_SOLICIT).</summary>
    public const int MaxProbes = 3;

    /// <summary>Frames held per address while it resolves.</summary>
    public const int MaxPendingPerNeighbour = 4;

    /// <summary>One solicitation per second (RFC 4861 RETRANS_TIMER).</summary>
    public static readonly uint RetransmitTicks = ConnectionClock.ToTicks(TimeSpan.FromSeconds(1));

    /// <summary>A resolved entry is re-checked with a new solicitation this often; its MAC stays in use meanwhile.</summary>
    public static readonly uint RecheckTicks = ConnectionClock.ToTicks(TimeSpan.FromSeconds(30));

    private const int SlotLength = 2048;

    private const uint NotFull = uint.MaxValue;

    // A direct-mapped cache in front of the dictionary, as the IPv4 table has: the data path asks
    // for the same few next hops on every packet. An entry that changes address leaves the cache
    // (TryTakeEntry), so a cached index stays right; a collision only costs a miss.
    private const int CacheSize = 16;
    private const int CacheMask = CacheSize - 1;

    private readonly IFrameSender _sender;
    private readonly MacAddress _mac;
    private readonly Dictionary<Ipv6Address, int> _index = [];
    private readonly List<Entry> _entries = [];
    private readonly byte[][] _slots;
    private readonly int[] _slotLengths;
    private readonly Stack<int> _freeSlots;
    private readonly byte[] _frame = new byte[NeighborDiscovery.FrameLength];
    private readonly int _capacity;
    private readonly Ipv6Address[] _cacheAddress = new Ipv6Address[CacheSize];
    private readonly int[] _cacheIndexPlusOne = new int[CacheSize];
    private Ipv6Address[] _own = [];

    // The clock hand of TryTakeEntry, and the tick of its last search that found no entry to take.
    private int _hand;
    private int _entryCount;
    private uint _fullAt = NotFull;

    /// <summary>Creates the table.</summary>
    /// <param name="sender">Where solicitations and released frames go.</param>
    /// <param name="ownMac">The capture NIC's MAC.</param>
    /// <param name="pendingFrames">Frames held in all (preallocated).</param>
    /// <param name="capacity">The most neighbours tracked; beyond it a new address is not resolved (its frames are dropped, counted by the caller).</param>
    public Ipv6NeighbourTable(IFrameSender sender, MacAddress ownMac, int pendingFrames = 64, int capacity = 4096)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _sender = sender;
        _mac = ownMac;
        LinkLocal = LinkLocalOf(ownMac);
        _slots = new byte[pendingFrames][];
        _slotLengths = new int[pendingFrames];
        _freeSlots = new Stack<int>(pendingFrames);
        for (var i = pendingFrames - 1; i >= 0; i--)
        {
            _slots[i] = new byte[SlotLength];
            _freeSlots.Push(i);
        }
    }

    /// <summary>The director's link-local address (fe80::/64 with the modified EUI-64 of its MAC, RFC 4291 appendix A), the source of its solicitations.</summary>
    public Ipv6Address LinkLocal { get; }

    /// <summary>Addresses in the table (read from another thread, it is a snapshot).</summary>
    public int Count => Volatile.Read(ref _entryCount);

    /// <summary>The most addresses the table holds.</summary>
    public int Capacity => _capacity;

    /// <summary>Solicitations sent.</summary>
    public long SolicitationsSent { get; private set; }

    /// <summary>Addresses given up after <see cref="MaxProbes"/> unanswered solicitations.</summary>
    public long Failures { get; private set; }

    /// <summary>Held frames dropped (no slot, too big, or the neighbour never answered).</summary>
    public long PendingDropped { get; private set; }

    /// <summary>Of those, frames that were held and then dropped: their neighbour never answered, or its entry went to another address.</summary>
    public long HeldDropped { get; private set; }

    /// <summary>Entries given to a new address because the table was full (their address never answered, or was unused).</summary>
    public long Reclaimed { get; private set; }

    /// <summary>Frames released after their neighbour resolved.</summary>
    public long Released { get; private set; }

    /// <summary>The fe80::/64 address with the modified EUI-64 interface identifier of <paramref name="mac"/>.</summary>
    public static Ipv6Address LinkLocalOf(MacAddress mac)
    {
        var m = mac.Value;
        var eui = ((m >> 24) << 40) | (0xFFFEUL << 24) | (m & 0xFF_FFFF);
        eui ^= 0x0200_0000_0000_0000UL;
        return new Ipv6Address(((UInt128)0xFE80_0000_0000_0000UL << 64) | eui);
    }

    /// <summary>The director's own IPv6 addresses (its VIPs): no advertisement about them is learnt.</summary>
    public void Configure(Ipv6Address[] ownAddresses) => _own = ownAddresses ?? [];

    /// <summary>The MAC of <paramref name="address"/> when known; otherwise starts resolving it (a solicitation now, retries in <see cref="Maintain"/>).</summary>
    public bool TryResolve(Ipv6Address address, uint now, out MacAddress mac)
    {
        var c = (int)address.Low & CacheMask;
        int i;
        if (_cacheIndexPlusOne[c] != 0 && _cacheAddress[c] == address)
        {
            i = _cacheIndexPlusOne[c] - 1;
        }
        else if (_index.TryGetValue(address, out i))
        {
            _cacheAddress[c] = address;
            _cacheIndexPlusOne[c] = i + 1;
        }
        else
        {
            i = -1;
        }

        if (i >= 0)
        {
            var entry = _entries[i];
            if (!entry.Mac.IsZero)
            {
                entry.UsedAt = now;
                mac = entry.Mac;
                return true;
            }

            if (entry.Probes == 0)
            {
                // Given up earlier: a new packet starts a new round.
                Solicit(entry, now);
            }
        }
        else if (_entries.Count < _capacity)
        {
            var entry = new Entry { Address = address };
            _index[address] = _entries.Count;
            _entries.Add(entry);
            _entryCount = _entries.Count;
            Solicit(entry, now);
        }
        else if (TryTakeEntry(address, now) is { } taken)
        {
            Solicit(taken, now);
        }

        mac = MacAddress.Zero;
        return false;
    }

    /// <summary>Holds a frame for <paramref name="address"/> until it resolves (at most <see cref="MaxPendingPerNeighbour"/>).</summary>
    /// <returns>False when it cannot be held (no slot, too big): the caller counts the drop.</returns>
    public bool Enqueue(Ipv6Address address, ReadOnlySpan<byte> frame)
    {
        if (!_index.TryGetValue(address, out var i) || frame.Length > SlotLength || _freeSlots.Count == 0)
        {
            PendingDropped++;
            return false;
        }

        var entry = _entries[i];
        if (entry.PendingCount == MaxPendingPerNeighbour)
        {
            PendingDropped++;
            return false;
        }

        var slot = _freeSlots.Pop();
        frame.CopyTo(_slots[slot]);
        _slotLengths[slot] = frame.Length;
        entry.Pending[entry.PendingCount++] = slot;
        return true;
    }

    /// <summary>
    /// A validated neighbour advertisement (<see cref="NeighborDiscovery.TryParse"/>) that reached
    /// this thread with Ethernet destination <paramref name="ethernetDestination"/>: learnt only under
    /// the rules in the remarks; the frames held for the address leave then.
    /// </summary>
    public NeighborAdvertisementOutcome Learn(in NeighborDiscoveryMessage advertisement, MacAddress ethernetDestination, uint now)
    {
        var mac = advertisement.LinkLayerAddress;
        if (!advertisement.Solicited || ethernetDestination != _mac || mac.IsZero || mac.IsMulticast || mac == _mac
            || Array.IndexOf(_own, advertisement.Target) >= 0
            || !_index.TryGetValue(advertisement.Target, out var i))
        {
            return NeighborAdvertisementOutcome.Refused;
        }

        var entry = _entries[i];
        if (!entry.Awaiting)
        {
            return NeighborAdvertisementOutcome.Refused;
        }

        // A known MAC changes only when the advertisement says to override it (RFC 4861 §7.2.5).
        if (entry.Mac.IsZero || advertisement.Override || entry.Mac == mac)
        {
            entry.Mac = mac;
        }

        entry.Awaiting = false;
        entry.Probes = 0;
        entry.CheckedAt = now;
        entry.UsedAt = now;
        Release(entry);
        return NeighborAdvertisementOutcome.Learnt;
    }

    /// <summary>Once per tick: retransmits outstanding solicitations, gives up after <see cref="MaxProbes"/>, re-checks known entries.</summary>
    public void Maintain(uint now)
    {
        foreach (var entry in _entries)
        {
            if (entry.Awaiting && (int)(now - entry.LastProbeAt) >= (int)RetransmitTicks)
            {
                if (entry.Probes < MaxProbes)
                {
                    Solicit(entry, now);
                }
                else
                {
                    entry.Awaiting = false;
                    entry.Probes = 0;
                    if (entry.Mac.IsZero)
                    {
                        Failures++;
                        _fullAt = NotFull;
                        DropPending(entry);
                    }
                }
            }
            else if (!entry.Awaiting && !entry.Mac.IsZero && (int)(now - entry.CheckedAt) >= (int)RecheckTicks
                && (int)(now - entry.UsedAt) < (int)RecheckTicks)
            {
                // Keep using the known MAC while asking again; only a solicited answer changes it.
                // An entry nobody used since the last check is not asked about (the kernel's STALE):
                // its next use brings it back here.
                entry.CheckedAt = now;
                Solicit(entry, now);
            }
        }
    }

    /// <summary>
    /// Gives <paramref name="address"/> the entry of an address that has never answered (still
    /// being solicited, or given up; its held frames are dropped) or has not been used for
    /// <see cref="RecheckTicks"/>; never one that answered and is in use. Without this, addresses
    /// that never answer (spoofed sources on the segment a NAT reply would go to) would hold every
    /// entry. A clock hand walks the entries, so the oldest attempt goes first; a search that finds
    /// nothing is not repeated within the tick. Null when nothing can be taken.
    /// </summary>
    private Entry? TryTakeEntry(Ipv6Address address, uint now)
    {
        if (_fullAt == now)
        {
            return null;
        }

        for (var n = 0; n < _entries.Count; n++)
        {
            var i = _hand;
            _hand = i + 1 == _entries.Count ? 0 : i + 1;
            var entry = _entries[i];
            if (!entry.Mac.IsZero && (int)(now - entry.UsedAt) < (int)RecheckTicks)
            {
                continue;
            }

            // The old address leaves the index and the cache, so nothing finds its MAC through this entry.
            _index.Remove(entry.Address);
            var c = (int)entry.Address.Low & CacheMask;
            if (_cacheAddress[c] == entry.Address)
            {
                _cacheIndexPlusOne[c] = 0;
            }

            DropPending(entry);
            entry.Address = address;
            entry.Mac = MacAddress.Zero;
            entry.Awaiting = false;
            entry.Probes = 0;
            entry.CheckedAt = 0;
            entry.UsedAt = 0;
            _index[address] = i;
            Reclaimed++;
            return entry;
        }

        _fullAt = now;
        return null;
    }

    /// <summary>The MAC known for <paramref name="address"/>, or zero.</summary>
    public MacAddress MacOf(Ipv6Address address) => _index.TryGetValue(address, out var i) ? _entries[i].Mac : MacAddress.Zero;

    private void Solicit(Entry entry, uint now)
    {
        var target = entry.Address;
        var group = target.SolicitedNode;
        var length = NeighborDiscovery.WriteFrame(_frame, Icmpv6.NeighborSolicitation, group.MulticastMac(), _mac, LinkLocal, group, target);
        _sender.Send(_frame.AsSpan(0, length));
        SolicitationsSent++;
        entry.Awaiting = true;
        entry.Probes++;
        entry.LastProbeAt = now;
    }

    private void Release(Entry entry)
    {
        for (var k = 0; k < entry.PendingCount; k++)
        {
            var slot = entry.Pending[k];
            var frame = _slots[slot].AsSpan(0, _slotLengths[slot]);
            entry.Mac.WriteTo(frame);
            if (_sender.Send(frame))
            {
                Released++;
            }
            else
            {
                PendingDropped++;
            }

            _freeSlots.Push(slot);
        }

        entry.PendingCount = 0;
    }

    private void DropPending(Entry entry)
    {
        for (var k = 0; k < entry.PendingCount; k++)
        {
            _freeSlots.Push(entry.Pending[k]);
        }

        PendingDropped += entry.PendingCount;
        HeldDropped += entry.PendingCount;
        entry.PendingCount = 0;
    }

    private sealed class Entry
    {
        public Ipv6Address Address;
        public MacAddress Mac;
        public bool Awaiting;
        public int Probes;
        public uint LastProbeAt;
        public uint CheckedAt;
        public uint UsedAt;
        public int PendingCount;
        public readonly int[] Pending = new int[MaxPendingPerNeighbour];
    }
}
