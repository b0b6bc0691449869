using LvsNet.Core.Configuration;
using LvsNet.Core.Connections;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Core.DataPath.Ipv6;

/// <summary>
/// ICMPv6 errors about IPv6 NAT and FULLNAT connections, translated as IPVS translates them
/// (ip_vs_out_icmp_v6, ip_vs_in_icmp_v6 with ip_vs_nat_icmp_v6): the quoted packet's addresses and
/// ports become what the receiver sent or will recognise, the outer addresses follow, and the
/// checksums are fixed (<see cref="Icmpv6ErrorRewriter"/>); the hop limit is decremented.
/// </summary>
/// <remarks>
/// From the real servers' side (a NAT real server's own error to the client, or any error to a
/// FULLNAT local address) the quote is client:cport → RIP:rport (NAT) or LIP:lport → RIP:rport
/// (FULLNAT); it becomes client:cport → VIP:vport and the error goes from the VIP to the client.
/// From the client's side (an error to the VIP) the quote is VIP:vport → client:cport; it becomes
/// RIP:rport → client:cport (NAT, the error to the real server) or RIP:rport → LIP:lport (FULLNAT,
/// the error from the local address to the real server).
/// </remarks>
internal sealed class Icmpv6ErrorTranslator
{
    private readonly Egress _egress;
    private readonly Ipv6Egress _out;
    private readonly Ipv6ConnectionTable _table;
    private readonly DataPathCounters _counters;
    private readonly DataPathState _state;

    public Icmpv6ErrorTranslator(Egress egress, Ipv6Egress output, Ipv6ConnectionTable table, DataPathCounters counters, DataPathState state)
    {
        _egress = egress;
        _out = output;
        _table = table;
        _counters = counters;
        _state = state;
    }

    /// <summary>An ICMPv6 message from a NAT real server, or to a FULLNAT local address (<paramref name="fullNat"/>): errors about its connections go to the client.</summary>
    public void HandleFromServer(ReadOnlySpan<byte> frame, int l2Length, Ipv6Header ip, in Ipv6Chain chain, bool fullNat)
    {
        if (!TryReadError(ip, in chain, out var quoted))
        {
            return;
        }

        var index = fullNat
            ? _table.FindFullNatReply(quoted.Protocol, quoted.Source, quoted.SourcePort, quoted.Destination, quoted.DestinationPort, _state.Servers)
            : _table.FindReply(quoted.Protocol, quoted.Source, quoted.SourcePort, quoted.Destination, quoted.DestinationPort, _state.Servers);
        if (index < 0)
        {
            _counters.Drop(DropReason.NoConnection);
            return;
        }

        ref readonly var entry = ref _table[index];
        if (!TryBegin(frame, l2Length, ip, out var scratch, out var packet))
        {
            return;
        }

        Icmpv6ErrorRewriter.Rewrite(packet, chain.UpperLayerOffset, in quoted, entry.VirtualAddress, entry.ClientAddress, entry.ClientAddress, entry.ClientPort, entry.VirtualAddress, entry.VirtualPort);
        Send(scratch, ip.Packet.Length, _state.ServerOf(entry.RealServerId)!, inbound: false, _out.NextHop(entry.ClientAddress));
    }

    /// <summary>
    /// An error from the client's side about the connection at <paramref name="index"/> (quoting
    /// VIP:vport → client:cport), whose server forwards by NAT or FULLNAT over IPv6: to the real server.
    /// </summary>
    public void ForwardToServer(ReadOnlySpan<byte> frame, int l2Length, Ipv6Header ip, in Ipv6Chain chain, in Icmpv6QuotedPacket quoted, int index, RealServerState server)
    {
        ref readonly var entry = ref _table[index];
        if (!TryBegin(frame, l2Length, ip, out var scratch, out var packet))
        {
            return;
        }

        var serverPort = server.Port != 0 ? server.Port : entry.VirtualPort;
        if (server.Method == ForwardingMethod.FullNat)
        {
            Icmpv6ErrorRewriter.Rewrite(packet, chain.UpperLayerOffset, in quoted, entry.LocalAddress, server.Address6, server.Address6, serverPort, entry.LocalAddress, entry.LocalPort);
        }
        else
        {
            Icmpv6ErrorRewriter.Rewrite(packet, chain.UpperLayerOffset, in quoted, ip.Source, server.Address6, server.Address6, serverPort, quoted.Destination, quoted.DestinationPort);
        }

        Send(scratch, ip.Packet.Length, server, inbound: true, _out.NextHop(server.Address6));
    }

    // An error (type < 128) with a good checksum quoting a TCP or UDP packet; anything else is counted.
    private bool TryReadError(Ipv6Header ip, in Ipv6Chain chain, out Icmpv6QuotedPacket quoted)
    {
        quoted = default;
        var message = ip.Packet.Slice(chain.UpperLayerOffset);
        if (chain.IsFragment || message.Length < 8 || !Icmpv6.Verifies(ip.Source, ip.Destination, Ipv6ExtensionHeaders.Icmpv6, message))
        {
            _counters.Drop(DropReason.MalformedIcmpv6);
            return false;
        }

        if (message[0] >= Icmpv6.EchoRequest)
        {
            // Informational messages from the real servers' side are not the data path's.
            _counters._ignored++;
            return false;
        }

        if (!Icmpv6QuotedPacket.TryRead(message.Slice(8), out quoted) || quoted.SourcePort == 0 || quoted.DestinationPort == 0)
        {
            _counters.Drop(DropReason.MalformedIcmpv6);
            return false;
        }

        return true;
    }

    private bool TryBegin(ReadOnlySpan<byte> frame, int l2Length, Ipv6Header ip, out Span<byte> scratch, out Span<byte> packet)
    {
        scratch = _egress.BeginRewrite(frame.Slice(0, l2Length + ip.Packet.Length), l2Length, out packet);
        if (!Ipv6Writer.DecrementHopLimit(packet))
        {
            // No error about an error (RFC 4443 §2.4(e.1)).
            _counters.Drop(DropReason.TtlExceeded);
            return false;
        }

        return true;
    }

    private void Send(Span<byte> scratch, int length, RealServerState server, bool inbound, Ipv6Address nextHop)
    {
        _egress.Mac.WriteTo(scratch.Slice(MacAddress.Length));
        if (inbound)
        {
            server.OnInbound(_egress.Worker, length);
        }
        else
        {
            server.OnOutbound(_egress.Worker, length);
        }

        _counters._icmpv6ErrorsForwarded++;
        _out.Transmit(scratch, nextHop);
    }
}
