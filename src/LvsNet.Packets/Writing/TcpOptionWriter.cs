using System.Buffers.Binary;
using LvsNet.Packets.Checksums;

namespace LvsNet.Packets.Writing;

/// <summary>Inserts TCP options into a segment in place.</summary>
public static class TcpOptionWriter
{
    /// <summary>The option kind of TOA ("TCP option address"), as the TOA kernel module and DPVS use it.</summary>
    public const byte ToaKind = 254;

    /// <summary>The TOA option's length: kind, length, port (2), IPv4 address (4).</summary>
    public const int ToaLength = 8;

    /// <summary>
    /// The TOA option's length with an IPv6 client address: kind 254, length 20, port (2), IPv6
    /// address (16). DPVS chooses the length by the client's family (<c>TCP_OLEN_IP6_ADDR</c>), not
    /// by the packet's, so NAT64 carries this one inside an IPv4 packet too.
    /// </summary>
    public const int Toa6Length = 20;

    /// <summary>The largest TCP header (data offset 15 words).</summary>
    public const int MaxTcpHeaderLength = 60;

    /// <summary>
    /// Inserts a TOA option carrying <paramref name="address"/>:<paramref name="port"/> first in the
    /// options of the TCP segment in <paramref name="packet"/> (before any end-of-list option that
    /// would hide it): the existing options and the payload move 8 bytes up, the data offset and the IPv4 total length grow by 8, and both checksums are recomputed.
    /// Sequence numbers do not change (options take no sequence space).
    /// </summary>
    /// <param name="packet">An unfragmented IPv4 packet (validated header) carrying a TCP segment, followed by room to grow.</param>
    /// <param name="maxLength">The largest total length the packet may reach (the path MTU, capped by the span's length).</param>
    /// <param name="address">The client's address to carry.</param>
    /// <param name="port">The client's port to carry.</param>
    /// <returns>The new total length, or -1 (packet unchanged) when the TCP header or the MTU has no room for 8 more bytes.</returns>
    public static int InsertToa(Span<byte> packet, int maxLength, uint address, ushort port)
    {
        Span<byte> value = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(value, address);
        return InsertIntoIpv4(packet, maxLength, value, port);
    }

    /// <summary>Inserts a TOA option of 4 + <paramref name="address"/>'s length bytes first in the options of the TCP segment in the IPv4 <paramref name="packet"/>; -1 (unchanged) when there is no room.</summary>
    internal static int InsertIntoIpv4(Span<byte> packet, int maxLength, ReadOnlySpan<byte> address, ushort port)
    {
        var optionLength = 4 + address.Length;
        var ipHeaderLength = (packet[0] & 0x0F) * 4;
        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(Ipv4Header.TotalLengthOffset));
        var tcpHeaderLength = (packet[ipHeaderLength + TcpHeader.DataOffsetOffset] >> 4) * 4;
        var newLength = totalLength + optionLength;
        if (tcpHeaderLength + optionLength > MaxTcpHeaderLength || newLength > Math.Min(maxLength, packet.Length))
        {
            return -1;
        }

        var optionsStart = ipHeaderLength + TcpHeader.MinLength;
        packet.Slice(optionsStart, totalLength - optionsStart).CopyTo(packet.Slice(optionsStart + optionLength));
        var option = packet.Slice(optionsStart, optionLength);
        option[0] = ToaKind;
        option[1] = (byte)optionLength;
        BinaryPrimitives.WriteUInt16BigEndian(option.Slice(2), port);
        address.CopyTo(option.Slice(4));

        var segment = packet.Slice(ipHeaderLength, newLength - ipHeaderLength);
        segment[TcpHeader.DataOffsetOffset] = (byte)((((tcpHeaderLength + optionLength) / 4) << 4) | (segment[TcpHeader.DataOffsetOffset] & 0x0F));
        BinaryPrimitives.WriteUInt16BigEndian(packet.Slice(Ipv4Header.TotalLengthOffset), (ushort)newLength);
        Ipv4Writer.UpdateChecksum(packet);

        BinaryPrimitives.WriteUInt16BigEndian(segment.Slice(TcpHeader.ChecksumOffset), 0);
        var source = BinaryPrimitives.ReadUInt32BigEndian(packet.Slice(Ipv4Header.SourceOffset));
        var destination = BinaryPrimitives.ReadUInt32BigEndian(packet.Slice(Ipv4Header.DestinationOffset));
        BinaryPrimitives.WriteUInt16BigEndian(segment.Slice(TcpHeader.ChecksumOffset), TransportChecksum.Compute(source, destination, IpProtocol.Tcp, segment));
        return newLength;
    }
}
