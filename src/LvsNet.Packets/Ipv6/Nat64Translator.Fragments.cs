using System.Buffers.Binary;
using LvsNet.Packets.Writing;

namespace LvsNet.Packets.Ipv6;

/// <summary>
/// Fragments through NAT64, translated one by one (RFC 7915 §5.1.1 and §4.1) rather than
/// reassembled, translated and fragmented again: each fragment keeps its identification, offset and
/// more-fragments flag, so the receiver reassembles what the sender cut, and the director never has
/// to build a datagram larger than a frame.
/// </summary>
/// <remarks>
/// <para>IPv6 → IPv4 (§5.1.1): the Fragment Header is removed; the IPv4 header carries the low 16
/// bits of its identification, its offset and M as MF, DF clear, and the protocol of its next
/// header. The IPv4 fragment is 28 bytes shorter than the IPv6 one, so it always fits. A datagram
/// whose fragmentable part begins with extension headers is not translated (the offsets of the
/// later fragments count those headers, which IPv4 does not carry).</para>
/// <para>IPv4 → IPv6 (§4.1, §4): a Fragment Header is added with the IPv4 identification in its
/// low 16 bits (high bits 0), the offset and MF as M. A fragment, or an unfragmented packet without
/// DF, whose translation would exceed <see cref="MaxFragmentData"/>'s bound (1,280 bytes: the DF-clear
/// sender expects the network to fragment, and IPv6 routers do not, so nothing larger may leave) is
/// cut into several IPv6 fragments at multiples of 8 bytes; the last keeps the original's M.</para>
/// <para>Only the first fragment carries the TCP or UDP header: its ports and checksum are
/// translated as for an unfragmented packet. The checksum covers the whole datagram, and the
/// incremental update (the pseudo-header and ports only) stays right for it.</para>
/// </remarks>
public static partial class Nat64Translator
{
    /// <summary>The IPv6 Fragment Header's length.</summary>
    public const int FragmentHeaderLength = 8;

    /// <summary>
    /// The most data an IPv6 fragment made from IPv4 may carry: what fits min(<paramref name="mtu"/>,
    /// 1,280) after the fixed and fragment headers, in whole 8-byte units (1,232 bytes at 1,280).
    /// </summary>
    public static int MaxFragmentData(int mtu) =>
        (Math.Min(mtu, Icmpv6ErrorWriter.MinimumMtu) - Ipv6Header.Length - FragmentHeaderLength) & ~7;

    /// <summary>
    /// Writes the IPv4 fragment that the IPv6 fragment <paramref name="ip"/> becomes (RFC 7915 §5.1.1);
    /// the first fragment's ports and checksum are translated, later fragments' data is copied.
    /// </summary>
    /// <param name="ip">The IPv6 fragment; its hop limit must be above 1.</param>
    /// <param name="chain">Its walked chain, with its fragment header.</param>
    /// <param name="destination">Room for the IPv4 fragment.</param>
    /// <param name="source">The IPv4 source (the local address).</param>
    /// <param name="sourcePort">The new source port (the first fragment's).</param>
    /// <param name="target">The IPv4 destination (the real server).</param>
    /// <param name="destinationPort">The new destination port.</param>
    /// <returns>The IPv4 fragment's length, or 0 when it cannot be translated alone (not a TCP or UDP fragment, or extension headers in the fragmentable part).</returns>
    public static int ToIpv4Fragment(Ipv6Header ip, in Ipv6Chain chain, Span<byte> destination, uint source, ushort sourcePort, uint target, ushort destinationPort)
    {
        var packet = ip.Packet;
        var fragmentHeader = chain.FragmentHeaderOffset;
        if (!chain.IsFragment || fragmentHeader < 0 || chain.UpperLayerOffset != fragmentHeader + FragmentHeaderLength
            || packet[fragmentHeader] is not ((byte)IpProtocol.Tcp or (byte)IpProtocol.Udp))
        {
            return 0;
        }

        var protocol = packet[fragmentHeader];
        var data = packet.Slice(chain.UpperLayerOffset);
        var length = Ipv4Header.MinLength + data.Length;
        var flags = (ushort)((chain.MoreFragments ? Ipv4Header.MoreFragmentsFlag : 0) | (chain.FragmentOffset >> 3));
        Ipv4Writer.WriteHeader(destination, ip.TrafficClass, length, (ushort)chain.FragmentIdentification, flags, (byte)(ip.HopLimit - 1), (IpProtocol)protocol, source, target);
        var segment = destination.Slice(Ipv4Header.MinLength, data.Length);
        data.CopyTo(segment);
        if (chain.FragmentOffset == 0)
        {
            var oldSum = Icmpv6.PseudoHeaderSum(ip.Source, ip.Destination, protocol, data.Length);
            var newSum = TransportChecksum.PseudoHeaderSum(source, target, (IpProtocol)protocol, data.Length);
            RewriteTransport(segment, protocol, oldSum, newSum, sourcePort, destinationPort);
        }

        return length;
    }

    /// <summary>
    /// Writes the fixed header and the Fragment Header of one IPv6 fragment made from an IPv4 packet
    /// (RFC 7915 §4.1): <paramref name="dataLength"/> bytes of data follow them.
    /// </summary>
    /// <param name="destination">Room for 48 bytes.</param>
    /// <param name="ip">The IPv4 packet or fragment (traffic class, hop limit, protocol, identification).</param>
    /// <param name="dataLength">The fragment's data length.</param>
    /// <param name="offset">The fragment's offset in the datagram, in bytes (a multiple of 8).</param>
    /// <param name="more">The M flag.</param>
    /// <param name="source">The IPv6 source (the VIP).</param>
    /// <param name="target">The IPv6 destination (the client).</param>
    public static void WriteIpv6FragmentHeaders(Span<byte> destination, Ipv4Header ip, int dataLength, int offset, bool more, Ipv6Address source, Ipv6Address target)
    {
        Ipv6Writer.WriteHeader(destination, FragmentHeaderLength + dataLength, Ipv6ExtensionHeaders.Fragment, (byte)(ip.Ttl - 1), source, target);
        BinaryPrimitives.WriteUInt32BigEndian(destination, 0x6000_0000u | ((uint)ip.TypeOfService << 20));
        var header = destination.Slice(Ipv6Header.Length, FragmentHeaderLength);
        header[0] = (byte)ip.Protocol;
        header[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(header.Slice(2), (ushort)((offset & 0xFFF8) | (more ? 1 : 0)));
        BinaryPrimitives.WriteUInt32BigEndian(header.Slice(4), ip.Identification);
    }
}
