using System.Buffers.Binary;
using LvsNet.Core.Connections;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;
using LvsNet.Packets.Writing;

namespace LvsNet.Core.DataPath.Ipv6;

/// <summary>
/// NAT over IPv6: the director is the real servers' gateway. A client's packet goes
/// VIP:vport → RIP:rport, the reply's source becomes VIP:vport again; the TCP or UDP checksum is
/// updated incrementally for the pseudo-header's address and the port (RFC 1624; IPv6 has no header
/// checksum), and the hop limit is decremented as for every forwarded packet.
/// </summary>
/// <remarks>
/// IPv6 UDP must carry a checksum (RFC 8200 §8.1): a datagram that arrives without one (0) cannot be
/// updated incrementally and is dropped, and an update that comes out as 0 is sent as 0xFFFF
/// (<see cref="Ipv6NatRewriter"/>). A later fragment of a datagram gets its addresses rewritten alone.
/// </remarks>
internal sealed class Ipv6NatForwarder
{
    // The UDP header's checksum field (RFC 768).
    private const int UdpChecksumOffset = 6;

    private readonly Egress _egress;
    private readonly Ipv6Egress _out;
    private readonly DataPathCounters _counters;

    public Ipv6NatForwarder(Egress egress, Ipv6Egress output, DataPathCounters counters)
    {
        _egress = egress;
        _out = output;
        _counters = counters;
    }

    /// <summary>
    /// A client's packet to its NAT real server: the destination becomes RIP:rport (the virtual port
    /// when the server has none); a connection spliced by the SYN proxy has its acknowledgment
    /// shifted by <paramref name="acknowledgmentShift"/> (0: none).
    /// </summary>
    public void Forward(ReadOnlySpan<byte> frame, int l2Length, Ipv6Header ip, in Ipv6Chain chain, RealServerState server, ushort virtualPort, uint acknowledgmentShift = 0)
    {
        var length = ip.Packet.Length;
        if (!TryBeginRewrite(frame, l2Length, ip, in chain, out var scratch, out var packet))
        {
            return;
        }

        Ipv6NatRewriter.RewriteDestination(packet, in chain, server.Address6, server.Port != 0 ? server.Port : virtualPort);
        if (acknowledgmentShift != 0)
        {
            TcpSegmentWriter.ShiftSegmentAcknowledgment(packet.Slice(chain.UpperLayerOffset), acknowledgmentShift);
        }

        _egress.Mac.WriteTo(scratch.Slice(MacAddress.Length));
        server.OnInbound(_egress.Worker, length);
        _out.Transmit(scratch, server.Address6);
    }

    /// <summary>A NAT real server's reply: the source becomes VIP:vport again (the sequence number shifted by <paramref name="sequenceShift"/> on a SYN-proxied connection) and the frame goes to the client's next hop.</summary>
    public void ForwardReply(ReadOnlySpan<byte> frame, int l2Length, Ipv6Header ip, in Ipv6Chain chain, in Ipv6ConnectionEntry entry, RealServerState server, uint sequenceShift = 0)
    {
        var length = ip.Packet.Length;
        if (!TryBeginRewrite(frame, l2Length, ip, in chain, out var scratch, out var packet))
        {
            return;
        }

        Ipv6NatRewriter.RewriteSource(packet, in chain, entry.VirtualAddress, entry.VirtualPort);
        if (sequenceShift != 0)
        {
            TcpSegmentWriter.ShiftSegmentSequence(packet.Slice(chain.UpperLayerOffset), sequenceShift);
        }

        _egress.Mac.WriteTo(scratch.Slice(MacAddress.Length));
        server.OnOutbound(_egress.Worker, length);
        _out.Transmit(scratch, _out.NextHop(entry.ClientAddress));
    }

    /// <summary>
    /// Copies the frame into the scratch buffer with the hop limit − 1; false (counted) for a UDP
    /// datagram without a checksum, which IPv6 forbids, or a hop limit that expires here (FULLNAT
    /// over IPv6 shares it).
    /// </summary>
    internal bool TryBeginRewrite(ReadOnlySpan<byte> frame, int l2Length, Ipv6Header ip, in Ipv6Chain chain, out Span<byte> scratch, out Span<byte> packet, int extra = 0)
    {
        scratch = default;
        packet = default;
        if (!HasChecksum(ip, in chain))
        {
            _counters.Drop(DropReason.MalformedUdp);
            return false;
        }

        scratch = _egress.BeginRewrite(frame.Slice(0, l2Length + ip.Packet.Length), l2Length, out packet, extra);
        if (!Ipv6Writer.DecrementHopLimit(packet))
        {
            _counters.Drop(DropReason.TtlExceeded);
            return false;
        }

        return true;
    }

    // TCP always has one; a UDP datagram with checksum 0 has none, which IPv6 does not allow. A
    // later fragment carries no header: its datagram's first fragment was checked.
    private static bool HasChecksum(Ipv6Header ip, in Ipv6Chain chain) =>
        chain.UpperLayer != (byte)IpProtocol.Udp || chain.FragmentOffset != 0
        || BinaryPrimitives.ReadUInt16BigEndian(ip.Packet.Slice(chain.UpperLayerOffset + UdpChecksumOffset)) != 0;
}
