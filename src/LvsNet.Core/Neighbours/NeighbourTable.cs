using LvsNet.Core.Connections;
using LvsNet.Core.Hashing;
using LvsNet.Packets;
using LvsNet.Packets.Writing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LvsNet.Core.Neighbours;

/// <summary>
/// The daemon's own ARP cache: it resolves next hops by sending ARP requests itself (it relies
/// neither on the kernel's table nor on what others announce), verifies them before they grow old,
/// and holds a few frames per neighbour while a resolution is pending.
/// </summary>
/// <remarks>
/// <para>Thread contract: owned by the capture thread. Times are connection-table ticks (¼ s).
/// Only addresses the data path asks for (and configured static ones) get entries, so a flood of
/// ARP traffic cannot fill it; when the data path's own demand fills it (replies to spoofed
/// sources on the segment), slots of addresses that never answered or are unused are taken for new ones.</para>
/// <para>What ARP may change is decided in <see cref="OnArp"/> (NeighbourTable.Arp.cs): a MAC is
/// learned only from an answer to a request this table sent, or taken from the configuration;
/// everything else is at most a hint that makes the table probe. docs/hardening.md has the rules.</para>
/// </remarks>
public sealed partial class NeighbourTable
{
    /// <summary>How long a confirmed MAC is used without a check (the kernel's base_reachable_time).</summary>
    public static readonly uint ReachableTicks = ConnectionClock.ToTicks(TimeSpan.FromSeconds(30));

    /// <summary>Interval between ARP requests for one neighbour (the kernel's retrans_time); also the least time between two checks a hint can start.</summary>
    public static readonly uint RetransmitTicks = ConnectionClock.ToTicks(TimeSpan.FromSeconds(1));

    /// <summary>How long after a request an answer is matched to it.</summary>
    public static readonly uint ReplyWindowTicks = ConnectionClock.ToTicks(TimeSpan.FromSeconds(3));

    /// <summary>Broadcast requests sent before a resolution fails (the kernel's mcast_solicit).</summary>
    public const int MaxProbes = 3;

    /// <summary>Unicast requests to the known MAC before a check falls back to broadcast (the kernel's ucast_solicit is 3; fewer here so a changed MAC is found within about 2 s).</summary>
    public const int UnicastProbes = 2;

    /// <summary>Frames held per unresolved neighbour.</summary>
    public const int MaxPendingPerNeighbour = 4;

    private const int PendingSlotLength = 9216 + 64;

    private const uint NotFull = uint.MaxValue;

    // A direct-mapped cache in front of the keyed index: the data path asks for the same few next
    // hops on every packet, and a hit costs one compare instead of a SipHash. A collision only
    // costs a miss (the index is still the keyed dictionary), so it cannot be used to build chains.
    private const int CacheSize = 16;
    private const int CacheMask = CacheSize - 1;

    private readonly IFrameSender _sender;
    private readonly MacAddress _ownMac;
    private readonly uint _ownAddress;
    private readonly ILogger _logger;
    private readonly Dictionary<uint, int> _index;
    private readonly Slot[] _slots;
    private readonly byte[][] _pending;
    private readonly int[] _pendingLength;
    private readonly uint[] _pendingAddress;
    private readonly byte[] _arpFrame = new byte[ArpWriter.MinimumFrameLength];
    private readonly uint[] _cacheAddress = new uint[CacheSize];
    private readonly int[] _cacheIndexPlusOne = new int[CacheSize];
    private int _count;

    // The clock hand of TryTakeSlot, and the tick of its last search that found no slot to take.
    private int _hand;
    private uint _fullAt = NotFull;

    /// <summary>Creates the table.</summary>
    /// <param name="sender">Where ARP requests and released frames go.</param>
    /// <param name="ownMac">The director NIC's MAC.</param>
    /// <param name="ownAddress">The director's IP, the sender of requests.</param>
    /// <param name="capacity">The most neighbours tracked.</param>
    /// <param name="pendingFrames">The most frames held for all unresolved neighbours together.</param>
    /// <param name="logger">Where refused updates, conflicts, MAC changes and failed resolutions are logged.</param>
    public NeighbourTable(IFrameSender sender, MacAddress ownMac, uint ownAddress, int capacity = 4096, int pendingFrames = 256, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(sender);
        _sender = sender;
        _ownMac = ownMac;
        _ownAddress = ownAddress;
        _logger = logger ?? NullLogger.Instance;
        _ownAddresses = [ownAddress];

        // Keyed: on-subnet clients become neighbours (NAT replies), so a remote peer picks some keys.
        _index = new Dictionary<uint, int>(capacity, KeyedAddressComparer.Process);
        _slots = new Slot[capacity];
        _pending = new byte[pendingFrames][];
        for (var i = 0; i < pendingFrames; i++)
        {
            _pending[i] = new byte[PendingSlotLength];
        }

        _pendingLength = new int[pendingFrames];
        _pendingAddress = new uint[pendingFrames];
    }

    /// <summary>Neighbours in the table (read from another thread, it is a snapshot).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The most neighbours the table holds.</summary>
    public int Capacity => _slots.Length;

    /// <summary>ARP requests sent (broadcast and unicast).</summary>
    public long RequestsSent { get; private set; }

    /// <summary>Resolutions or checks that failed after every request went unanswered.</summary>
    public long Failures { get; private set; }

    /// <summary>Slots given to a new address because the table was full: their address had never answered, or had not been used for <see cref="ReachableTicks"/>.</summary>
    public long Reclaimed { get; private set; }

    /// <summary>Frames dropped because a neighbour stayed unresolved or the holding queue was full.</summary>
    public long PendingDropped { get; private set; }

    /// <summary>Of those, frames that were held and then dropped: their neighbour never answered, or its slot went to another address.</summary>
    public long HeldDropped { get; private set; }

    /// <summary>Raised (on the capture thread) when a neighbour is resolved or changes MAC.</summary>
    public event Action<uint, MacAddress>? Resolved;

    /// <summary>Raised (on the capture thread) when a resolution fails.</summary>
    public event Action<uint>? ResolutionFailed;

    /// <summary>Returns the MAC of <paramref name="address"/> if known, starting resolution or a check as needed.</summary>
    public bool TryResolve(uint address, uint now, out MacAddress mac)
    {
        var c = (int)(address & CacheMask);
        int i;
        if (_cacheAddress[c] == address && _cacheIndexPlusOne[c] != 0)
        {
            i = _cacheIndexPlusOne[c] - 1;
        }
        else if (_index.TryGetValue(address, out i))
        {
            // A slot that changes address leaves the cache (TryTakeSlot), so a cached index stays right.
            _cacheAddress[c] = address;
            _cacheIndexPlusOne[c] = i + 1;
        }
        else
        {
            mac = default;
            if (!TryTakeSlot(address, now, out i))
            {
                return false;
            }

            _slots[i] = new Slot { Address = address, State = NeighbourState.Incomplete };
            Probe(ref _slots[i], now, MacAddress.Zero);
            return false;
        }

        ref var slot = ref _slots[i];
        switch (slot.State)
        {
            case NeighbourState.Permanent or NeighbourState.Probe:
                mac = slot.Mac;
                return true;

            case NeighbourState.Reachable or NeighbourState.Stale:
                if ((int)(now - slot.ConfirmedAt) >= (int)ReachableTicks)
                {
                    // In use and old: check the MAC we have with a unicast request (the kernel's DELAY/PROBE).
                    StartCheck(ref slot, now);
                }

                mac = slot.Mac;
                return true;

            case NeighbourState.Failed when (int)(now - slot.LastProbeAt) >= (int)RetransmitTicks:
                // Try again on demand, as the kernel does for a FAILED entry that gets traffic.
                Restart(ref slot, now);
                break;
        }

        mac = default;
        return false;
    }

    /// <summary>Holds a frame (whose destination MAC is filled in on resolution) until <paramref name="address"/> resolves.</summary>
    /// <returns>False, counted, when the neighbour already holds its share or no room is left.</returns>
    public bool Enqueue(uint address, ReadOnlySpan<byte> frame)
    {
        var held = 0;
        var free = -1;
        for (var i = 0; i < _pendingLength.Length; i++)
        {
            if (_pendingLength[i] == 0)
            {
                free = free < 0 ? i : free;
            }
            else if (_pendingAddress[i] == address)
            {
                held++;
            }
        }

        if (free < 0 || held >= MaxPendingPerNeighbour || frame.Length > PendingSlotLength)
        {
            PendingDropped++;
            return false;
        }

        frame.CopyTo(_pending[free]);
        _pendingLength[free] = frame.Length;
        _pendingAddress[free] = address;
        return true;
    }

    /// <summary>Retries resolutions, advances checks and fails unanswered ones; called by the capture thread once per tick.</summary>
    public void Maintain(uint now)
    {
        for (var i = 0; i < _count; i++)
        {
            ref var slot = ref _slots[i];
            if (slot.State is not (NeighbourState.Incomplete or NeighbourState.Probe) || (int)(now - slot.LastProbeAt) < (int)RetransmitTicks)
            {
                continue;
            }

            if (slot.State == NeighbourState.Probe && slot.Probes < UnicastProbes)
            {
                Probe(ref slot, now, slot.Mac);
            }
            else if (slot.Probes < (slot.State == NeighbourState.Probe ? UnicastProbes + MaxProbes : MaxProbes))
            {
                // The known MAC is silent (or there is none yet): ask everyone, so that a MAC that
                // really changed is found.
                Probe(ref slot, now, MacAddress.Zero);
            }
            else
            {
                slot.State = NeighbourState.Failed;
                slot.Awaiting = false;
                Failures++;
                _fullAt = NotFull;
                DropPending(slot.Address);
                ReportFailure(slot.Address, now);
                ResolutionFailed?.Invoke(slot.Address);
            }
        }
    }

    /// <summary>Lists the neighbours (allocates; for the control plane via the capture thread).</summary>
    public IReadOnlyList<NeighbourEntry> List(uint now)
    {
        var list = new List<NeighbourEntry>(_count);
        for (var i = 0; i < _count; i++)
        {
            ref var slot = ref _slots[i];
            var age = slot.State is NeighbourState.Reachable or NeighbourState.Stale or NeighbourState.Probe ? ConnectionClock.ToTimeSpan(now - slot.ConfirmedAt) : TimeSpan.Zero;
            list.Add(new NeighbourEntry(slot.Address, slot.Mac, slot.State, age));
        }

        return list;
    }

    /// <summary>
    /// Gives <paramref name="address"/> a slot: a free one while there are, else one whose address
    /// has never answered (still being resolved, or failed; its held frames are dropped) or has not
    /// been used for <see cref="ReachableTicks"/> (a use of an entry that old starts a check, so an
    /// old confirmation means nobody asked for it since). Static entries and neighbours that answered
    /// and are in use (real servers, the gateway, clients being served) are never taken. Without this,
    /// addresses that never answer (spoofed sources on the segment a reply would go to) would hold
    /// every slot and no real server or gateway could be resolved while they do.
    /// </summary>
    /// <remarks>A clock hand walks the slots, so a search starts where the last one stopped and the
    /// oldest attempt goes first; a search that finds nothing is not repeated within the tick.</remarks>
    private bool TryTakeSlot(uint address, uint now, out int index)
    {
        if (_count < _slots.Length)
        {
            index = _count++;
            _index[address] = index;
            return true;
        }

        if (_fullAt == now)
        {
            index = -1;
            return false;
        }

        for (var n = 0; n < _slots.Length; n++)
        {
            var i = _hand;
            _hand = i + 1 == _slots.Length ? 0 : i + 1;
            ref var slot = ref _slots[i];
            var inUse = slot.State is NeighbourState.Probe
                || (slot.State is NeighbourState.Reachable or NeighbourState.Stale && (int)(now - slot.ConfirmedAt) < (int)ReachableTicks);
            if (inUse || slot.State == NeighbourState.Permanent)
            {
                continue;
            }

            // The old address leaves the index and the cache, so nothing finds its MAC through this slot.
            _index.Remove(slot.Address);
            var c = (int)(slot.Address & CacheMask);
            if (_cacheAddress[c] == slot.Address)
            {
                _cacheIndexPlusOne[c] = 0;
            }

            DropPending(slot.Address);
            _index[address] = i;
            Reclaimed++;
            index = i;
            return true;
        }

        _fullAt = now;
        index = -1;
        return false;
    }

    // Begins checking a known MAC: unicast requests to it first (Maintain continues).
    private void StartCheck(ref Slot slot, uint now)
    {
        slot.State = NeighbourState.Probe;
        slot.Probes = 0;
        Probe(ref slot, now, slot.Mac);
    }

    // Back to resolving from scratch with broadcast requests.
    private void Restart(ref Slot slot, uint now)
    {
        slot.State = NeighbourState.Incomplete;
        slot.Probes = 0;
        Probe(ref slot, now, MacAddress.Zero);
    }

    // One request: broadcast when 'unicastTo' is zero, else to that MAC only.
    private void Probe(ref Slot slot, uint now, MacAddress unicastTo)
    {
        var destination = unicastTo.IsZero ? MacAddress.Broadcast : unicastTo;
        var length = ArpWriter.WriteFrame(_arpFrame, destination, ArpOperation.Request, _ownMac, _ownAddress, unicastTo, slot.Address);
        _sender.Send(_arpFrame.AsSpan(0, length));
        RequestsSent++;
        slot.Probes++;
        slot.LastProbeAt = now;
        slot.ProbedMac = unicastTo;
        slot.Awaiting = true;
    }

    private void Release(uint address, MacAddress mac)
    {
        for (var i = 0; i < _pendingLength.Length; i++)
        {
            if (_pendingLength[i] != 0 && _pendingAddress[i] == address)
            {
                var frame = _pending[i].AsSpan(0, _pendingLength[i]);
                mac.WriteTo(frame);
                _sender.Send(frame);
                _pendingLength[i] = 0;
            }
        }
    }

    private void DropPending(uint address)
    {
        for (var i = 0; i < _pendingLength.Length; i++)
        {
            if (_pendingLength[i] != 0 && _pendingAddress[i] == address)
            {
                _pendingLength[i] = 0;
                PendingDropped++;
                HeldDropped++;
            }
        }
    }

    private struct Slot
    {
        public uint Address;
        public MacAddress Mac;
        public NeighbourState State;
        public int Probes;
        public uint ConfirmedAt;
        public uint LastProbeAt;

        // The MAC the outstanding request went to (zero: broadcast) and whether one is outstanding.
        public MacAddress ProbedMac;
        public bool Awaiting;
    }
}
