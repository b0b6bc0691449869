using System.Buffers.Binary;

namespace LvsNet.Packets.Ipv6;

/// <summary>
/// ICMPv4 error → ICMPv6 error translation (RFC 7915 §4.2), the inner packet included (§4.5): how a
/// NAT64 translator tells an IPv6 client what an IPv4 real server (or a router on its side)
/// reported about a packet of the client's connection.
/// </summary>
/// <remarks>
/// <para>Types and codes (§4.2): destination unreachable 0, 1, 5, 6, 7, 8, 11, 12 → no route (1/0);
/// 2 (protocol unreachable) → parameter problem 4/1 pointing at the next header (6); 3 → port
/// unreachable (1/4); 4 (fragmentation needed) → packet too big carrying min(MTU + 20, the
/// director's MTU), with the RFC 1191 plateau below the quoted length when the MTU field is 0; 9,
/// 10, 13, 15 → administratively prohibited (1/1). Time exceeded keeps its code (3/code). Parameter
/// problem codes 0 and 2 → parameter problem 4/0 with the pointer moved to the same field of the
/// IPv6 header (§4.2 Figure 3: 0 → 0, 1 → 1, 2 and 3 → 4, 8 → 7, 9 → 6, 12–15 → 8, 16–19 → 24);
/// a pointer at a field IPv6 does not have (identification, flags, fragment offset, checksum,
/// options) and code 1 (missing option) are not translated. Everything else (14, source quench,
/// redirects, informational types) is not translated (§4.2 drops them).</para>
/// <para>The inner packet becomes the IPv6 header of the packet as the client sent it (client:cport →
/// VIP:vport: traffic class = TOS, payload length from the quoted total length, hop limit = quoted
/// TTL) followed by the quoted transport bytes with the ports put back and the checksum, when
/// quoted, moved to the IPv6 pseudo-header. The message is cut to fit 1,280 bytes (RFC 4443 §2.4(c)).</para>
/// </remarks>
public static class Icmpv4ToIcmpv6Translator
{
    private const byte Ipv4DestinationUnreachable = 3;
    private const byte Ipv4TimeExceeded = 11;
    private const byte Ipv4ParameterProblem = 12;
    private const int IcmpHeaderLength = 8;

    // RFC 1191 §7: the MTU plateaus, for routers that send fragmentation needed with MTU 0.
    private static ReadOnlySpan<ushort> Plateaus => [65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68];

    /// <summary>The ICMPv6 type and code of an ICMPv4 error, and its 32-bit parameter; false when it is not translated.</summary>
    /// <param name="type">The ICMPv4 type.</param>
    /// <param name="code">The ICMPv4 code.</param>
    /// <param name="restOfHeader">The ICMPv4 header's second word (the next-hop MTU for fragmentation needed).</param>
    /// <param name="quotedLength">The quoted IPv4 packet's total length (for the plateau).</param>
    /// <param name="mtu">The MTU of the director's link towards the client.</param>
    /// <param name="type6">The ICMPv6 type.</param>
    /// <param name="code6">The ICMPv6 code.</param>
    /// <param name="parameter">The ICMPv6 header's second word.</param>
    public static bool TryMapType(byte type, byte code, uint restOfHeader, int quotedLength, int mtu, out byte type6, out byte code6, out uint parameter)
    {
        type6 = code6 = 0;
        parameter = 0;
        if (type == Ipv4TimeExceeded)
        {
            if (code > 1)
            {
                return false;
            }

            type6 = Icmpv6.TimeExceeded;
            code6 = code;
            return true;
        }

        if (type == Ipv4ParameterProblem)
        {
            // Codes 0 (pointer indicates the error) and 2 (bad length); the pointer is the first byte of the second word.
            if (code is not (0 or 2) || !TryMapPointer((byte)(restOfHeader >> 24), out var pointer6))
            {
                return false;
            }

            type6 = Icmpv6.ParameterProblem;
            parameter = pointer6;
            return true;
        }

        if (type != Ipv4DestinationUnreachable)
        {
            return false;
        }

        switch (code)
        {
            case 0 or 1 or 5 or 6 or 7 or 8 or 11 or 12:
                type6 = Icmpv6.DestinationUnreachable;
                return true;
            case 2:
                type6 = Icmpv6.ParameterProblem;
                code6 = 1;
                parameter = 6;
                return true;
            case 3:
                type6 = Icmpv6.DestinationUnreachable;
                code6 = 4;
                return true;
            case 4:
                var advertised = (int)(restOfHeader & 0xFFFF);
                if (advertised == 0)
                {
                    advertised = 68;
                    foreach (var plateau in Plateaus)
                    {
                        if (plateau < quotedLength)
                        {
                            advertised = plateau;
                            break;
                        }
                    }
                }

                type6 = Icmpv6.PacketTooBig;
                parameter = (uint)Math.Min(advertised + Nat64Translator.HeaderGrowth, mtu);
                return true;
            case 9 or 10 or 13 or 15:
                type6 = Icmpv6.DestinationUnreachable;
                code6 = 1;
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// RFC 7915 §4.2 Figure 3: the offset in an IPv6 header of the field an ICMPv4 parameter problem's
    /// pointer names in the IPv4 header; false for the fields IPv6 has no counterpart of.
    /// </summary>
    public static bool TryMapPointer(byte pointer4, out byte pointer6)
    {
        pointer6 = pointer4 switch
        {
            0 => 0,                 // version/IHL → version/traffic class
            1 => 1,                 // type of service → traffic class
            2 or 3 => 4,            // total length → payload length
            8 => 7,                 // time to live → hop limit
            9 => 6,                 // protocol → next header
            >= 12 and <= 15 => 8,   // source address
            >= 16 and <= 19 => 24,  // destination address
            _ => byte.MaxValue,     // identification, flags/fragment offset, header checksum, options
        };
        return pointer6 != byte.MaxValue;
    }

    /// <summary>
    /// Writes the ICMPv6 error packet (IPv6 header onwards) that translates the ICMPv4 error
    /// <paramref name="icmp"/> (from <paramref name="ip"/>) about a TCP or UDP packet of a NAT64
    /// connection; false, writing nothing useful, when the error is not translated.
    /// </summary>
    /// <param name="ip">The ICMPv4 error's IPv4 packet (TTL above 1).</param>
    /// <param name="icmp">Its ICMP message.</param>
    /// <param name="destination">Room for <see cref="Icmpv6ErrorWriter.MinimumMtu"/> bytes.</param>
    /// <param name="source">The translated error's source (the VIP).</param>
    /// <param name="target">Its destination (the client).</param>
    /// <param name="clientPort">The client's port (the quoted packet's new source port).</param>
    /// <param name="virtualPort">The virtual port (the quoted packet's new destination port).</param>
    /// <param name="mtu">The MTU of the link towards the client.</param>
    /// <param name="length">The IPv6 packet's length.</param>
    public static bool TryTranslate(Ipv4Header ip, IcmpHeader icmp, Span<byte> destination, Ipv6Address source, Ipv6Address target, ushort clientPort, ushort virtualPort, int mtu, out int length)
    {
        length = 0;
        if (!Ipv4Header.TryParseQuoted(icmp.Payload, out var quoted) || quoted.Protocol is not (IpProtocol.Tcp or IpProtocol.Udp) || quoted.Payload.Length < 4
            || !TryMapType(icmp.Type, icmp.Code, icmp.RestOfHeader, BinaryPrimitives.ReadUInt16BigEndian(quoted.Packet.Slice(2)), mtu, out var type6, out var code6, out var parameter))
        {
            return false;
        }

        // Outer IPv6 header, ICMPv6 header, inner IPv6 header, then as much of the quoted transport as fits in 1,280 bytes.
        var transport = quoted.Payload;
        var room = Icmpv6ErrorWriter.MinimumMtu - (2 * Ipv6Header.Length) - IcmpHeaderLength;
        var kept = Math.Min(transport.Length, room);
        var messageLength = IcmpHeaderLength + Ipv6Header.Length + kept;
        Ipv6Writer.WriteHeader(destination, messageLength, Ipv6ExtensionHeaders.Icmpv6, (byte)(ip.Ttl - 1), source, target);
        var message = destination.Slice(Ipv6Header.Length, messageLength);
        message[0] = type6;
        message[1] = code6;
        BinaryPrimitives.WriteUInt16BigEndian(message.Slice(2), 0);
        BinaryPrimitives.WriteUInt32BigEndian(message.Slice(4), parameter);

        // The packet as the client sent it: client:cport → VIP:vport.
        var inner = message.Slice(IcmpHeaderLength);
        var quotedTotal = BinaryPrimitives.ReadUInt16BigEndian(quoted.Packet.Slice(2));
        var payloadLength = Math.Max(0, quotedTotal - quoted.HeaderLength);
        Ipv6Writer.WriteHeader(inner, payloadLength, (byte)quoted.Protocol, quoted.Ttl, target, source);
        BinaryPrimitives.WriteUInt32BigEndian(inner, 0x6000_0000u | ((uint)quoted.TypeOfService << 20));
        var segment = inner.Slice(Ipv6Header.Length, kept);
        transport.Slice(0, kept).CopyTo(segment);
        var oldSum = TransportChecksum.PseudoHeaderSum(quoted.Source, quoted.Destination, quoted.Protocol, payloadLength)
            + BinaryPrimitives.ReadUInt16BigEndian(segment) + (ulong)BinaryPrimitives.ReadUInt16BigEndian(segment.Slice(2));
        var newSum = Icmpv6.PseudoHeaderSum(target, source, (byte)quoted.Protocol, payloadLength) + clientPort + (ulong)virtualPort;
        BinaryPrimitives.WriteUInt16BigEndian(segment, clientPort);
        BinaryPrimitives.WriteUInt16BigEndian(segment.Slice(2), virtualPort);
        var checksumOffset = quoted.Protocol == IpProtocol.Tcp ? 16 : 6;
        if (kept >= checksumOffset + 2)
        {
            var checksum = BinaryPrimitives.ReadUInt16BigEndian(segment.Slice(checksumOffset));
            if (quoted.Protocol == IpProtocol.Tcp || checksum != 0)
            {
                checksum = Nat64Translator.Adjust(checksum, oldSum, newSum);
                BinaryPrimitives.WriteUInt16BigEndian(segment.Slice(checksumOffset), quoted.Protocol == IpProtocol.Udp && checksum == 0 ? (ushort)0xFFFF : checksum);
            }
        }

        BinaryPrimitives.WriteUInt16BigEndian(message.Slice(2), Icmpv6.Checksum(source, target, Ipv6ExtensionHeaders.Icmpv6, message));
        length = Ipv6Header.Length + messageLength;
        return true;
    }
}
