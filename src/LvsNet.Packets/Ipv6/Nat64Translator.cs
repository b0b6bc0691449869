using System.Buffers.Binary;
using LvsNet.Packets.Checksums;
using LvsNet.Packets.Writing;

namespace LvsNet.Packets.Ipv6;

/// <summary>
/// IP/ICMP translation of TCP and UDP packets between IPv6 and IPv4 (RFC 7915 §4 and §5), as a
/// stateful NAT64 load balancer applies it: the addresses and ports are the connection's (not
/// derived from a prefix, RFC 6146's stateful form), the header fields are translated by the RFC's
/// rules, and the TCP or UDP checksum follows the new pseudo-header.
/// </summary>
/// <remarks>
/// <para>IPv6 → IPv4 (§5.1): TOS = traffic class, TTL = hop limit − 1 (the translator is a router),
/// protocol = the upper layer after the extension headers (which are dropped), DF set when the IPv4
/// packet is larger than 1,260 bytes and clear otherwise (then the identification is the caller's
/// non-zero value, RFC 6864), no options.</para>
/// <para>IPv4 → IPv6 (§4.1): traffic class = TOS, flow label 0, hop limit = TTL − 1, next header =
/// protocol; IPv4 options are ignored (§4.1: translated without them). Fragments, in either
/// direction, are translated one by one (Nat64Translator.Fragments.cs).</para>
/// <para>Checksums: the pseudo-headers of both families carry the same length and protocol, so the
/// TCP or UDP checksum is updated incrementally (RFC 1624) by the difference of the addresses and
/// ports, which gives the same value as a recomputation over the new pseudo-header. An IPv4 UDP
/// datagram without a checksum (0) is given one computed over the whole datagram (§4.5: IPv6
/// requires it). A UDP result of 0 is sent as 0xFFFF in both families (0 means "none").</para>
/// </remarks>
public static partial class Nat64Translator
{
    /// <summary>How much longer an IPv6 header is than an option-less IPv4 one.</summary>
    public const int HeaderGrowth = Ipv6Header.Length - Ipv4Header.MinLength;

    /// <summary>The largest translated IPv4 packet sent without DF (RFC 7915 §5.1: 1,280 − 20).</summary>
    public const int MaxLengthWithoutDontFragment = Icmpv6ErrorWriter.MinimumMtu - HeaderGrowth;

    /// <summary>The IPv4-mapped IPv6 address ::ffff:a.b.c.d of <paramref name="address"/> (RFC 4291 §2.5.5.2), how an IPv4 local address is held in the IPv6 connection table.</summary>
    public static Ipv6Address MapIpv4(uint address) => new(((UInt128)0xFFFF << 32) | address);

    /// <summary>
    /// Writes the IPv4 packet that <paramref name="ip"/> (a TCP or UDP packet, not a fragment) becomes:
    /// the header into <paramref name="destination"/>, then the upper layer with its source port
    /// <paramref name="sourcePort"/>, destination port <paramref name="destinationPort"/> and checksum updated.
    /// </summary>
    /// <param name="ip">The IPv6 packet; its hop limit must be above 1 (the caller answers the others).</param>
    /// <param name="chain">Its walked header chain (the upper layer's offset and protocol).</param>
    /// <param name="destination">Room for the IPv4 packet (20 bytes fewer than the IPv6 one at most).</param>
    /// <param name="source">The IPv4 source (the local address).</param>
    /// <param name="sourcePort">The new source port (the local port).</param>
    /// <param name="target">The IPv4 destination (the real server).</param>
    /// <param name="destinationPort">The new destination port.</param>
    /// <param name="identification">The identification for a packet sent without DF (ignored with DF).</param>
    /// <returns>The IPv4 packet's length.</returns>
    public static int ToIpv4(Ipv6Header ip, in Ipv6Chain chain, Span<byte> destination, uint source, ushort sourcePort, uint target, ushort destinationPort, ushort identification)
    {
        var transport = ip.Packet.Slice(chain.UpperLayerOffset);
        var length = Ipv4Header.MinLength + transport.Length;
        var dontFragment = length > MaxLengthWithoutDontFragment;
        Ipv4Writer.WriteHeader(
            destination, ip.TrafficClass, length, dontFragment ? (ushort)0 : identification, dontFragment ? Ipv4Header.DontFragmentFlag : (ushort)0,
            (byte)(ip.HopLimit - 1), (IpProtocol)chain.UpperLayer, source, target);
        var segment = destination.Slice(Ipv4Header.MinLength, transport.Length);
        transport.CopyTo(segment);
        var oldSum = Icmpv6.PseudoHeaderSum(ip.Source, ip.Destination, chain.UpperLayer, transport.Length);
        var newSum = TransportChecksum.PseudoHeaderSum(source, target, (IpProtocol)chain.UpperLayer, transport.Length);
        RewriteTransport(segment, chain.UpperLayer, oldSum, newSum, sourcePort, destinationPort);
        return length;
    }

    /// <summary>
    /// Writes the IPv6 packet that <paramref name="ip"/> (a TCP or UDP packet, not a fragment) becomes:
    /// the fixed header into <paramref name="destination"/>, then the upper layer with the new ports and checksum.
    /// </summary>
    /// <param name="ip">The IPv4 packet; its TTL must be above 1.</param>
    /// <param name="destination">Room for the IPv6 packet (<see cref="HeaderGrowth"/> bytes more than an option-less IPv4 one).</param>
    /// <param name="source">The IPv6 source (the VIP).</param>
    /// <param name="sourcePort">The new source port (the virtual port).</param>
    /// <param name="target">The IPv6 destination (the client).</param>
    /// <param name="destinationPort">The new destination port (the client's).</param>
    /// <returns>The IPv6 packet's length.</returns>
    public static int ToIpv6(Ipv4Header ip, Span<byte> destination, Ipv6Address source, ushort sourcePort, Ipv6Address target, ushort destinationPort)
    {
        var transport = ip.Payload;
        var protocol = (byte)ip.Protocol;
        Ipv6Writer.WriteHeader(destination, transport.Length, protocol, (byte)(ip.Ttl - 1), source, target);
        BinaryPrimitives.WriteUInt32BigEndian(destination, 0x6000_0000u | ((uint)ip.TypeOfService << 20));
        var segment = destination.Slice(Ipv6Header.Length, transport.Length);
        transport.CopyTo(segment);
        TranslateSegmentToIpv6(ip, segment, source, sourcePort, target, destinationPort);
        return Ipv6Header.Length + transport.Length;
    }

    /// <summary>
    /// Translates in place the upper layer of <paramref name="ip"/> (an unfragmented packet or a first
    /// fragment), already copied to <paramref name="segment"/>: the new ports and the checksum moved
    /// from the IPv4 to the IPv6 pseudo-header. A UDP checksum of 0 is computed over the segment, which
    /// must then be the whole datagram (§4.5; a fragmented one is the caller's to refuse).
    /// </summary>
    public static void TranslateSegmentToIpv6(Ipv4Header ip, Span<byte> segment, Ipv6Address source, ushort sourcePort, Ipv6Address target, ushort destinationPort)
    {
        var protocol = (byte)ip.Protocol;
        if (protocol == (byte)IpProtocol.Udp && BinaryPrimitives.ReadUInt16BigEndian(segment.Slice(UdpHeader.ChecksumOffset)) == 0)
        {
            // RFC 7915 §4.5: an IPv4 UDP datagram without a checksum gets one, over the whole datagram.
            BinaryPrimitives.WriteUInt16BigEndian(segment.Slice(UdpHeader.SourcePortOffset), sourcePort);
            BinaryPrimitives.WriteUInt16BigEndian(segment.Slice(UdpHeader.DestinationPortOffset), destinationPort);
            BinaryPrimitives.WriteUInt16BigEndian(segment.Slice(UdpHeader.ChecksumOffset), Icmpv6.Checksum(source, target, protocol, segment));
            return;
        }

        // Both pseudo-headers carry the same length and protocol: any common length cancels out.
        var oldSum = TransportChecksum.PseudoHeaderSum(ip.Source, ip.Destination, ip.Protocol, segment.Length);
        var newSum = Icmpv6.PseudoHeaderSum(source, target, protocol, segment.Length);
        RewriteTransport(segment, protocol, oldSum, newSum, sourcePort, destinationPort);
    }

    /// <summary>
    /// Adjusts <paramref name="checksum"/> for data whose ones'-complement sum went from
    /// <paramref name="oldSum"/> to <paramref name="newSum"/> (RFC 1624 equation 3 with the sums folded).
    /// </summary>
    public static ushort Adjust(ushort checksum, ulong oldSum, ulong newSum)
    {
        // Fold returns the complement of the folded sum: ~m is Fold(oldSum), m' is ~Fold(newSum).
        var sum = (ulong)(ushort)~checksum + InternetChecksum.Fold(oldSum) + (ushort)~InternetChecksum.Fold(newSum);
        sum = (sum & 0xFFFF) + (sum >> 16);
        sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }

    // New ports, and the checksum moved from the old pseudo-header and ports to the new ones.
    private static void RewriteTransport(Span<byte> segment, byte protocol, ulong oldSum, ulong newSum, ushort sourcePort, ushort destinationPort)
    {
        var checksumOffset = protocol == (byte)IpProtocol.Tcp ? TcpHeader.ChecksumOffset : UdpHeader.ChecksumOffset;
        oldSum += BinaryPrimitives.ReadUInt16BigEndian(segment) + (ulong)BinaryPrimitives.ReadUInt16BigEndian(segment.Slice(2));
        newSum += sourcePort + (ulong)destinationPort;
        BinaryPrimitives.WriteUInt16BigEndian(segment, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(segment.Slice(2), destinationPort);
        var checksum = Adjust(BinaryPrimitives.ReadUInt16BigEndian(segment.Slice(checksumOffset)), oldSum, newSum);
        if (protocol == (byte)IpProtocol.Udp && checksum == 0)
        {
            checksum = 0xFFFF;
        }

        BinaryPrimitives.WriteUInt16BigEndian(segment.Slice(checksumOffset), checksum);
    }
}
