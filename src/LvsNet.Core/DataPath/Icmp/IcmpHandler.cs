using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using LvsNet.Core.Configuration;
using LvsNet.Core.Connections;
using LvsNet.Core.DataPath.Forwarding;
using LvsNet.Packets;
using LvsNet.Packets.Checksums;
using LvsNet.Packets.Writing;

namespace LvsNet.Core.DataPath.Icmp;

/// <summary>
/// ICMP that reaches the data path: echo requests to a VIP (answered by the director), errors
/// about tracked connections from the client's side (to the real server) and from a NAT or
/// FULLNAT real server's side (to the client), translated where the method translated the
/// connection, as IPVS does (ip_vs_in_icmp, ip_vs_out_icmp).
/// </summary>
internal sealed class IcmpHandler
{
    private readonly Egress _egress;
    private readonly ConnectionTable _table;
    private readonly DataPathCounters _counters;
    private readonly DataPathState _state;
    private readonly ForwarderSet _forwarders;

    /// <summary>NAT64: ICMPv4 errors about connections of the IPv6 table (set once by the pipeline).</summary>
    public Ipv6.Nat64ReplyHandler? Nat64 { get; init; }

    public IcmpHandler(Egress egress, ConnectionTable table, DataPathCounters counters, DataPathState state, ForwarderSet forwarders)
    {
        _egress = egress;
        _table = table;
        _counters = counters;
        _state = state;
        _forwarders = forwarders;
    }

    /// <summary>
    /// ICMP to a VIP: echo requests are answered by the director; errors about a tracked connection
    /// (the client's stack or a router reporting on a packet the service sent) go to its real server
    /// — unchanged for DR/TUN, translated for NAT and FULLNAT.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void HandleToVip(ReadOnlySpan<byte> frame, int l2Length, Ipv4Header ip)
    {
        if (!IcmpHeader.TryParse(ip.Payload, out var icmp))
        {
            _counters.Drop(DropReason.MalformedIcmp);
            return;
        }

        if (icmp.Type == IcmpHeader.TypeEchoRequest)
        {
            SendEchoReply(frame, l2Length, ip);
            return;
        }

        if (!icmp.IsError)
        {
            _counters._ignored++;
            return;
        }

        if (!TryReadQuotedPorts(icmp, out var quoted, out var sourcePort, out var destinationPort))
        {
            _counters.Drop(DropReason.MalformedIcmp);
            return;
        }

        // The quoted packet went from VIP:vport to the client.
        var index = _table.Find(new ConnectionKey(quoted.Protocol, quoted.Destination, destinationPort, quoted.Source, sourcePort));
        var server = index < 0 ? null : _state.ServerOf(_table[index].RealServerId);
        if (server is null || !server.IsAvailable)
        {
            _counters.Drop(index < 0 ? DropReason.NoConnection : DropReason.ServerRemoved);
            return;
        }

        _counters._icmpErrorsForwarded++;
        if (server.Method is ForwardingMethod.DirectRouting or ForwardingMethod.Tunnel)
        {
            _forwarders.Forward(frame, l2Length, ip, server, index);
            return;
        }

        var scratch = _egress.BeginRewrite(frame, l2Length, out var packet);
        var serverPort = server.Port != 0 ? server.Port : sourcePort;
        if (server.Method == ForwardingMethod.FullNat)
        {
            // The quoted reply becomes RIP:rport → LIP:lport, and the error comes from the LIP.
            ref readonly var entry = ref _table[index];
            NatRewriter.RewriteIcmpError(packet, entry.LocalAddress, server.Address, server.Address, serverPort, entry.LocalAddress, entry.LocalPort);
        }
        else
        {
            NatRewriter.RewriteIcmpError(packet, towardsServer: true, server.Address, serverPort);
        }

        _egress.SendRewritten(scratch, packet, server.Address, ip.TotalLength, server, inbound: true);
    }

    /// <summary>
    /// An ICMP error from a NAT or FULLNAT real server (or a router on its side) about a packet the
    /// director sent it: translated back so that it speaks of VIP:vport and the client, from the VIP,
    /// and sent to the client.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void HandleFromServer(ReadOnlySpan<byte> frame, int l2Length, Ipv4Header ip, bool fullNat)
    {
        // Parameter problem is related to a connection only for NAT64, which translates it (RFC 7915 §4.2);
        // IPVS (ip_vs_in_icmp) relates only unreachable, source quench and time exceeded.
        if (!IcmpHeader.TryParse(ip.Payload, out var icmp)
            || !(icmp.IsError || (fullNat && Nat64 is not null && icmp.Type == IcmpHeader.TypeParameterProblem))
            || !TryReadQuotedPorts(icmp, out var quoted, out var sourcePort, out var destinationPort))
        {
            _counters._ignored++;
            return;
        }

        // The quoted packet went from the client (NAT) or LIP:lport (FULLNAT) to RIP:rport.
        var index = fullNat
            ? _table.FindFullNatReply(quoted.Protocol, quoted.Source, sourcePort, quoted.Destination, destinationPort, _state.Servers)
            : _table.FindReply(quoted.Protocol, quoted.Source, sourcePort, quoted.Destination, destinationPort, _state.Servers);
        if (index < 0)
        {
            // A local address may serve NAT64 connections too: their errors are translated to ICMPv6.
            if (!fullNat || Nat64 is null || !Nat64.TryHandleIcmpError(frame, l2Length, ip, icmp, quoted.Protocol, quoted.Source, sourcePort, quoted.Destination, destinationPort))
            {
                _counters.Drop(DropReason.NoConnection);
            }

            return;
        }

        if (!icmp.IsError)
        {
            // A parameter problem about an IPv4 FULLNAT connection: not related, as in IPVS.
            _counters._ignored++;
            return;
        }

        ref readonly var entry = ref _table[index];
        var server = _state.ServerOf(entry.RealServerId)!;
        var scratch = _egress.BeginRewrite(frame, l2Length, out var packet);
        NatRewriter.RewriteIcmpError(packet, entry.VirtualAddress, entry.ClientAddress, entry.ClientAddress, entry.ClientPort, entry.VirtualAddress, entry.VirtualPort);
        _counters._icmpErrorsForwarded++;
        _egress.SendRewritten(scratch, packet, entry.ClientAddress, ip.TotalLength, server, inbound: false);
    }

    private void SendEchoReply(ReadOnlySpan<byte> frame, int l2Length, Ipv4Header ip)
    {
        // The request turned around: addresses swapped, type 8 -> 0 (checksum adjusted), a fresh TTL.
        var scratch = _egress.BeginRewrite(frame, l2Length, out var packet);
        BinaryPrimitives.WriteUInt32BigEndian(packet.Slice(12), ip.Destination);
        BinaryPrimitives.WriteUInt32BigEndian(packet.Slice(16), ip.Source);
        packet[8] = 64;
        Ipv4Writer.UpdateChecksum(packet);
        var icmp = packet.Slice(ip.HeaderLength);
        var checksum = BinaryPrimitives.ReadUInt16BigEndian(icmp.Slice(2));
        icmp[0] = IcmpHeader.TypeEchoReply;
        BinaryPrimitives.WriteUInt16BigEndian(icmp.Slice(2), IncrementalChecksum.Update(checksum, (ushort)(IcmpHeader.TypeEchoRequest << 8), (ushort)(IcmpHeader.TypeEchoReply << 8)));
        MacAddress.Read(frame.Slice(MacAddress.Length)).WriteTo(scratch);
        _egress.Mac.WriteTo(scratch.Slice(MacAddress.Length));
        if (_egress.Send(scratch))
        {
            _counters._echoRepliesSent++;
        }
    }

    private static bool TryReadQuotedPorts(IcmpHeader icmp, out Ipv4Header quoted, out ushort sourcePort, out ushort destinationPort)
    {
        sourcePort = destinationPort = 0;
        if (!Ipv4Header.TryParseQuoted(icmp.Payload, out quoted) || quoted.Protocol is not (IpProtocol.Tcp or IpProtocol.Udp) || quoted.Payload.Length < 4)
        {
            return false;
        }

        sourcePort = BinaryPrimitives.ReadUInt16BigEndian(quoted.Payload);
        destinationPort = BinaryPrimitives.ReadUInt16BigEndian(quoted.Payload.Slice(2));
        return true;
    }
}
