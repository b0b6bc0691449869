using System.Buffers.Binary;
using LvsNet.Packets.Checksums;

namespace LvsNet.Packets.Ipv6;

/// <summary>
/// Rewrites an ICMPv6 error about a NAT or FULLNAT connection in place, as IPVS's
/// ip_vs_nat_icmp_v6 does: the outer addresses, the quoted packet's addresses and ports, the quoted
/// TCP or UDP checksum when it was quoted (incrementally, RFC 1624: the quoted pseudo-header's
/// length and protocol do not change) and the ICMPv6 checksum (recomputed over the new
/// pseudo-header, RFC 4443 §2.3).
/// </summary>
public static class Icmpv6ErrorRewriter
{
    /// <summary>Rewrites the error in <paramref name="packet"/> (its IPv6 packet, fixed header first).</summary>
    /// <param name="packet">The IPv6 packet carrying the error.</param>
    /// <param name="messageOffset">Where the ICMPv6 message starts in <paramref name="packet"/>.</param>
    /// <param name="quoted">The quoted packet as read by <see cref="Icmpv6QuotedPacket.TryRead"/>.</param>
    /// <param name="outerSource">The error's new source.</param>
    /// <param name="outerDestination">The error's new destination.</param>
    /// <param name="quotedSource">The quoted packet's new source address.</param>
    /// <param name="quotedSourcePort">Its new source port.</param>
    /// <param name="quotedDestination">Its new destination address.</param>
    /// <param name="quotedDestinationPort">Its new destination port.</param>
    public static void Rewrite(
        Span<byte> packet, int messageOffset, in Icmpv6QuotedPacket quoted, Ipv6Address outerSource, Ipv6Address outerDestination,
        Ipv6Address quotedSource, ushort quotedSourcePort, Ipv6Address quotedDestination, ushort quotedDestinationPort)
    {
        var message = packet.Slice(messageOffset);
        var quote = message.Slice(8);
        var transport = quote.Slice(quoted.TransportOffset);
        var checksumOffset = quoted.Protocol == IpProtocol.Tcp ? TcpHeader.ChecksumOffset : UdpHeader.ChecksumOffset;
        if (transport.Length >= checksumOffset + 2)
        {
            var checksum = BinaryPrimitives.ReadUInt16BigEndian(transport.Slice(checksumOffset));
            if (checksum != 0 || quoted.Protocol == IpProtocol.Tcp)
            {
                checksum = Ipv6NatRewriter.UpdateAddress(checksum, quoted.Source, quotedSource);
                checksum = Ipv6NatRewriter.UpdateAddress(checksum, quoted.Destination, quotedDestination);
                checksum = IncrementalChecksum.Update(checksum, quoted.SourcePort, quotedSourcePort);
                checksum = IncrementalChecksum.Update(checksum, quoted.DestinationPort, quotedDestinationPort);
                BinaryPrimitives.WriteUInt16BigEndian(transport.Slice(checksumOffset), quoted.Protocol == IpProtocol.Udp && checksum == 0 ? (ushort)0xFFFF : checksum);
            }
        }

        quotedSource.WriteTo(quote.Slice(Ipv6Header.SourceOffset));
        quotedDestination.WriteTo(quote.Slice(Ipv6Header.DestinationOffset));
        BinaryPrimitives.WriteUInt16BigEndian(transport, quotedSourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(transport.Slice(2), quotedDestinationPort);
        outerSource.WriteTo(packet.Slice(Ipv6Header.SourceOffset));
        outerDestination.WriteTo(packet.Slice(Ipv6Header.DestinationOffset));
        BinaryPrimitives.WriteUInt16BigEndian(message.Slice(2), 0);
        BinaryPrimitives.WriteUInt16BigEndian(message.Slice(2), Icmpv6.Checksum(outerSource, outerDestination, Ipv6ExtensionHeaders.Icmpv6, message));
    }
}
