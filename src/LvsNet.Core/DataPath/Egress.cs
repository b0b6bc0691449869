using System.Runtime.CompilerServices;
using LvsNet.Core.Neighbours;
using LvsNet.Packets;
using LvsNet.Packets.Writing;

namespace LvsNet.Core.DataPath;

/// <summary>
/// The way out for every frame the data path builds: the one scratch buffer (libpcap's buffer is
/// read-only, so rewrites happen in a copy), the TTL decrement, the director's source MAC, the
/// next hop and its MAC, and the forwarded/held/dropped counts.
/// </summary>
/// <remarks>Thread contract: one per capture thread; the scratch buffer holds one frame at a time.</remarks>
internal sealed class Egress
{
    private const int ScratchLength = 65536 + 128;

    private readonly byte[] _scratch = GC.AllocateUninitializedArray<byte>(ScratchLength, pinned: true);
    private readonly FrameTransmitter _transmitter;
    private readonly NeighbourTable _neighbours;
    private readonly DataPathCounters _counters;
    private readonly DataPathState _state;
    private readonly MacAddress _mac;
    private readonly uint _address;
    private readonly uint _subnetMask;
    private readonly uint _gateway;

    /// <summary>This capture worker's index: its stripe of the traffic counters.</summary>
    public int Worker { get; }

    public Egress(FrameTransmitter transmitter, NeighbourTable neighbours, DataPathCounters counters, DataPathState state, DataPathOptions options)
    {
        _transmitter = transmitter;
        _neighbours = neighbours;
        _counters = counters;
        _state = state;
        _mac = options.Mac;
        Worker = options.WorkerIndex;
        _address = options.Address;
        _subnetMask = Ipv4Address.PrefixToMask(options.PrefixLength);
        _gateway = options.Gateway;
    }

    /// <summary>The capture NIC's MAC.</summary>
    public MacAddress Mac => _mac;

    /// <summary>The director's own address (DIP).</summary>
    public uint Address => _address;

    /// <summary>The whole scratch buffer, for frames written from nothing (ARP, ICMP errors).</summary>
    public Span<byte> Scratch => _scratch;

    /// <summary>
    /// Starts a rewrite: copies <paramref name="frame"/> into the scratch buffer (with
    /// <paramref name="extra"/> bytes of room behind it) and returns the copy; <paramref name="packet"/>
    /// is its IP packet.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> BeginRewrite(ReadOnlySpan<byte> frame, int l2Length, out Span<byte> packet, int extra = 0)
    {
        var scratch = _scratch.AsSpan(0, frame.Length + extra);
        frame.CopyTo(scratch);
        packet = scratch.Slice(l2Length);
        return scratch;
    }

    /// <summary>Sends a frame as it is (ARP and ICMP the director answers itself).</summary>
    public bool Send(ReadOnlySpan<byte> frame) => _transmitter.Send(frame);

    /// <summary>
    /// The common end of every rewritten packet: TTL − 1 (every method decrements it, as IPVS
    /// does; at 1 the packet is dropped), the director's source MAC, the server's counters, and the
    /// next hop towards <paramref name="destination"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SendRewritten(Span<byte> frame, Span<byte> packet, uint destination, int length, RealServerState server, bool inbound)
    {
        if (!Ipv4Writer.DecrementTtl(packet))
        {
            _counters.Drop(DropReason.TtlExceeded);
            return;
        }

        _mac.WriteTo(frame.Slice(MacAddress.Length));
        if (inbound)
        {
            server.OnInbound(Worker, length);
        }
        else
        {
            server.OnOutbound(Worker, length);
        }

        Transmit(frame, NextHop(destination));
    }

    /// <summary>Sends an IPv4 frame whose source MAC is set, after filling in the destination MAC of <paramref name="nextHop"/>.</summary>
    /// <remarks>
    /// A frame whose next hop is still being resolved waits in the neighbour table and is counted as
    /// held; it counts as forwarded when it leaves (<see cref="Arp.ArpHandler"/> counts that).
    /// </remarks>
    public void Transmit(Span<byte> frame, uint nextHop)
    {
        if (_neighbours.TryResolve(nextHop, _state.Now, out var mac))
        {
            mac.WriteTo(frame);
            if (_transmitter.Send(frame))
            {
                _counters._forwarded++;
            }
            else
            {
                _counters.Drop(DropReason.SendFailed);
            }
        }
        else if (_neighbours.Enqueue(nextHop, frame))
        {
            _counters._held++;
        }
        else
        {
            _counters.Drop(DropReason.NeighbourUnresolved);
        }
    }

    /// <summary>The next hop towards <paramref name="destination"/>: itself on the director's subnet (or without a gateway), else the gateway.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint NextHop(uint destination) =>
        (destination & _subnetMask) == (_address & _subnetMask) || _gateway == 0 ? destination : _gateway;
}
