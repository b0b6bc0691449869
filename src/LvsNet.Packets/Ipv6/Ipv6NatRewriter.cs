using System.Buffers.Binary;
using LvsNet.Packets.Checksums;

namespace LvsNet.Packets.Ipv6;

/// <summary>
/// Address and port rewrites of an IPv6 packet, as IPVS NAT applies them to IPv6: IPv6 has no
/// header checksum, but TCP and UDP checksums cover the addresses through the pseudo-header, so
/// they are updated incrementally (RFC 1624) for the 128-bit address and the port.
/// </summary>
/// <remarks>
/// The caller has walked the chain (<see cref="Ipv6ExtensionHeaders.TryWalk"/>) and passes where
/// the upper layer starts. Ports and the checksum are only in an unfragmented packet or the first
/// fragment; a later fragment gets the address alone (the first one carries the checksum for the
/// whole datagram).
/// </remarks>
public static class Ipv6NatRewriter
{
    /// <summary>Rewrites the destination address and port (DNAT, client → real server).</summary>
    /// <param name="packet">The IPv6 packet, from its fixed header on.</param>
    /// <param name="chain">The packet's walked header chain.</param>
    /// <param name="address">The new destination address.</param>
    /// <param name="port">The new destination port.</param>
    public static void RewriteDestination(Span<byte> packet, in Ipv6Chain chain, Ipv6Address address, ushort port) =>
        Rewrite(packet, in chain, Ipv6Header.DestinationOffset, address, TcpHeader.DestinationPortOffset, port);

    /// <summary>Rewrites the source address and port (SNAT, real server → client).</summary>
    /// <param name="packet">The IPv6 packet, from its fixed header on.</param>
    /// <param name="chain">The packet's walked header chain.</param>
    /// <param name="address">The new source address.</param>
    /// <param name="port">The new source port.</param>
    public static void RewriteSource(Span<byte> packet, in Ipv6Chain chain, Ipv6Address address, ushort port) =>
        Rewrite(packet, in chain, Ipv6Header.SourceOffset, address, TcpHeader.SourcePortOffset, port);

    private static void Rewrite(Span<byte> packet, in Ipv6Chain chain, int addressOffset, Ipv6Address address, int portOffset, ushort port)
    {
        var oldAddress = Ipv6Address.Read(packet.Slice(addressOffset));
        address.WriteTo(packet.Slice(addressOffset));
        if (chain.FragmentOffset != 0)
        {
            return;
        }

        var checksumOffset = chain.UpperLayer switch
        {
            (byte)IpProtocol.Tcp => TcpHeader.ChecksumOffset,
            (byte)IpProtocol.Udp => UdpHeader.ChecksumOffset,
            _ => -1,
        };
        if (checksumOffset < 0)
        {
            return;
        }

        var transport = packet.Slice(chain.UpperLayerOffset);
        var oldPort = BinaryPrimitives.ReadUInt16BigEndian(transport.Slice(portOffset));
        BinaryPrimitives.WriteUInt16BigEndian(transport.Slice(portOffset), port);
        var checksum = BinaryPrimitives.ReadUInt16BigEndian(transport.Slice(checksumOffset));
        checksum = UpdateAddress(checksum, oldAddress, address);
        checksum = IncrementalChecksum.Update(checksum, oldPort, port);
        if (chain.UpperLayer == (byte)IpProtocol.Udp && checksum == 0)
        {
            // RFC 8200 §8.1: zero means "no checksum", which IPv6 UDP may not send.
            checksum = 0xFFFF;
        }

        BinaryPrimitives.WriteUInt16BigEndian(transport.Slice(checksumOffset), checksum);
    }

    /// <summary>Updates a checksum for a 128-bit address that changed (four 32-bit updates).</summary>
    public static ushort UpdateAddress(ushort checksum, Ipv6Address oldAddress, Ipv6Address newAddress)
    {
        checksum = IncrementalChecksum.Update(checksum, (uint)(oldAddress.High >> 32), (uint)(newAddress.High >> 32));
        checksum = IncrementalChecksum.Update(checksum, (uint)oldAddress.High, (uint)newAddress.High);
        checksum = IncrementalChecksum.Update(checksum, (uint)(oldAddress.Low >> 32), (uint)(newAddress.Low >> 32));
        return IncrementalChecksum.Update(checksum, (uint)oldAddress.Low, (uint)newAddress.Low);
    }
}
