using System.Buffers.Binary;
using LvsNet.Packets.Checksums;
using LvsNet.Packets.Writing;

namespace LvsNet.Packets.Ipv6;

/// <summary>The TOA option for IPv6 clients (DPVS's 20-byte <c>tcpopt_ip6_addr</c>): in IPv6 FULLNAT segments and in NAT64's IPv4 segments.</summary>
public static class Ipv6TcpOptionWriter
{
    /// <summary>
    /// NAT64 (an IPv6 client, an IPv4 real server): inserts the 20-byte TOA option carrying the
    /// client's IPv6 <paramref name="address"/>:<paramref name="port"/> first in the options of the
    /// TCP segment in the IPv4 <paramref name="packet"/>, as DPVS does for a connection whose client is
    /// IPv6; otherwise as <see cref="TcpOptionWriter.InsertToa(Span{byte}, int, uint, ushort)"/>.
    /// </summary>
    /// <param name="packet">An unfragmented IPv4 packet (validated header) carrying a TCP segment, followed by room to grow.</param>
    /// <param name="maxLength">The largest total length the packet may reach (the path MTU, capped by the span's length).</param>
    /// <param name="address">The client's IPv6 address.</param>
    /// <param name="port">The client's port.</param>
    /// <returns>The new total length, or -1 (packet unchanged) when the TCP header or the MTU has no room for 20 more bytes.</returns>
    public static int InsertToa(Span<byte> packet, int maxLength, Ipv6Address address, ushort port)
    {
        Span<byte> value = stackalloc byte[Ipv6Address.Length];
        address.WriteTo(value);
        return TcpOptionWriter.InsertIntoIpv4(packet, maxLength, value, port);
    }

    /// <summary>
    /// IPv6 FULLNAT: inserts the 20-byte TOA option (kind 254, length 20, port, IPv6 address; DPVS's
    /// <c>tcpopt_ip6_addr</c>) first in the options of the TCP segment at <paramref name="tcpOffset"/>
    /// of the IPv6 <paramref name="packet"/>: the options and the payload move 20 bytes up, the data
    /// offset grows by 5 words and the payload length by 20, and the TCP checksum is updated
    /// incrementally (RFC 1624) for the option's words, the data offset and the pseudo-header's
    /// length, so it stays right whatever the pseudo-header's addresses are.
    /// </summary>
    /// <param name="packet">An unfragmented IPv6 packet from its fixed header on (its payload length validated), followed by room to grow.</param>
    /// <param name="tcpOffset">The TCP header's offset in <paramref name="packet"/> (after any extension headers).</param>
    /// <param name="maxLength">The largest packet the path takes (the MTU, capped by the span's length).</param>
    /// <param name="address">The client's address.</param>
    /// <param name="port">The client's port.</param>
    /// <returns>The new packet length (fixed header included), or -1 (packet unchanged) when the TCP header or the MTU has no room for 20 more bytes.</returns>
    public static int InsertToa6(Span<byte> packet, int tcpOffset, int maxLength, Ipv6Address address, ushort port)
    {
        int payloadLength = BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(Ipv6Header.PayloadLengthOffset));
        var length = Ipv6Header.Length + payloadLength;
        var tcpHeaderLength = (packet[tcpOffset + TcpHeader.DataOffsetOffset] >> 4) * 4;
        var newLength = length + TcpOptionWriter.Toa6Length;
        if (tcpHeaderLength + TcpOptionWriter.Toa6Length > TcpOptionWriter.MaxTcpHeaderLength || newLength > Math.Min(maxLength, packet.Length) || payloadLength + TcpOptionWriter.Toa6Length > ushort.MaxValue)
        {
            return -1;
        }

        var optionsStart = tcpOffset + TcpHeader.MinLength;
        packet.Slice(optionsStart, length - optionsStart).CopyTo(packet.Slice(optionsStart + TcpOptionWriter.Toa6Length));
        var option = packet.Slice(optionsStart, TcpOptionWriter.Toa6Length);
        option[0] = TcpOptionWriter.ToaKind;
        option[1] = TcpOptionWriter.Toa6Length;
        BinaryPrimitives.WriteUInt16BigEndian(option.Slice(2), port);
        address.WriteTo(option.Slice(4));

        var segment = packet.Slice(tcpOffset);
        var oldWord = BinaryPrimitives.ReadUInt16BigEndian(segment.Slice(TcpHeader.DataOffsetOffset));
        segment[TcpHeader.DataOffsetOffset] = (byte)((((tcpHeaderLength + TcpOptionWriter.Toa6Length) / 4) << 4) | (segment[TcpHeader.DataOffsetOffset] & 0x0F));
        var newWord = BinaryPrimitives.ReadUInt16BigEndian(segment.Slice(TcpHeader.DataOffsetOffset));
        BinaryPrimitives.WriteUInt16BigEndian(packet.Slice(Ipv6Header.PayloadLengthOffset), (ushort)(payloadLength + TcpOptionWriter.Toa6Length));

        // The option's words are new (added to a sum of zero); the upper-layer length in the
        // pseudo-header (RFC 8200 §8.1) grows by 20.
        var checksum = BinaryPrimitives.ReadUInt16BigEndian(segment.Slice(TcpHeader.ChecksumOffset));
        checksum = IncrementalChecksum.Update(checksum, oldWord, newWord);
        var upperLength = length - tcpOffset;
        checksum = IncrementalChecksum.Update(checksum, (uint)upperLength, (uint)(upperLength + TcpOptionWriter.Toa6Length));
        for (var i = 0; i < TcpOptionWriter.Toa6Length; i += 2)
        {
            checksum = IncrementalChecksum.Update(checksum, (ushort)0, BinaryPrimitives.ReadUInt16BigEndian(option.Slice(i)));
        }

        BinaryPrimitives.WriteUInt16BigEndian(segment.Slice(TcpHeader.ChecksumOffset), checksum);
        return newLength;
    }
}
