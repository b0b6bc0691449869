using System.Buffers.Binary;
using LvsNet.Packets.Writing;

namespace LvsNet.Packets.Ipv6;

/// <summary>
/// ICMPv6 error → ICMPv4 error translation (RFC 7915 §5.2, the inner packet per §5.5): how a NAT64
/// translator tells an IPv4 real server what the client (or a router on the client's side) reported
/// about a reply of the server's connection, packet too big above all, so that its path MTU follows.
/// </summary>
/// <remarks>
/// <para>Types and codes (§5.2): destination unreachable 0, 2, 3 → host unreachable (3/1), 1 →
/// communication with the host administratively prohibited (3/10), 4 → port unreachable (3/3);
/// packet too big → fragmentation needed (3/4) carrying the MTU − 20 (at least 68); time exceeded
/// keeps its code (11/code); parameter problem code 1 (unrecognised next header) → protocol
/// unreachable (3/2); parameter problem code 0 (erroneous header field) → parameter problem 12/0
/// with the pointer moved to the same field of the IPv4 header (§5.2 Figure 6: 0 → 0, 1 → 1, 4 and
/// 5 → 2, 6 → 9, 7 → 8, 8–23 → 12, 24–39 → 16), not translated when it points at the flow label or
/// beyond the fixed header. Everything else (parameter problem code 2, unrecognised option, among
/// them) is not translated.</para>
/// <para>The inner packet becomes the IPv4 packet the real server sent (RIP:rport → LIP4:lport, TOS =
/// traffic class, TTL = the quoted hop limit, DF, total length from the quoted payload length
/// without the extension headers) followed by the quoted transport bytes, ports put back and the
/// checksum, when quoted, moved to the IPv4 pseudo-header. The error is cut to 576 bytes (RFC 1812
/// §4.3.2.3).</para>
/// </remarks>
public static class Icmpv6ToIcmpv4Translator
{
    /// <summary>The largest ICMPv4 error (RFC 1812 §4.3.2.3).</summary>
    public const int MaxErrorLength = 576;

    private const byte Ipv4DestinationUnreachable = 3;
    private const byte Ipv4TimeExceeded = 11;
    private const byte Ipv4ParameterProblem = 12;
    private const int IcmpHeaderLength = 8;
    private const int MinimumIpv4Mtu = 68;

    /// <summary>The ICMPv4 type, code and second header word of an ICMPv6 error; false when it is not translated.</summary>
    public static bool TryMapType(byte type, byte code, uint parameter, out byte type4, out byte code4, out uint restOfHeader)
    {
        type4 = Ipv4DestinationUnreachable;
        code4 = 0;
        restOfHeader = 0;
        switch (type)
        {
            case Icmpv6.DestinationUnreachable:
                switch (code)
                {
                    case 0 or 2 or 3:
                        code4 = 1;
                        return true;
                    case 1:
                        code4 = 10;
                        return true;
                    case 4:
                        code4 = 3;
                        return true;
                    default:
                        return false;
                }

            case Icmpv6.PacketTooBig:
                code4 = 4;
                restOfHeader = (uint)Math.Clamp((long)parameter - Nat64Translator.HeaderGrowth, MinimumIpv4Mtu, ushort.MaxValue);
                return true;
            case Icmpv6.TimeExceeded when code <= 1:
                type4 = Ipv4TimeExceeded;
                code4 = code;
                return true;
            case Icmpv6.ParameterProblem when code == 1:
                code4 = 2;
                return true;
            case Icmpv6.ParameterProblem when code == 0 && TryMapPointer(parameter, out var pointer4):
                // The ICMPv4 pointer is the first byte of the second word.
                type4 = Ipv4ParameterProblem;
                restOfHeader = (uint)pointer4 << 24;
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// RFC 7915 §5.2 Figure 6: the offset in an IPv4 header of the field an ICMPv6 parameter problem's
    /// pointer names in the IPv6 header; false for the flow label and anything past the fixed header.
    /// </summary>
    public static bool TryMapPointer(uint pointer6, out byte pointer4)
    {
        pointer4 = pointer6 switch
        {
            0 => 0,                 // version/traffic class → version/IHL
            1 => 1,                 // traffic class/flow label → type of service
            4 or 5 => 2,            // payload length → total length
            6 => 9,                 // next header → protocol
            7 => 8,                 // hop limit → time to live
            >= 8 and <= 23 => 12,   // source address
            >= 24 and <= 39 => 16,  // destination address
            _ => byte.MaxValue,     // flow label (2, 3) and the extension headers
        };
        return pointer4 != byte.MaxValue;
    }

    /// <summary>
    /// Writes the ICMPv4 error packet (IPv4 header onwards) that translates the ICMPv6 error
    /// <paramref name="message"/> (from <paramref name="ip"/>) quoting <paramref name="quoted"/>; false when it is not translated.
    /// </summary>
    /// <param name="ip">The ICMPv6 error's IPv6 packet (hop limit above 1).</param>
    /// <param name="message">Its ICMPv6 message.</param>
    /// <param name="quoted">The quote, read by <see cref="Icmpv6QuotedPacket.TryRead"/>.</param>
    /// <param name="destination">Room for <see cref="MaxErrorLength"/> bytes.</param>
    /// <param name="source">The error's IPv4 source (the local address).</param>
    /// <param name="target">Its destination (the real server).</param>
    /// <param name="serverPort">The real server's port (the quoted packet's new source port).</param>
    /// <param name="localPort">The local port (its new destination port).</param>
    /// <param name="identification">The outer header's identification (sent without DF).</param>
    /// <param name="length">The IPv4 packet's length.</param>
    public static bool TryTranslate(Ipv6Header ip, ReadOnlySpan<byte> message, in Icmpv6QuotedPacket quoted, Span<byte> destination, uint source, uint target, ushort serverPort, ushort localPort, ushort identification, out int length)
    {
        length = 0;
        if (message.Length < IcmpHeaderLength || !TryMapType(message[0], message[1], BinaryPrimitives.ReadUInt32BigEndian(message.Slice(4)), out var type4, out var code4, out var rest))
        {
            return false;
        }

        var quote = message.Slice(IcmpHeaderLength);
        var transport = quote.Slice(quoted.TransportOffset);
        var kept = Math.Min(transport.Length, MaxErrorLength - (2 * Ipv4Header.MinLength) - IcmpHeaderLength);
        var total = (2 * Ipv4Header.MinLength) + IcmpHeaderLength + kept;
        Ipv4Writer.WriteHeader(destination, ip.TrafficClass, total, identification, 0, (byte)(ip.HopLimit - 1), IpProtocol.Icmp, source, target);
        var icmp = destination.Slice(Ipv4Header.MinLength, total - Ipv4Header.MinLength);
        icmp[0] = type4;
        icmp[1] = code4;
        BinaryPrimitives.WriteUInt16BigEndian(icmp.Slice(2), 0);
        BinaryPrimitives.WriteUInt32BigEndian(icmp.Slice(4), rest);

        // The packet as the real server sent it: RIP:rport → LIP4:lport.
        var quotedPayload = BinaryPrimitives.ReadUInt16BigEndian(quote.Slice(4)) - (quoted.TransportOffset - Ipv6Header.Length);
        var innerTotal = Math.Clamp(Ipv4Header.MinLength + quotedPayload, Ipv4Header.MinLength, ushort.MaxValue);
        var trafficClass = (byte)(BinaryPrimitives.ReadUInt16BigEndian(quote) >> 4);
        var inner = icmp.Slice(IcmpHeaderLength);
        Ipv4Writer.WriteHeader(inner, trafficClass, innerTotal, 0, Ipv4Header.DontFragmentFlag, quote[Ipv6Header.HopLimitOffset], quoted.Protocol, target, source);
        var segment = inner.Slice(Ipv4Header.MinLength, kept);
        transport.Slice(0, kept).CopyTo(segment);
        var upperLength = innerTotal - Ipv4Header.MinLength;
        var oldSum = Icmpv6.PseudoHeaderSum(quoted.Source, quoted.Destination, (byte)quoted.Protocol, upperLength) + quoted.SourcePort + (ulong)quoted.DestinationPort;
        var newSum = TransportChecksum.PseudoHeaderSum(target, source, quoted.Protocol, upperLength) + serverPort + (ulong)localPort;
        BinaryPrimitives.WriteUInt16BigEndian(segment, serverPort);
        BinaryPrimitives.WriteUInt16BigEndian(segment.Slice(2), localPort);
        var checksumOffset = quoted.Protocol == IpProtocol.Tcp ? TcpHeader.ChecksumOffset : UdpHeader.ChecksumOffset;
        if (kept >= checksumOffset + 2)
        {
            var checksum = Nat64Translator.Adjust(BinaryPrimitives.ReadUInt16BigEndian(segment.Slice(checksumOffset)), oldSum, newSum);
            BinaryPrimitives.WriteUInt16BigEndian(segment.Slice(checksumOffset), quoted.Protocol == IpProtocol.Udp && checksum == 0 ? (ushort)0xFFFF : checksum);
        }

        BinaryPrimitives.WriteUInt16BigEndian(icmp.Slice(2), Checksums.InternetChecksum.Compute(icmp));
        length = total;
        return true;
    }
}
