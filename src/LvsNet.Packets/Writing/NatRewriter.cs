using System.Buffers.Binary;
using LvsNet.Packets.Checksums;

namespace LvsNet.Packets.Writing;

/// <summary>
/// Address and port rewrites of an IPv4 packet with incremental checksum updates (RFC 1624),
/// as IPVS NAT applies them.
/// </summary>
/// <remarks>
/// A UDP datagram that arrives with checksum 0 ("none") gets a full checksum after the rewrite (except a
/// first fragment, which keeps 0: the rest of the datagram is not there to sum), and
/// a computed UDP checksum of 0 is sent as 0xFFFF, as IPVS does. Ports are only rewritten in the
/// first fragment (or an unfragmented packet), where the transport header is present.
/// </remarks>
public static class NatRewriter
{
    /// <summary>Rewrites the destination address and port (DNAT, client → real server).</summary>
    public static void RewriteDestination(Span<byte> packet, uint address, ushort port) =>
        Rewrite(packet, Ipv4Header.DestinationOffset, address, TcpHeader.DestinationPortOffset, port);

    /// <summary>Rewrites the source address and port (SNAT, real server → client).</summary>
    public static void RewriteSource(Span<byte> packet, uint address, ushort port) =>
        Rewrite(packet, Ipv4Header.SourceOffset, address, TcpHeader.SourcePortOffset, port);

    /// <summary>
    /// Translates an ICMP error about a NAT connection (IPVS ip_vs_nat_icmp). Towards the real
    /// server (<paramref name="towardsServer"/>): the outer destination and the quoted packet's
    /// source address and port become the real server's. Towards the client: the outer source and
    /// the quoted packet's destination address and port become the VIP's. Both IP header
    /// checksums and the whole ICMP checksum are recomputed.
    /// </summary>
    /// <param name="packet">The IPv4 packet carrying the ICMP error (validated header, ICMP with a quoted IPv4 header and at least 4 bytes of its payload).</param>
    /// <param name="towardsServer">The direction.</param>
    /// <param name="address">The new address.</param>
    /// <param name="port">The new port.</param>
    public static void RewriteIcmpError(Span<byte> packet, bool towardsServer, uint address, ushort port)
    {
        var quoted = QuotedPacket(packet);
        var quotedHeaderLength = (quoted[0] & 0x0F) * 4;
        var outerSource = BinaryPrimitives.ReadUInt32BigEndian(packet.Slice(Ipv4Header.SourceOffset));
        var outerDestination = BinaryPrimitives.ReadUInt32BigEndian(packet.Slice(Ipv4Header.DestinationOffset));
        var quotedSource = BinaryPrimitives.ReadUInt32BigEndian(quoted.Slice(Ipv4Header.SourceOffset));
        var quotedDestination = BinaryPrimitives.ReadUInt32BigEndian(quoted.Slice(Ipv4Header.DestinationOffset));
        var quotedSourcePort = BinaryPrimitives.ReadUInt16BigEndian(quoted.Slice(quotedHeaderLength + TcpHeader.SourcePortOffset));
        var quotedDestinationPort = BinaryPrimitives.ReadUInt16BigEndian(quoted.Slice(quotedHeaderLength + TcpHeader.DestinationPortOffset));
        if (towardsServer)
        {
            RewriteIcmpError(packet, outerSource, address, address, port, quotedDestination, quotedDestinationPort);
        }
        else
        {
            RewriteIcmpError(packet, address, outerDestination, quotedSource, quotedSourcePort, address, port);
        }
    }

    /// <summary>
    /// Translates an ICMP error about a FULLNAT connection, where both ends of the quoted packet
    /// change: the outer addresses and the quoted packet's addresses and ports are all set. Both IP
    /// header checksums and the whole ICMP checksum are recomputed.
    /// </summary>
    /// <param name="packet">The IPv4 packet carrying the ICMP error (validated header, ICMP with a quoted IPv4 header and at least 4 bytes of its payload).</param>
    /// <param name="outerSource">The new outer source address.</param>
    /// <param name="outerDestination">The new outer destination address.</param>
    /// <param name="quotedSource">The quoted packet's new source address.</param>
    /// <param name="quotedSourcePort">The quoted packet's new source port.</param>
    /// <param name="quotedDestination">The quoted packet's new destination address.</param>
    /// <param name="quotedDestinationPort">The quoted packet's new destination port.</param>
    public static void RewriteIcmpError(Span<byte> packet, uint outerSource, uint outerDestination, uint quotedSource, ushort quotedSourcePort, uint quotedDestination, ushort quotedDestinationPort)
    {
        var quoted = QuotedPacket(packet);
        var quotedHeaderLength = (quoted[0] & 0x0F) * 4;
        BinaryPrimitives.WriteUInt32BigEndian(packet.Slice(Ipv4Header.SourceOffset), outerSource);
        BinaryPrimitives.WriteUInt32BigEndian(packet.Slice(Ipv4Header.DestinationOffset), outerDestination);
        BinaryPrimitives.WriteUInt32BigEndian(quoted.Slice(Ipv4Header.SourceOffset), quotedSource);
        BinaryPrimitives.WriteUInt32BigEndian(quoted.Slice(Ipv4Header.DestinationOffset), quotedDestination);
        BinaryPrimitives.WriteUInt16BigEndian(quoted.Slice(quotedHeaderLength + TcpHeader.SourcePortOffset), quotedSourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(quoted.Slice(quotedHeaderLength + TcpHeader.DestinationPortOffset), quotedDestinationPort);
        Ipv4Writer.UpdateChecksum(quoted);
        var icmp = packet.Slice((packet[0] & 0x0F) * 4, BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(Ipv4Header.TotalLengthOffset)) - ((packet[0] & 0x0F) * 4));
        BinaryPrimitives.WriteUInt16BigEndian(icmp.Slice(2), 0);
        BinaryPrimitives.WriteUInt16BigEndian(icmp.Slice(2), InternetChecksum.Compute(icmp));
        Ipv4Writer.UpdateChecksum(packet);
    }

    private static Span<byte> QuotedPacket(Span<byte> packet)
    {
        var headerLength = (packet[0] & 0x0F) * 4;
        var totalLength = BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(Ipv4Header.TotalLengthOffset));
        return packet.Slice(headerLength + IcmpHeader.Length, totalLength - headerLength - IcmpHeader.Length);
    }

    private static void Rewrite(Span<byte> packet, int addressOffset, uint address, int portOffset, ushort port)
    {
        var headerLength = (packet[0] & 0x0F) * 4;
        var oldAddress = BinaryPrimitives.ReadUInt32BigEndian(packet.Slice(addressOffset));
        BinaryPrimitives.WriteUInt32BigEndian(packet.Slice(addressOffset), address);
        var ipChecksum = BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(Ipv4Header.ChecksumOffset));
        BinaryPrimitives.WriteUInt16BigEndian(packet.Slice(Ipv4Header.ChecksumOffset), IncrementalChecksum.Update(ipChecksum, oldAddress, address));

        var flagsAndFragmentOffset = BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(Ipv4Header.FlagsOffset));
        if ((flagsAndFragmentOffset & 0x1FFF) != 0)
        {
            return;
        }

        var totalLength = BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(Ipv4Header.TotalLengthOffset));
        var l4 = packet.Slice(headerLength, totalLength - headerLength);
        switch ((IpProtocol)packet[Ipv4Header.ProtocolOffset])
        {
            case IpProtocol.Tcp when l4.Length >= TcpHeader.MinLength:
            {
                var oldPort = BinaryPrimitives.ReadUInt16BigEndian(l4.Slice(portOffset));
                BinaryPrimitives.WriteUInt16BigEndian(l4.Slice(portOffset), port);
                var checksum = BinaryPrimitives.ReadUInt16BigEndian(l4.Slice(TcpHeader.ChecksumOffset));
                checksum = IncrementalChecksum.Update(checksum, oldAddress, address);
                checksum = IncrementalChecksum.Update(checksum, oldPort, port);
                BinaryPrimitives.WriteUInt16BigEndian(l4.Slice(TcpHeader.ChecksumOffset), checksum);
                break;
            }

            case IpProtocol.Udp when l4.Length >= UdpHeader.Length:
            {
                var oldPort = BinaryPrimitives.ReadUInt16BigEndian(l4.Slice(portOffset));
                BinaryPrimitives.WriteUInt16BigEndian(l4.Slice(portOffset), port);
                var checksum = BinaryPrimitives.ReadUInt16BigEndian(l4.Slice(UdpHeader.ChecksumOffset));
                if (checksum == 0 && (flagsAndFragmentOffset & Ipv4Header.MoreFragmentsFlag) != 0)
                {
                    // A first fragment without a checksum: the rest of the datagram is not here to sum, and 0 ("none") stays valid.
                    break;
                }

                if (checksum == 0)
                {
                    checksum = ComputeUdpChecksum(packet, l4);
                }
                else
                {
                    checksum = IncrementalChecksum.Update(checksum, oldAddress, address);
                    checksum = IncrementalChecksum.Update(checksum, oldPort, port);
                }

                BinaryPrimitives.WriteUInt16BigEndian(l4.Slice(UdpHeader.ChecksumOffset), checksum == 0 ? (ushort)0xFFFF : checksum);
                break;
            }

            default:
                break;
        }
    }

    private static ushort ComputeUdpChecksum(ReadOnlySpan<byte> packet, Span<byte> datagram)
    {
        int udpLength = BinaryPrimitives.ReadUInt16BigEndian(datagram.Slice(UdpHeader.LengthOffset));
        udpLength = Math.Min(udpLength, datagram.Length);
        BinaryPrimitives.WriteUInt16BigEndian(datagram.Slice(UdpHeader.ChecksumOffset), 0);
        var source = BinaryPrimitives.ReadUInt32BigEndian(packet.Slice(Ipv4Header.SourceOffset));
        var destination = BinaryPrimitives.ReadUInt32BigEndian(packet.Slice(Ipv4Header.DestinationOffset));
        return TransportChecksum.Compute(source, destination, IpProtocol.Udp, datagram.Slice(0, udpLength));
    }
}
