using LvsNet.Core.DataPath.Icmp;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;
using LvsNet.Packets.Writing;

namespace LvsNet.Core.DataPath.Ipv6;

/// <summary>
/// TUN where IPv6 is on either side of the tunnel, with the choices of the kernel's
/// <c>ip_vs_tunnel_xmit_v6</c> and <c>ip_vs_tunnel_xmit</c>: IPv6-in-IPv6 (next header 41) and
/// IPv4-in-IPv6 (next header 4) from the director's <c>address6</c>, IPv6-in-IPv4 (protocol 41) from
/// its IPv4 address. The inner packet's hop limit or TTL is decremented first; the outer header takes
/// that value as its hop limit or TTL, the inner DSCP with ECN encapsulated (CE becomes ECT(0)), flow
/// label 0, payload length the inner packet's length; an outer IPv4 header has DF clear and a fresh
/// identification (the kernel copies DF from an IPv4 inner header only).
/// </summary>
/// <remarks>
/// <para>A packet that no longer fits the MTU with the outer header is dropped (counted as too big).
/// As <c>ensure_mtu_is_adequate</c> does, an IPv6 packet is answered with ICMPv6 packet too big
/// carrying the MTU less the outer header (40 or 20 bytes) and an IPv4 one with DF set with ICMP
/// fragmentation needed carrying the MTU less 40. The kernel would fragment the outer packet of an
/// IPv4 packet without DF; here it is dropped, as for IPv4-in-IPv4 (<see cref="Forwarding.TunnelForwarder"/>).
/// When the tunnel MTU would fall below IPv6's minimum (1,280) the kernel refuses the route and
/// sends nothing: so does this.</para>
/// <para>Thread contract: one per capture thread, as <see cref="Egress"/>.</para>
/// </remarks>
internal sealed class Ipv6TunnelForwarder
{
    private const int Ipv6MinimumMtu = 1280;

    private readonly Egress _egress;
    private readonly Ipv6Egress _out;
    private readonly IcmpErrorSender _icmpErrors;
    private readonly Icmpv6ErrorSender _icmpv6Errors;
    private readonly DataPathCounters _counters;
    private readonly int _mtu;
    private readonly Ipv6Address _source6;
    private readonly bool _hasSource6;
    private ushort _nextIpId;

    public Ipv6TunnelForwarder(Egress egress, Ipv6Egress output, IcmpErrorSender icmpErrors, Icmpv6ErrorSender icmpv6Errors, DataPathCounters counters, int mtu)
    {
        _egress = egress;
        _out = output;
        _icmpErrors = icmpErrors;
        _icmpv6Errors = icmpv6Errors;
        _counters = counters;
        _mtu = mtu;
        _hasSource6 = output.Address is not null;
        _source6 = output.Address ?? default;
    }

    /// <summary>
    /// An IPv6 client packet (its upper layer, TCP or UDP, at <paramref name="chain"/>'s offset) to
    /// its real server: inside IPv6 when the server is IPv6, inside IPv4 when it is IPv4.
    /// </summary>
    public void Forward(ReadOnlySpan<byte> frame, int l2Length, Ipv6Header ip, in Ipv6Chain chain, RealServerState server)
    {
        var inner = ip.Packet;
        var outerHeader = server.IsIpv6 ? Ipv6Header.Length : Ipv4Header.MinLength;
        var outerLength = outerHeader + inner.Length;
        if (server.IsIpv6 && !_hasSource6)
        {
            // The validator requires director.address6 for an IPv6 tunnel: without it nothing can source one.
            _counters.Drop(DropReason.SendFailed);
            return;
        }

        if (outerLength > _mtu)
        {
            TooBig6(frame, ip, in chain, outerHeader);
            return;
        }

        var scratch = _egress.Scratch.Slice(0, l2Length + outerLength);
        frame.Slice(0, l2Length).CopyTo(scratch);
        var innerCopy = scratch.Slice(l2Length + outerHeader);
        inner.CopyTo(innerCopy);
        if (!Ipv6Writer.DecrementHopLimit(innerCopy))
        {
            _counters.Drop(DropReason.TtlExceeded);
            return;
        }

        var tos = TunnelHeaderWriter.EncapsulateEcn(ip.TrafficClass);
        var hopLimit = innerCopy[7] /* the hop limit byte */;
        _egress.Mac.WriteTo(scratch.Slice(MacAddress.Length));
        server.OnInbound(_egress.Worker, inner.Length);
        if (server.IsIpv6)
        {
            TunnelHeaderWriter.WriteOuterIpv6(scratch.Slice(l2Length), inner.Length, IpProtocol.Ipv6InIp, tos, hopLimit, _source6, server.Address6);
            _out.Transmit(scratch, _out.NextHop(server.Address6));
            return;
        }

        SetEtherType(scratch, l2Length, EtherType.Ipv4);
        Ipv4Writer.WriteHeader(scratch.Slice(l2Length), tos, outerLength, _nextIpId++, 0, hopLimit, IpProtocol.Ipv6InIp, _egress.Address, server.Address);
        _egress.Transmit(scratch, _egress.NextHop(server.Address));
    }

    /// <summary>An IPv4 client packet to an IPv6 real server: IPv4-in-IPv6 (next header 4).</summary>
    public void Forward(ReadOnlySpan<byte> frame, int l2Length, Ipv4Header ip, RealServerState server)
    {
        var inner = ip.Packet;
        var outerLength = Ipv6Header.Length + inner.Length;
        if (!_hasSource6)
        {
            // The validator requires director.address6 for an IPv6 tunnel: without it nothing can source one.
            _counters.Drop(DropReason.SendFailed);
            return;
        }

        if (outerLength > _mtu)
        {
            if (ip.DontFragment)
            {
                _icmpErrors.Send(frame, ip, IcmpHeader.TypeDestinationUnreachable, IcmpHeader.CodeFragmentationNeeded, (uint)(_mtu - Ipv6Header.Length), _egress.Address);
            }

            _counters.Drop(DropReason.TooBig);
            return;
        }

        var scratch = _egress.Scratch.Slice(0, l2Length + outerLength);
        frame.Slice(0, l2Length).CopyTo(scratch);
        var innerCopy = scratch.Slice(l2Length + Ipv6Header.Length);
        inner.CopyTo(innerCopy);
        if (!Ipv4Writer.DecrementTtl(innerCopy))
        {
            _counters.Drop(DropReason.TtlExceeded);
            return;
        }

        SetEtherType(scratch, l2Length, EtherType.Ipv6);
        var tos = TunnelHeaderWriter.EncapsulateEcn(ip.TypeOfService);
        TunnelHeaderWriter.WriteOuterIpv6(scratch.Slice(l2Length), inner.Length, IpProtocol.IpIp, tos, innerCopy[8] /* the TTL byte */, _source6, server.Address6);
        _egress.Mac.WriteTo(scratch.Slice(MacAddress.Length));
        server.OnInbound(_egress.Worker, inner.Length);
        _out.Transmit(scratch, _out.NextHop(server.Address6));
    }

    private void TooBig6(ReadOnlySpan<byte> frame, Ipv6Header ip, in Ipv6Chain chain, int outerHeader)
    {
        var tunnelMtu = _mtu - outerHeader;
        if (tunnelMtu >= Ipv6MinimumMtu)
        {
            _icmpv6Errors.SendPacketTooBig(frame, ip, in chain, tunnelMtu);
        }

        _counters.Drop(DropReason.TooBig);
    }

    // The frame's own EtherType is the last two bytes of its link-layer header (after any VLAN tag).
    private static void SetEtherType(Span<byte> frame, int l2Length, EtherType type) =>
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(frame.Slice(l2Length - 2), (ushort)type);
}
