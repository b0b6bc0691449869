using LvsNet.Core.DataPath.Icmp;
using LvsNet.Packets;
using LvsNet.Packets.Writing;

namespace LvsNet.Core.DataPath.Forwarding;

/// <summary>
/// TUN: the packet (TTL decremented) goes inside an outer IPv4 header DIP → RIP, protocol 4,
/// with IPVS's choices: TTL = inner TTL, DSCP copied and ECN encapsulated (CE becomes ECT(0)),
/// DF copied from the inner header, a fresh identification. A packet that no longer fits the
/// MTU is dropped; when its DF bit is set the client gets ICMP fragmentation needed with
/// MTU − 20, so its path MTU discovery shrinks the next segments. An IPv6 real server (a service
/// mixing families, as the kernel allows for tunnels) gets IPv4-in-IPv6 from
/// <see cref="Ipv6.Ipv6TunnelForwarder"/>.
/// </summary>
internal sealed class TunnelForwarder : IForwarder
{
    private readonly Egress _egress;
    private readonly IcmpErrorSender _icmpErrors;
    private readonly DataPathCounters _counters;
    private readonly int _mtu;
    private readonly Ipv6.Ipv6TunnelForwarder _toIpv6;
    private ushort _nextIpId;

    public TunnelForwarder(Egress egress, IcmpErrorSender icmpErrors, DataPathCounters counters, int mtu, Ipv6.Ipv6TunnelForwarder toIpv6)
    {
        _toIpv6 = toIpv6;
        _egress = egress;
        _icmpErrors = icmpErrors;
        _counters = counters;
        _mtu = mtu;
    }

    /// <inheritdoc />
    public void Forward(ReadOnlySpan<byte> frame, int l2Length, Ipv4Header ip, RealServerState server, int index)
    {
        if (server.IsIpv6)
        {
            _toIpv6.Forward(frame, l2Length, ip, server);
            return;
        }

        var inner = ip.Packet;
        var outerLength = Ipv4Header.MinLength + inner.Length;
        if (outerLength > _mtu)
        {
            if (ip.DontFragment)
            {
                _icmpErrors.Send(frame, ip, IcmpHeader.TypeDestinationUnreachable, IcmpHeader.CodeFragmentationNeeded, (uint)(_mtu - Ipv4Header.MinLength), _egress.Address);
            }

            _counters.Drop(DropReason.TooBig);
            return;
        }

        // Not BeginRewrite: the copy leaves a gap for the outer header between the Ethernet header and the packet.
        var scratch = _egress.Scratch.Slice(0, l2Length + outerLength);
        frame.Slice(0, l2Length).CopyTo(scratch);
        var innerCopy = scratch.Slice(l2Length + Ipv4Header.MinLength);
        inner.CopyTo(innerCopy);
        if (!Ipv4Writer.DecrementTtl(innerCopy))
        {
            _counters.Drop(DropReason.TtlExceeded);
            return;
        }

        var tos = ip.TypeOfService;
        if ((tos & 0x03) == 0x03)
        {
            tos = (byte)((tos & 0xFC) | 0x02);
        }

        var flags = ip.DontFragment ? Ipv4Header.DontFragmentFlag : (ushort)0;
        Ipv4Writer.WriteHeader(scratch.Slice(l2Length), tos, outerLength, _nextIpId++, flags, innerCopy[8], IpProtocol.IpIp, _egress.Address, server.Address);

        _egress.Mac.WriteTo(scratch.Slice(MacAddress.Length));
        server.OnInbound(_egress.Worker, ip.TotalLength);
        _egress.Transmit(scratch, _egress.NextHop(server.Address));
    }
}
