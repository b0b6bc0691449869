using LvsNet.Core.Connections;
using LvsNet.Core.DataPath.SynProxy;
using LvsNet.Packets;
using LvsNet.Packets.Writing;

namespace LvsNet.Core.DataPath.Forwarding;

/// <summary>
/// FULLNAT: VIP:vport → RIP:rport and client:cport → LIP:lport, so the real server answers the
/// director whatever its routes; the reply (to LIP:lport) becomes VIP:vport → client:cport. With
/// TOA on, the first packet after the SYN (the ACK that completes the handshake, where the TOA
/// module of a real server reads it) carries the client's address and port in TCP option 254, if
/// the MTU and the TCP header have room.
/// </summary>
internal sealed class FullNatForwarder : IForwarder
{
    private readonly Egress _egress;
    private readonly ConnectionTable _table;
    private readonly DataPathCounters _counters;
    private readonly int _mtu;
    private readonly SequenceShifts _shifts;

    public FullNatForwarder(Egress egress, ConnectionTable table, DataPathCounters counters, int mtu, SequenceShifts shifts)
    {
        _shifts = shifts;
        _egress = egress;
        _table = table;
        _counters = counters;
        _mtu = mtu;
    }

    /// <inheritdoc />
    public void Forward(ReadOnlySpan<byte> frame, int l2Length, Ipv4Header ip, RealServerState server, int index)
    {
        if (index < 0)
        {
            // One-packet scheduling keeps no entry, so there is no local port to send from.
            _counters.Drop(DropReason.NoLocalPort);
            return;
        }

        ref readonly var entry = ref _table[index];
        var scratch = _egress.BeginRewrite(frame, l2Length, out var packet, TcpOptionWriter.ToaLength);
        var length = frame.Length;
        // Never into a fragment: the option would move the data of a datagram whose other pieces travel apart.
        if ((entry.Flags & ConnectionFlags.ToaDone) == 0 && !ip.IsFragment && (packet[ip.HeaderLength + 13] & (byte)(TcpFlags.Syn | TcpFlags.Rst)) == 0 && _table.TryClaimToa(index))
        {
            var grown = TcpOptionWriter.InsertToa(packet, _mtu, entry.ClientAddress, entry.ClientPort);
            if (grown > 0)
            {
                length = l2Length + grown;
                _counters._toaInserted++;
            }
        }

        scratch = scratch.Slice(0, length);
        packet = scratch.Slice(l2Length);
        var port = server.Port != 0 ? server.Port : entry.VirtualPort;
        NatRewriter.RewriteSource(packet, entry.LocalAddress, entry.LocalPort);
        NatRewriter.RewriteDestination(packet, server.Address, port);
        if ((entry.Flags & ConnectionFlags.SynProxy) != 0 && ip.Protocol == IpProtocol.Tcp)
        {
            // Spliced by the SYN proxy: the client acknowledges the cookie's sequence space.
            TcpSegmentWriter.ShiftAcknowledgment(packet, _shifts[index]);
        }

        _egress.SendRewritten(scratch, packet, server.Address, ip.TotalLength, server, inbound: true);
    }

    /// <summary>A real server's reply to LIP:lport: the source becomes VIP:vport and the destination the client again.</summary>
    public void ForwardReply(ReadOnlySpan<byte> frame, int l2Length, Ipv4Header ip, in ConnectionEntry entry, RealServerState server, int index)
    {
        var scratch = _egress.BeginRewrite(frame, l2Length, out var packet);
        NatRewriter.RewriteSource(packet, entry.VirtualAddress, entry.VirtualPort);
        NatRewriter.RewriteDestination(packet, entry.ClientAddress, entry.ClientPort);
        if ((entry.Flags & ConnectionFlags.SynProxy) != 0 && ip.Protocol == IpProtocol.Tcp)
        {
            TcpSegmentWriter.ShiftSequence(packet, 0u - _shifts[index]);
        }

        _egress.SendRewritten(scratch, packet, entry.ClientAddress, ip.TotalLength, server, inbound: false);
    }
}
