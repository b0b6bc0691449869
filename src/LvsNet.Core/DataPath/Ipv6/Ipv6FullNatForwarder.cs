using LvsNet.Core.Connections;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;
using LvsNet.Packets.Writing;

namespace LvsNet.Core.DataPath.Ipv6;

/// <summary>
/// FULLNAT over IPv6 (DPVS's IPv6 FULLNAT): a client's packet goes client:cport → VIP:vport in and
/// LIP:lport → RIP:rport out, so the real server answers the director whatever its routes; the reply
/// to LIP:lport becomes VIP:vport → client:cport. Both addresses and ports change, and the TCP or UDP
/// checksum follows incrementally over the pseudo-header (RFC 1624), four 32-bit words per address;
/// the hop limit is decremented as for every forwarded packet.
/// </summary>
/// <remarks>
/// With <c>toa</c>, the ACK that completes the handshake carries the client's address and port in
/// DPVS's IPv6 TOA option (kind 254, length 20: port, then the 16-byte address;
/// <see cref="Ipv6TcpOptionWriter.InsertToa6"/>) when the TCP header and the MTU have room; the caller
/// decides which packet (<c>Ipv6ClientHandler.ClaimToa</c>). A SYN-proxied connection's sequence
/// numbers are shifted here as for NAT.
/// UDP without a checksum and expiring hop limits are dropped as for IPv6 NAT (<see cref="Ipv6NatForwarder.TryBeginRewrite"/>).
/// </remarks>
internal sealed class Ipv6FullNatForwarder
{
    private readonly Egress _egress;
    private readonly Ipv6Egress _out;
    private readonly Ipv6NatForwarder _nat;
    private readonly DataPathCounters _counters;
    private readonly int _mtu;

    public Ipv6FullNatForwarder(Egress egress, Ipv6Egress output, Ipv6NatForwarder nat, DataPathCounters counters, int mtu)
    {
        _counters = counters;
        _mtu = mtu;
        _egress = egress;
        _out = output;
        _nat = nat;
    }

    /// <summary>
    /// A client's packet to its real server: the source becomes LIP:lport, the destination RIP:rport
    /// (the virtual port when the server has none); with <paramref name="toa"/> the TOA option is
    /// inserted first, and a SYN-proxied connection's acknowledgment is shifted by
    /// <paramref name="acknowledgmentShift"/> (0: none).
    /// </summary>
    public void Forward(ReadOnlySpan<byte> frame, int l2Length, Ipv6Header ip, in Ipv6Chain chain, in Ipv6ConnectionEntry entry, RealServerState server, bool toa = false, uint acknowledgmentShift = 0)
    {
        var length = ip.Packet.Length;
        if (!_nat.TryBeginRewrite(frame, l2Length, ip, in chain, out var scratch, out var packet, toa ? TcpOptionWriter.Toa6Length : 0))
        {
            return;
        }

        if (toa)
        {
            var grown = Ipv6TcpOptionWriter.InsertToa6(packet, chain.UpperLayerOffset, _mtu, entry.ClientAddress, entry.ClientPort);
            if (grown > 0)
            {
                _counters._toaInserted++;
            }
            else
            {
                // No room (a full TCP header, or a segment at the MTU): sent without, as IPv4 FULLNAT does.
                grown = length;
            }

            scratch = scratch.Slice(0, l2Length + grown);
            packet = scratch.Slice(l2Length);
        }

        Ipv6NatRewriter.RewriteSource(packet, in chain, entry.LocalAddress, entry.LocalPort);
        Ipv6NatRewriter.RewriteDestination(packet, in chain, server.Address6, server.Port != 0 ? server.Port : entry.VirtualPort);
        if (acknowledgmentShift != 0)
        {
            TcpSegmentWriter.ShiftSegmentAcknowledgment(packet.Slice(chain.UpperLayerOffset), acknowledgmentShift);
        }

        _egress.Mac.WriteTo(scratch.Slice(MacAddress.Length));
        server.OnInbound(_egress.Worker, length);
        _out.Transmit(scratch, _out.NextHop(server.Address6));
    }

    /// <summary>A real server's reply to LIP:lport: the source becomes VIP:vport, the destination client:cport (the sequence number shifted by <paramref name="sequenceShift"/> on a SYN-proxied connection), and the frame goes to the client's next hop.</summary>
    public void ForwardReply(ReadOnlySpan<byte> frame, int l2Length, Ipv6Header ip, in Ipv6Chain chain, in Ipv6ConnectionEntry entry, RealServerState server, uint sequenceShift = 0)
    {
        var length = ip.Packet.Length;
        if (!_nat.TryBeginRewrite(frame, l2Length, ip, in chain, out var scratch, out var packet))
        {
            return;
        }

        Ipv6NatRewriter.RewriteSource(packet, in chain, entry.VirtualAddress, entry.VirtualPort);
        Ipv6NatRewriter.RewriteDestination(packet, in chain, entry.ClientAddress, entry.ClientPort);
        if (sequenceShift != 0)
        {
            TcpSegmentWriter.ShiftSegmentSequence(packet.Slice(chain.UpperLayerOffset), sequenceShift);
        }

        _egress.Mac.WriteTo(scratch.Slice(MacAddress.Length));
        server.OnOutbound(_egress.Worker, length);
        _out.Transmit(scratch, _out.NextHop(entry.ClientAddress));
    }
}
