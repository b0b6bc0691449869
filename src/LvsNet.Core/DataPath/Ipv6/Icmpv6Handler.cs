using System.Runtime.CompilerServices;
using LvsNet.Core.Configuration;
using LvsNet.Core.Connections;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Core.DataPath.Ipv6;

/// <summary>
/// ICMPv6 to an IPv6 VIP other than neighbour discovery: echo requests are answered by the director
/// (as the kernel answers for a VIP it holds), errors (types below 128) about a tracked connection
/// go to its real server, as IPVS's ip_vs_in_icmp_v6 does: a client, or a router on the client's
/// side, reporting on a packet the service sent (packet too big for the real server's path MTU,
/// unreachable). DR forwards the error unchanged with the connection's method; NAT and FULLNAT
/// translate it for the real server (<see cref="Icmpv6ErrorTranslator"/>).
/// </summary>
/// <remarks>
/// Errors from the real servers' side (ip_vs_out_icmp_v6) only concern NAT and FULLNAT (a DR real
/// server answers the client directly): <see cref="Ipv6ReplyHandler"/> passes them to
/// <see cref="Icmpv6ErrorTranslator"/>. Other informational messages are the kernel's and are left alone.
/// </remarks>
internal sealed class Icmpv6Handler
{
    private readonly Egress _egress;
    private readonly Ipv6ConnectionTable _table;
    private readonly Ipv6Egress _out;
    private readonly DataPathCounters _counters;
    private readonly DataPathState _state;

    /// <summary>NAT64: errors about its connections translated to ICMPv4 (set once by the pipeline).</summary>
    public Nat64Forwarder? Nat64 { get; init; }

    /// <summary>Translation of errors about NAT and FULLNAT connections (set once by the pipeline).</summary>
    public Icmpv6ErrorTranslator? Errors { get; init; }

    public Icmpv6Handler(Egress egress, Ipv6Egress output, Ipv6ConnectionTable table, DataPathCounters counters, DataPathState state)
    {
        _egress = egress;
        _out = output;
        _table = table;
        _counters = counters;
        _state = state;
    }

    /// <summary>An ICMPv6 message to a VIP, not a fragment (<paramref name="chain"/> locates it in the packet).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void HandleToVip(ReadOnlySpan<byte> frame, int l2Length, Ipv6Header ip, in Ipv6Chain chain)
    {
        var message = ip.Packet.Slice(chain.UpperLayerOffset);

        // RFC 4443 §2.3: a message whose checksum fails is discarded (icmpv6_rcv does the same).
        if (message.Length < 8 || !Icmpv6.Verifies(ip.Source, ip.Destination, Ipv6ExtensionHeaders.Icmpv6, message))
        {
            _counters.Drop(DropReason.MalformedIcmpv6);
            return;
        }

        var type = message[0];
        if (type == Icmpv6.EchoRequest)
        {
            SendEchoReply(frame, ip, message);
            return;
        }

        if (type >= Icmpv6.EchoRequest)
        {
            _counters._ignored++;
            return;
        }

        if (!Icmpv6QuotedPacket.TryRead(message.Slice(8), out var quoted) || quoted.SourcePort == 0 || quoted.DestinationPort == 0)
        {
            _counters.Drop(DropReason.MalformedIcmpv6);
            return;
        }

        // The quoted packet went from VIP:vport to the client: the connection's key reversed.
        var index = _table.Find(new Ipv6ConnectionKey(quoted.Protocol, quoted.Destination, quoted.DestinationPort, quoted.Source, quoted.SourcePort));
        var server = index < 0 ? null : _state.ServerOf(_table[index].RealServerId);
        if (server is null || !server.IsAvailable)
        {
            _counters.Drop(index < 0 ? DropReason.NoConnection : DropReason.ServerRemoved);
            return;
        }

        if (server.Method is ForwardingMethod.Nat or ForwardingMethod.FullNat && server.IsIpv6 && Errors is not null)
        {
            Errors.ForwardToServer(frame, l2Length, ip, in chain, in quoted, index, server);
            return;
        }

        if (server.Method == ForwardingMethod.FullNat && !server.IsIpv6 && Nat64 is not null)
        {
            // NAT64: translated to ICMPv4 for the IPv4 real server.
            if (!Nat64.ForwardIcmpv6Error(frame, l2Length, ip, in chain, in quoted, in _table[index], server))
            {
                _counters._ignored++;
            }

            return;
        }

        if (server.Method != ForwardingMethod.DirectRouting)
        {
            // TUN: the error would need its own tunnel.
            _counters.Drop(DropReason.Icmpv6ErrorUntranslated);
            return;
        }

        ForwardUnchanged(frame, l2Length, ip, server);
    }

    private void SendEchoReply(ReadOnlySpan<byte> frame, Ipv6Header ip, ReadOnlySpan<byte> request)
    {
        var scratch = _egress.Scratch;
        var length = Icmpv6EchoWriter.WriteReplyFrame(scratch, MacAddress.Read(frame.Slice(MacAddress.Length)), _egress.Mac, ip.Destination, ip.Source, request);
        if (_egress.Send(scratch.Slice(0, length)))
        {
            _counters._icmpv6EchoRepliesSent++;
        }
        else
        {
            _counters.Drop(DropReason.SendFailed);
        }
    }

    // DR: as the connection's own packets go (MACs rewritten, hop limit − 1); an error whose hop
    // limit runs out here is dropped without an error about it (RFC 4443 §2.4(e.1)).
    private void ForwardUnchanged(ReadOnlySpan<byte> frame, int l2Length, Ipv6Header ip, RealServerState server)
    {
        var length = ip.Packet.Length;
        var scratch = _egress.BeginRewrite(frame.Slice(0, l2Length + length), l2Length, out var packet);
        if (!Ipv6Writer.DecrementHopLimit(packet))
        {
            _counters.Drop(DropReason.TtlExceeded);
            return;
        }

        _egress.Mac.WriteTo(scratch.Slice(MacAddress.Length));
        server.OnInbound(_egress.Worker, length);
        _counters._icmpv6ErrorsForwarded++;
        _out.Transmit(scratch, server.Address6);
    }
}
