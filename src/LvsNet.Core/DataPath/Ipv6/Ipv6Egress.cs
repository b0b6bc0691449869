using System.Runtime.CompilerServices;
using LvsNet.Core.Neighbours;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Core.DataPath.Ipv6;

/// <summary>
/// The IPv6 way out of a rewritten frame: the next hop towards a destination (itself when on-link,
/// else the configured IPv6 gateway), its MAC from neighbour discovery (the frame is held while it
/// resolves), and the forwarded/held/dropped counts. The IPv6 counterpart of the end of
/// <see cref="Egress"/>.
/// </summary>
/// <remarks>Thread contract: one per capture thread, as <see cref="Egress"/>.</remarks>
internal sealed class Ipv6Egress
{
    private readonly FrameTransmitter _transmitter;
    private readonly Ipv6NeighbourTable _neighbours;
    private readonly DataPathCounters _counters;
    private readonly DataPathState _state;
    private readonly UInt128 _prefixMask;
    private readonly UInt128 _prefix;
    private readonly Ipv6Address _gateway;
    private readonly bool _hasGateway;

    public Ipv6Egress(FrameTransmitter transmitter, Ipv6NeighbourTable neighbours, DataPathCounters counters, DataPathState state, DataPathOptions options)
    {
        _transmitter = transmitter;
        _neighbours = neighbours;
        _counters = counters;
        _state = state;
        Address = options.Address6;
        if (options.Address6 is { } address)
        {
            _prefixMask = UInt128.MaxValue << (128 - Math.Clamp(options.PrefixLength6, 1, 128));
            _prefix = address.Value & _prefixMask;
        }

        _hasGateway = options.Gateway6 is not null;
        _gateway = options.Gateway6 ?? default;
    }

    /// <summary>The director's own IPv6 address, if configured.</summary>
    public Ipv6Address? Address { get; }

    /// <summary>
    /// The next hop towards <paramref name="destination"/>: the destination itself when it is inside
    /// the director's IPv6 prefix or no IPv6 gateway is configured, else the gateway.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Ipv6Address NextHop(Ipv6Address destination) =>
        !_hasGateway || (_prefixMask != UInt128.Zero && (destination.Value & _prefixMask) == _prefix) ? destination : _gateway;

    /// <summary>Sends an IPv6 frame whose source MAC is set, after filling in the MAC of <paramref name="nextHop"/> (held while it resolves).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Transmit(Span<byte> frame, Ipv6Address nextHop)
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
}
