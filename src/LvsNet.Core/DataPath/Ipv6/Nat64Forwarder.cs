using System.Buffers.Binary;
using LvsNet.Core.Connections;
using LvsNet.Core.DataPath.Icmp;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;
using LvsNet.Packets.Writing;

namespace LvsNet.Core.DataPath.Ipv6;

/// <summary>
/// NAT64 (DPVS's FULLNAT from an IPv6 VIP to IPv4 real servers): a client's packet
/// client:cport → VIP:vport becomes the IPv4 packet LIP4:lport → RIP:rport (RFC 7915 §5.1,
/// <see cref="Nat64Translator"/>), sent to the real server's MAC from ARP; the server's reply to
/// LIP4:lport becomes the IPv6 packet VIP:vport → client:cport (RFC 7915 §4.1), sent to the
/// client's next hop from neighbour discovery.
/// </summary>
/// <remarks>
/// <para>Sizes. IPv6 → IPv4 shrinks a packet by 20 bytes (more with extension headers), so it
/// always fits. IPv4 → IPv6 grows it by 20: the client's SYN has its MSS clamped to what fits the
/// director's MTU once translated back (MTU − 40 − 20), so TCP replies fit; any other reply that
/// would not fit is refused as a router refuses it (RFC 7915 §4 and §6): with DF, ICMPv4
/// fragmentation needed carrying MTU − 20 goes back to the real server, which lowers its path MTU
/// to the local address (counted <c>Nat64PacketTooBig</c>). A reply without DF larger than 1,280
/// bytes once translated, and every IPv4 fragment, leaves as IPv6 fragments of at most 1,280 bytes
/// (RFC 7915 §4: the DF-clear sender relies on the network to fragment, IPv6 routers do not).</para>
/// <para>Fragments are translated one by one (<see cref="Nat64Translator"/>, RFC 7915 §5.1.1 and
/// §4.1): the caller holds a datagram's fragments until it is complete and valid, then passes the
/// first (whose ports decide the connection) and the others in offset order.</para>
/// <para>The hop limit and TTL are decremented by one on the way through, as every method does;
/// the callers have answered packets at 1 already.</para>
/// </remarks>
internal sealed class Nat64Forwarder
{
    private const ushort EtherTypeIpv4 = 0x0800;
    private const ushort EtherTypeIpv6 = 0x86DD;

    private readonly Egress _egress;
    private readonly Ipv6Egress _out;
    private readonly IcmpErrorSender _icmpErrors;
    private readonly DataPathCounters _counters;
    private readonly int _mtu;
    private ushort _identification;

    public Nat64Forwarder(Egress egress, Ipv6Egress output, IcmpErrorSender icmpErrors, DataPathCounters counters, int mtu)
    {
        _egress = egress;
        _out = output;
        _icmpErrors = icmpErrors;
        _counters = counters;
        _mtu = mtu;
    }

    /// <summary>The largest MSS a client's SYN may offer: what an IPv4 segment of that size becomes in IPv6 must fit the MTU.</summary>
    public ushort MssCeiling => (ushort)Math.Max(0, _mtu - Ipv6Header.Length - TcpHeader.MinLength);

    /// <summary>
    /// A client's TCP or UDP packet (not a fragment, hop limit above 1) to its IPv4 real server, from
    /// the connection's IPv4 local address and port; with <paramref name="toa"/> the translated
    /// segment carries the client's IPv6 address in the 20-byte TOA option, as DPVS sends it for an
    /// IPv6 client whatever the real server's family (<see cref="Ipv6TcpOptionWriter.InsertToa(Span{byte}, int, Ipv6Address, ushort)"/>).
    /// </summary>
    /// <remarks>A SYN-proxied connection's acknowledgment is shifted by <paramref name="acknowledgmentShift"/> (0: none).</remarks>
    public void Forward(ReadOnlySpan<byte> frame, int l2Length, Ipv6Header ip, in Ipv6Chain chain, in Ipv6ConnectionEntry entry, RealServerState server, bool toa = false, uint acknowledgmentShift = 0)
    {
        var transport = ip.Packet.Slice(chain.UpperLayerOffset);
        if (chain.UpperLayer == (byte)IpProtocol.Udp && BinaryPrimitives.ReadUInt16BigEndian(transport.Slice(6)) == 0)
        {
            // IPv6 UDP must carry a checksum (RFC 8200 §8.1); there is nothing to translate.
            _counters.Drop(DropReason.MalformedUdp);
            return;
        }

        var scratch = _egress.Scratch;
        frame.Slice(0, l2Length).CopyTo(scratch);
        BinaryPrimitives.WriteUInt16BigEndian(scratch.Slice(l2Length - 2), EtherTypeIpv4);
        var packet = scratch.Slice(l2Length);
        var port = server.Port != 0 ? server.Port : entry.VirtualPort;
        NextIdentification();
        var length = Nat64Translator.ToIpv4(ip, in chain, packet, (uint)entry.LocalAddress.Low, entry.LocalPort, server.Address, port, _identification);
        if (chain.UpperLayer == (byte)IpProtocol.Tcp && (transport[13] & (byte)TcpFlags.Syn) != 0)
        {
            TcpMssClamp.Clamp(packet.Slice(Ipv4Header.MinLength, length - Ipv4Header.MinLength), MssCeiling);
        }

        if (acknowledgmentShift != 0 && chain.UpperLayer == (byte)IpProtocol.Tcp)
        {
            TcpSegmentWriter.ShiftAcknowledgment(packet, acknowledgmentShift);
        }

        if (toa)
        {
            var grown = Ipv6TcpOptionWriter.InsertToa(packet, _mtu, entry.ClientAddress, entry.ClientPort);
            if (grown > 0)
            {
                length = grown;
                _counters._toaInserted++;
            }
        }

        _egress.Mac.WriteTo(scratch.Slice(MacAddress.Length));
        server.OnInbound(_egress.Worker, ip.Packet.Length);
        _egress.Transmit(scratch.Slice(0, l2Length + length), _egress.NextHop(server.Address));
    }

    /// <summary>
    /// A fragment of a client's datagram (RFC 7915 §5.1.1): the first with its ports translated, the
    /// others as they are, each keeping the identification, offset and M of its Fragment Header.
    /// <paramref name="chain"/> may lack the fragment header's position (the first fragment's, as the
    /// client path passes it); the chain is then walked again.
    /// </summary>
    public void ForwardFragment(ReadOnlySpan<byte> frame, int l2Length, Ipv6Header ip, in Ipv6Chain chain, in Ipv6ConnectionEntry entry, RealServerState server)
    {
        var walked = chain;
        if (walked.FragmentHeaderOffset < 0 && !Ipv6ExtensionHeaders.TryWalk(ip, out walked, out _))
        {
            // Cannot happen: the fragment was walked when it arrived.
            _counters.Drop(DropReason.Nat64FragmentUntranslatable);
            return;
        }

        var data = ip.Packet.Slice(walked.UpperLayerOffset);
        var first = walked.FragmentOffset == 0;
        if (first && !IsTranslatableFirstFragment(ip, in walked))
        {
            _counters.Drop(DropReason.Nat64FragmentUntranslatable);
            return;
        }

        var scratch = _egress.Scratch;
        frame.Slice(0, l2Length).CopyTo(scratch);
        BinaryPrimitives.WriteUInt16BigEndian(scratch.Slice(l2Length - 2), EtherTypeIpv4);
        var packet = scratch.Slice(l2Length);
        var port = server.Port != 0 ? server.Port : entry.VirtualPort;
        var length = Nat64Translator.ToIpv4Fragment(ip, in walked, packet, (uint)entry.LocalAddress.Low, entry.LocalPort, server.Address, port);
        if (length == 0)
        {
            _counters.Drop(DropReason.Nat64FragmentUntranslatable);
            return;
        }

        if (first && walked.UpperLayer == (byte)IpProtocol.Tcp && (data[13] & (byte)TcpFlags.Syn) != 0)
        {
            TcpMssClamp.Clamp(packet.Slice(Ipv4Header.MinLength, length - Ipv4Header.MinLength), MssCeiling);
        }

        _egress.Mac.WriteTo(scratch.Slice(MacAddress.Length));
        server.OnInbound(_egress.Worker, ip.Packet.Length);
        _egress.Transmit(scratch.Slice(0, l2Length + length), _egress.NextHop(server.Address));
    }

    /// <summary>
    /// True when the first fragment of a client's datagram (its walked chain) can be translated
    /// fragment by fragment: no extension header between the Fragment Header and TCP or UDP (the
    /// later fragments' offsets count them), and for UDP a checksum (RFC 8200 §8.1 requires one).
    /// </summary>
    public static bool IsTranslatableFirstFragment(Ipv6Header ip, in Ipv6Chain chain)
    {
        if (chain.FragmentHeaderOffset < 0 || chain.UpperLayerOffset != chain.FragmentHeaderOffset + Nat64Translator.FragmentHeaderLength)
        {
            return false;
        }

        var data = ip.Packet.Slice(chain.UpperLayerOffset);
        return chain.UpperLayer == (byte)IpProtocol.Tcp
            || (chain.UpperLayer == (byte)IpProtocol.Udp && data.Length >= UdpHeader.Length && BinaryPrimitives.ReadUInt16BigEndian(data.Slice(6)) != 0);
    }

    /// <summary>
    /// An IPv4 real server's TCP or UDP reply (TTL above 1) to LIP4:lport: to the client as VIP:vport;
    /// a fragment (the first of a complete datagram or a later one) becomes one or more IPv6 fragments.
    /// A SYN-proxied connection's sequence number is shifted by <paramref name="sequenceShift"/>.
    /// </summary>
    public void ForwardReply(ReadOnlySpan<byte> frame, int l2Length, Ipv4Header ip, in Ipv6ConnectionEntry entry, RealServerState server, uint sequenceShift = 0)
    {
        var length = Ipv6Header.Length + ip.Payload.Length;
        if (ip.IsFragment || (!ip.DontFragment && length > Icmpv6ErrorWriter.MinimumMtu))
        {
            ForwardReplyInFragments(frame, l2Length, ip, in entry, server, sequenceShift);
            return;
        }

        if (length > _mtu)
        {
            RefuseTooBig(frame, ip);
            return;
        }

        var scratch = _egress.Scratch;
        frame.Slice(0, l2Length).CopyTo(scratch);
        BinaryPrimitives.WriteUInt16BigEndian(scratch.Slice(l2Length - 2), EtherTypeIpv6);
        Nat64Translator.ToIpv6(ip, scratch.Slice(l2Length), entry.VirtualAddress, entry.VirtualPort, entry.ClientAddress, entry.ClientPort);
        if (sequenceShift != 0 && ip.Protocol == IpProtocol.Tcp)
        {
            TcpSegmentWriter.ShiftSegmentSequence(scratch.Slice(l2Length + Ipv6Header.Length, length - Ipv6Header.Length), sequenceShift);
        }

        _egress.Mac.WriteTo(scratch.Slice(MacAddress.Length));
        server.OnOutbound(_egress.Worker, ip.TotalLength);
        _out.Transmit(scratch.Slice(0, l2Length + length), _out.NextHop(entry.ClientAddress));
    }

    // RFC 7915 §4.1: IPv6 fragments with a Fragment Header, each at most 1,280 bytes. The data is
    // copied once into the scratch buffer behind room for the headers; fragment k's frame starts
    // k × chunk bytes in, so its headers are written over the tail of fragment k − 1's data, which
    // has left already (sent, or copied by the neighbour table while the client resolves).
    private void ForwardReplyInFragments(ReadOnlySpan<byte> frame, int l2Length, Ipv4Header ip, in Ipv6ConnectionEntry entry, RealServerState server, uint sequenceShift)
    {
        var data = ip.Payload;
        var scratch = _egress.Scratch;
        var headers = l2Length + Ipv6Header.Length + Nat64Translator.FragmentHeaderLength;
        data.CopyTo(scratch.Slice(headers));
        if (ip.FragmentOffset == 0)
        {
            Nat64Translator.TranslateSegmentToIpv6(ip, scratch.Slice(headers, data.Length), entry.VirtualAddress, entry.VirtualPort, entry.ClientAddress, entry.ClientPort);
            if (sequenceShift != 0 && ip.Protocol == IpProtocol.Tcp)
            {
                // The first fragment holds the TCP header; its checksum covers the whole segment and is updated incrementally.
                TcpSegmentWriter.ShiftSegmentSequence(scratch.Slice(headers, data.Length), sequenceShift);
            }
        }

        server.OnOutbound(_egress.Worker, ip.TotalLength);
        var chunk = Nat64Translator.MaxFragmentData(_mtu);
        var nextHop = _out.NextHop(entry.ClientAddress);
        for (var start = 0; start < data.Length; start += chunk)
        {
            var size = Math.Min(chunk, data.Length - start);
            var output = scratch.Slice(start, headers + size);
            frame.Slice(0, l2Length).CopyTo(output);
            BinaryPrimitives.WriteUInt16BigEndian(output.Slice(l2Length - 2), EtherTypeIpv6);
            _egress.Mac.WriteTo(output.Slice(MacAddress.Length));
            var more = start + size < data.Length || ip.MoreFragments;
            Nat64Translator.WriteIpv6FragmentHeaders(output.Slice(l2Length), ip, size, ip.FragmentOffset + start, more, entry.VirtualAddress, entry.ClientAddress);
            _out.Transmit(output, nextHop);
        }
    }

    // RFC 7915 §4 (and RFC 1812 §4.2.2.5 for the router it acts as): fragmentation needed with the
    // MTU the IPv4 sender must use so that the translated packet fits, from the local address.
    private void RefuseTooBig(ReadOnlySpan<byte> frame, Ipv4Header ip)
    {
        // Only DF packets get here: without DF the reply was fragmented.
        _counters.Drop(DropReason.Nat64PacketTooBig);
        _icmpErrors.Send(frame, ip, IcmpHeader.TypeDestinationUnreachable, IcmpHeader.CodeFragmentationNeeded, (uint)(_mtu - Nat64Translator.HeaderGrowth), ip.Destination);
    }

    /// <summary>
    /// An ICMPv4 error from the real servers' side about a packet of a NAT64 connection: translated
    /// into ICMPv6 (RFC 7915 §4.2, <see cref="Icmpv4ToIcmpv6Translator"/>), from the VIP to the client.
    /// </summary>
    /// <returns>False when the error's type is not translated (the caller counts it).</returns>
    public bool ForwardIcmpError(ReadOnlySpan<byte> frame, int l2Length, Ipv4Header ip, IcmpHeader icmp, in Ipv6ConnectionEntry entry, RealServerState server)
    {
        var scratch = _egress.Scratch;
        frame.Slice(0, l2Length).CopyTo(scratch);
        BinaryPrimitives.WriteUInt16BigEndian(scratch.Slice(l2Length - 2), EtherTypeIpv6);
        if (!Icmpv4ToIcmpv6Translator.TryTranslate(ip, icmp, scratch.Slice(l2Length), entry.VirtualAddress, entry.ClientAddress, entry.ClientPort, entry.VirtualPort, _mtu, out var length))
        {
            return false;
        }

        _egress.Mac.WriteTo(scratch.Slice(MacAddress.Length));
        server.OnOutbound(_egress.Worker, ip.TotalLength);
        _counters._icmpErrorsForwarded++;
        _out.Transmit(scratch.Slice(0, l2Length + length), _out.NextHop(entry.ClientAddress));
        return true;
    }

    /// <summary>
    /// An ICMPv6 error from the client's side about a NAT64 connection (quoting VIP:vport →
    /// client:cport): translated into ICMPv4 (RFC 7915 §5.2, <see cref="Icmpv6ToIcmpv4Translator"/>)
    /// from the local address to the real server, packet too big becoming fragmentation needed.
    /// </summary>
    /// <returns>False when the error's type is not translated (the caller counts it).</returns>
    public bool ForwardIcmpv6Error(ReadOnlySpan<byte> frame, int l2Length, Ipv6Header ip, in Ipv6Chain chain, in Icmpv6QuotedPacket quoted, in Ipv6ConnectionEntry entry, RealServerState server)
    {
        if (ip.HopLimit <= 1)
        {
            // No error about an error (RFC 4443 §2.4(e.1)): one that would expire here is dropped.
            _counters.Drop(DropReason.TtlExceeded);
            return true;
        }

        var scratch = _egress.Scratch;
        frame.Slice(0, l2Length).CopyTo(scratch);
        BinaryPrimitives.WriteUInt16BigEndian(scratch.Slice(l2Length - 2), EtherTypeIpv4);
        NextIdentification();
        var serverPort = server.Port != 0 ? server.Port : entry.VirtualPort;
        if (!Icmpv6ToIcmpv4Translator.TryTranslate(ip, ip.Packet.Slice(chain.UpperLayerOffset), in quoted, scratch.Slice(l2Length), (uint)entry.LocalAddress.Low, server.Address, serverPort, entry.LocalPort, _identification, out var length))
        {
            return false;
        }

        _egress.Mac.WriteTo(scratch.Slice(MacAddress.Length));
        server.OnInbound(_egress.Worker, ip.Packet.Length);
        _counters._icmpv6ErrorsForwarded++;
        _egress.Transmit(scratch.Slice(0, l2Length + length), _egress.NextHop(server.Address));
        return true;
    }

    // Identifications of packets sent without DF: never 0 (RFC 6864 §4.1 asks them to be unique per flow; a counter is).
    private void NextIdentification()
    {
        _identification++;
        if (_identification == 0)
        {
            _identification = 1;
        }
    }
}
