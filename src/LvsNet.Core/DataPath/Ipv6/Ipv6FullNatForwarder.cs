using LvsNet.Core.Connections;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Core.DataPath.Ipv6;

/// <summary>
/// FULLNAT over IPv6 (DPVS's IPv6 FULLNAT): a client's packet goes client:cport → VIP:vport in and
/// LIP:lport → RIP:rport out, so the real server answers the director whatever its routes; the reply
/// to LIP:lport becomes VIP:vport → client:cport. Both addresses and ports change, and the TCP or UDP
/// checksum follows incrementally over the pseudo-header (RFC 1624), four 32-bit words per address;
/// the hop limit is decremented as for every forwarded packet.
/// </summary>
/// <remarks>
/// The TOA option (DPVS's IPv6 TOA) is not inserted: the validator refuses <c>toa</c> on IPv6 services.
/// UDP without a checksum and expiring hop limits are dropped as for IPv6 NAT (<see cref="Ipv6NatForwarder.TryBeginRewrite"/>).
/// </remarks>
internal sealed class Ipv6FullNatForwarder
{
    private readonly Egress _egress;
    private readonly Ipv6Egress _out;
    private readonly Ipv6NatForwarder _nat;

    public Ipv6FullNatForwarder(Egress egress, Ipv6Egress output, Ipv6NatForwarder nat)
    {
        _egress = egress;
        _out = output;
        _nat = nat;
    }

    /// <summary>A client's packet to its real server: the source becomes LIP:lport, the destination RIP:rport (the virtual port when the server has none).</summary>
    public void Forward(ReadOnlySpan<byte> frame, int l2Length, Ipv6Header ip, in Ipv6Chain chain, in Ipv6ConnectionEntry entry, RealServerState server)
    {
        var length = ip.Packet.Length;
        if (!_nat.TryBeginRewrite(frame, l2Length, ip, in chain, out var scratch, out var packet))
        {
            return;
        }

        Ipv6NatRewriter.RewriteSource(packet, in chain, entry.LocalAddress, entry.LocalPort);
        Ipv6NatRewriter.RewriteDestination(packet, in chain, server.Address6, server.Port != 0 ? server.Port : entry.VirtualPort);
        _egress.Mac.WriteTo(scratch.Slice(MacAddress.Length));
        server.OnInbound(_egress.Worker, length);
        _out.Transmit(scratch, _out.NextHop(server.Address6));
    }

    /// <summary>A real server's reply to LIP:lport: the source becomes VIP:vport, the destination client:cport, and the frame goes to the client's next hop.</summary>
    public void ForwardReply(ReadOnlySpan<byte> frame, int l2Length, Ipv6Header ip, in Ipv6Chain chain, in Ipv6ConnectionEntry entry, RealServerState server)
    {
        var length = ip.Packet.Length;
        if (!_nat.TryBeginRewrite(frame, l2Length, ip, in chain, out var scratch, out var packet))
        {
            return;
        }

        Ipv6NatRewriter.RewriteSource(packet, in chain, entry.VirtualAddress, entry.VirtualPort);
        Ipv6NatRewriter.RewriteDestination(packet, in chain, entry.ClientAddress, entry.ClientPort);
        _egress.Mac.WriteTo(scratch.Slice(MacAddress.Length));
        server.OnOutbound(_egress.Worker, length);
        _out.Transmit(scratch, _out.NextHop(entry.ClientAddress));
    }
}
