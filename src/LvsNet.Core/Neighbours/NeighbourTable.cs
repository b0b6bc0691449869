using LvsNet.Core.Connections;
using LvsNet.Core.DataPath;
using LvsNet.Packets;
using LvsNet.Packets.Writing;

namespace LvsNet.Core.Neighbours;

/// <summary>
/// The daemon's own ARP cache: it resolves next hops by sending ARP requests itself (it neither
/// relies on static entries nor on the kernel's table), refreshes them before they grow old, and
/// holds a few frames per neighbour while a resolution is pending.
/// </summary>
/// <remarks>
/// Thread contract: owned by the capture thread. Times are connection-table ticks (¼ s).
/// Only addresses the data path asks for get entries, so a flood of ARP traffic cannot fill it.
/// </remarks>
public sealed class NeighbourTable
{
    /// <summary>How long a confirmed MAC is used without a refresh (the kernel's base_reachable_time).</summary>
    public static readonly uint ReachableTicks = ConnectionClock.ToTicks(TimeSpan.FromSeconds(30));

    /// <summary>Interval between ARP requests for one neighbour (the kernel's retrans_time).</summary>
    public static readonly uint RetransmitTicks = ConnectionClock.ToTicks(TimeSpan.FromSeconds(1));

    /// <summary>Requests sent before a resolution fails (the kernel's mcast_solicit).</summary>
    public const int MaxProbes = 3;

    /// <summary>Frames held per unresolved neighbour.</summary>
    public const int MaxPendingPerNeighbour = 4;

    private const int PendingSlotLength = 9216 + 64;

    private readonly FrameTransmitter _transmitter;
    private readonly MacAddress _ownMac;
    private readonly uint _ownAddress;
    private readonly Dictionary<uint, int> _index;
    private readonly Slot[] _slots;
    private readonly byte[][] _pending;
    private readonly int[] _pendingLength;
    private readonly uint[] _pendingAddress;
    private readonly byte[] _arpFrame = new byte[ArpWriter.MinimumFrameLength];
    private int _count;

    /// <summary>Creates the table.</summary>
    /// <param name="transmitter">Where ARP requests and released frames go.</param>
    /// <param name="ownMac">The director NIC's MAC.</param>
    /// <param name="ownAddress">The director's IP, the sender of requests.</param>
    /// <param name="capacity">The most neighbours tracked.</param>
    /// <param name="pendingFrames">The most frames held for all unresolved neighbours together.</param>
    public NeighbourTable(FrameTransmitter transmitter, MacAddress ownMac, uint ownAddress, int capacity = 4096, int pendingFrames = 256)
    {
        _transmitter = transmitter;
        _ownMac = ownMac;
        _ownAddress = ownAddress;
        _index = new Dictionary<uint, int>(capacity);
        _slots = new Slot[capacity];
        _pending = new byte[pendingFrames][];
        for (var i = 0; i < pendingFrames; i++)
        {
            _pending[i] = new byte[PendingSlotLength];
        }

        _pendingLength = new int[pendingFrames];
        _pendingAddress = new uint[pendingFrames];
    }

    /// <summary>ARP requests sent.</summary>
    public long RequestsSent { get; private set; }

    /// <summary>Resolutions that failed after <see cref="MaxProbes"/> requests.</summary>
    public long Failures { get; private set; }

    /// <summary>Frames dropped because a neighbour stayed unresolved or the holding queue was full.</summary>
    public long PendingDropped { get; private set; }

    /// <summary>Raised (on the capture thread) when a neighbour is resolved or changes MAC.</summary>
    public event Action<uint, MacAddress>? Resolved;

    /// <summary>Raised (on the capture thread) when a resolution fails.</summary>
    public event Action<uint>? ResolutionFailed;

    /// <summary>Returns the MAC of <paramref name="address"/> if known, starting or refreshing resolution as needed.</summary>
    public bool TryResolve(uint address, uint now, out MacAddress mac)
    {
        if (!_index.TryGetValue(address, out var i))
        {
            mac = default;
            if (_count == _slots.Length)
            {
                return false;
            }

            i = _count++;
            _index[address] = i;
            _slots[i] = new Slot { Address = address, State = NeighbourState.Incomplete };
            Probe(ref _slots[i], now);
            return false;
        }

        ref var slot = ref _slots[i];
        switch (slot.State)
        {
            case NeighbourState.Reachable or NeighbourState.Stale:
                if ((int)(now - slot.ConfirmedAt) >= (int)ReachableTicks)
                {
                    slot.State = NeighbourState.Stale;
                    if ((int)(now - slot.LastProbeAt) >= (int)RetransmitTicks)
                    {
                        Probe(ref slot, now);
                    }
                }

                mac = slot.Mac;
                return true;

            case NeighbourState.Failed when (int)(now - slot.LastProbeAt) >= (int)RetransmitTicks:
                // Try again on demand, as the kernel does for a FAILED entry that gets traffic.
                slot.State = NeighbourState.Incomplete;
                slot.Probes = 0;
                Probe(ref slot, now);
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

    /// <summary>Learns from an ARP packet (request or reply) whose sender is a tracked neighbour.</summary>
    public void OnArp(uint senderAddress, MacAddress senderMac, uint now)
    {
        if (!_index.TryGetValue(senderAddress, out var i) || senderMac.IsZero || senderMac.IsMulticast)
        {
            return;
        }

        ref var slot = ref _slots[i];
        var changed = slot.State is NeighbourState.Incomplete or NeighbourState.Failed || slot.Mac != senderMac;
        slot.Mac = senderMac;
        slot.State = NeighbourState.Reachable;
        slot.ConfirmedAt = now;
        slot.Probes = 0;
        if (changed)
        {
            Resolved?.Invoke(senderAddress, senderMac);
        }

        Release(senderAddress, senderMac);
    }

    /// <summary>Retries or fails pending resolutions; called by the capture thread once per tick.</summary>
    public void Maintain(uint now)
    {
        for (var i = 0; i < _count; i++)
        {
            ref var slot = ref _slots[i];
            if (slot.State == NeighbourState.Incomplete && (int)(now - slot.LastProbeAt) >= (int)RetransmitTicks)
            {
                if (slot.Probes >= MaxProbes)
                {
                    slot.State = NeighbourState.Failed;
                    Failures++;
                    DropPending(slot.Address);
                    ResolutionFailed?.Invoke(slot.Address);
                }
                else
                {
                    Probe(ref slot, now);
                }
            }
            else if (slot.State == NeighbourState.Stale && (int)(now - slot.ConfirmedAt) >= (int)(ReachableTicks + (MaxProbes * RetransmitTicks)))
            {
                // No answer to the refresh requests: stop using the old MAC.
                slot.State = NeighbourState.Incomplete;
                slot.Probes = 0;
                Probe(ref slot, now);
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
            var age = slot.State is NeighbourState.Reachable or NeighbourState.Stale ? ConnectionClock.ToTimeSpan(now - slot.ConfirmedAt) : TimeSpan.Zero;
            list.Add(new NeighbourEntry(slot.Address, slot.Mac, slot.State, age));
        }

        return list;
    }

    private void Probe(ref Slot slot, uint now)
    {
        // Broadcast requests: a unicast probe to a MAC that changed would never be answered.
        var length = ArpWriter.WriteFrame(_arpFrame, MacAddress.Broadcast, ArpOperation.Request, _ownMac, _ownAddress, MacAddress.Zero, slot.Address);
        _transmitter.Send(_arpFrame.AsSpan(0, length));
        RequestsSent++;
        slot.Probes++;
        slot.LastProbeAt = now;
    }

    private void Release(uint address, MacAddress mac)
    {
        for (var i = 0; i < _pendingLength.Length; i++)
        {
            if (_pendingLength[i] != 0 && _pendingAddress[i] == address)
            {
                var frame = _pending[i].AsSpan(0, _pendingLength[i]);
                mac.WriteTo(frame);
                _transmitter.Send(frame);
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
    }
}
