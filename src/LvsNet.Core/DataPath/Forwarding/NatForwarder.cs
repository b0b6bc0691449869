using System.Buffers.Binary;
using LvsNet.Core.Connections;
using LvsNet.Core.DataPath.SynProxy;
using LvsNet.Packets;
using LvsNet.Packets.Writing;

namespace LvsNet.Core.DataPath.Forwarding;

/// <summary>
/// NAT: the director is the real servers' gateway. A client's packet goes VIP:vport → RIP:rport
/// with incremental checksums (a port-0 service keeps the port); the reply's source becomes
/// VIP:vport again.
/// </summary>
internal sealed class NatForwarder : IForwarder
{
    private readonly Egress _egress;
    private readonly ConnectionTable _table;
    private readonly SequenceShifts _shifts;

    public NatForwarder(Egress egress, ConnectionTable table, SequenceShifts shifts)
    {
        _egress = egress;
        _table = table;
        _shifts = shifts;
    }

    /// <inheritdoc />
    public void Forward(ReadOnlySpan<byte> frame, int l2Length, Ipv4Header ip, RealServerState server, int index)
    {
        var scratch = _egress.BeginRewrite(frame, l2Length, out var packet);
        // A later fragment carries no port (NatRewriter leaves its data alone) and may be shorter than 4 bytes.
        var port = server.Port != 0 || ip.Payload.Length < 4 ? server.Port : BinaryPrimitives.ReadUInt16BigEndian(ip.Payload.Slice(2));
        NatRewriter.RewriteDestination(packet, server.Address, port);
        if (index >= 0 && (_table[index].Flags & ConnectionFlags.SynProxy) != 0 && ip.Protocol == IpProtocol.Tcp)
        {
            // Spliced by the SYN proxy: the client acknowledges the cookie's sequence space.
            TcpSegmentWriter.ShiftAcknowledgment(packet, _shifts[index]);
        }

        _egress.SendRewritten(scratch, packet, server.Address, ip.TotalLength, server, inbound: true);
    }

    /// <summary>A real server's reply to the client: its source becomes VIP:vport again.</summary>
    public void ForwardReply(ReadOnlySpan<byte> frame, int l2Length, Ipv4Header ip, in ConnectionEntry entry, RealServerState server, int index)
    {
        var scratch = _egress.BeginRewrite(frame, l2Length, out var packet);
        NatRewriter.RewriteSource(packet, entry.VirtualAddress, entry.VirtualPort);
        if ((entry.Flags & ConnectionFlags.SynProxy) != 0 && ip.Protocol == IpProtocol.Tcp)
        {
            TcpSegmentWriter.ShiftSequence(packet, 0u - _shifts[index]);
        }

        _egress.SendRewritten(scratch, packet, entry.ClientAddress, ip.TotalLength, server, inbound: false);
    }
}
