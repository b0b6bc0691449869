using System.Buffers.Binary;

namespace LvsNet.Packets.Ipv6;

/// <summary>Builds the echo reply (RFC 4443 §4.2) to an echo request addressed to a VIP.</summary>
public static class Icmpv6EchoWriter
{
    /// <summary>The hop limit of replies the director sends (the kernel's default, net.ipv6.conf.*.hop_limit).</summary>
    public const byte HopLimit = 64;

    /// <summary>
    /// Writes a whole Ethernet frame with the echo reply to <paramref name="request"/>: a fresh IPv6
    /// header without the request's extension headers (they were meant for this node, not for the
    /// way back), type 129, the request's identifier, sequence number and data, and the checksum
    /// over the new pseudo-header.
    /// </summary>
    /// <param name="frame">At least 14 + 40 + <paramref name="request"/>.Length bytes.</param>
    /// <param name="ethernetDestination">The next hop towards the requester.</param>
    /// <param name="ethernetSource">This host's MAC.</param>
    /// <param name="source">The reply's source: the address the request was sent to.</param>
    /// <param name="destination">The requester.</param>
    /// <param name="request">The echo request's ICMPv6 message (type, code, checksum, identifier, sequence, data).</param>
    /// <returns>The frame length.</returns>
    public static int WriteReplyFrame(Span<byte> frame, MacAddress ethernetDestination, MacAddress ethernetSource, Ipv6Address source, Ipv6Address destination, ReadOnlySpan<byte> request)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(request.Length, 8);
        ArgumentOutOfRangeException.ThrowIfLessThan(frame.Length, EthernetHeader.Length + Ipv6Header.Length + request.Length);
        var offset = Writing.EthernetWriter.WriteHeader(frame, ethernetDestination, ethernetSource, EtherType.Ipv6);
        Ipv6Writer.WriteHeader(frame.Slice(offset), request.Length, Ipv6ExtensionHeaders.Icmpv6, HopLimit, source, destination);
        var icmp = frame.Slice(offset + Ipv6Header.Length, request.Length);
        request.CopyTo(icmp);
        icmp[0] = Icmpv6.EchoReply;
        icmp[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(icmp.Slice(2), 0);
        BinaryPrimitives.WriteUInt16BigEndian(icmp.Slice(2), Icmpv6.Checksum(source, destination, Ipv6ExtensionHeaders.Icmpv6, icmp));
        return offset + Ipv6Header.Length + request.Length;
    }
}
