using System.Buffers.Binary;
using LvsNet.Packets.Writing;

namespace LvsNet.Packets.Ipv6;

/// <summary>TCP segments without data over IPv6 (the SYN proxy's SYN-ACKs, SYNs and ACKs).</summary>
public static class Ipv6TcpSegmentWriter
{
    /// <summary>The frame length of an IPv6 segment with an MSS option (Ethernet + IPv6 + TCP with 4 option bytes).</summary>
    public const int Frame6WithMssLength = EthernetHeader.Length + Ipv6Header.Length + TcpHeader.MinLength + 4;

    /// <summary>
    /// Writes an Ethernet/IPv6/TCP frame without data into <paramref name="frame"/> (at least
    /// <see cref="Frame6WithMssLength"/> bytes), hop limit 64, with the TCP checksum over the IPv6
    /// pseudo-header (RFC 8200 §8.1); an MSS option when <paramref name="mss"/> is not 0. Returns the
    /// frame's length.
    /// </summary>
    public static int WriteFrame6(
        Span<byte> frame,
        MacAddress destinationMac,
        MacAddress sourceMac,
        Ipv6Address source,
        ushort sourcePort,
        Ipv6Address destination,
        ushort destinationPort,
        uint sequence,
        uint acknowledgment,
        TcpFlags flags,
        ushort window,
        ushort mss)
    {
        var tcpLength = TcpHeader.MinLength + (mss != 0 ? 4 : 0);
        var length = EthernetHeader.Length + Ipv6Header.Length + tcpLength;
        ArgumentOutOfRangeException.ThrowIfLessThan(frame.Length, length);
        EthernetWriter.WriteHeader(frame, destinationMac, sourceMac, EtherType.Ipv6);
        var packet = frame.Slice(EthernetHeader.Length);
        Ipv6Writer.WriteHeader(packet, tcpLength, (byte)IpProtocol.Tcp, 64, source, destination);
        var tcp = packet.Slice(Ipv6Header.Length, tcpLength);
        TcpSegmentWriter.WriteSegment(tcp, sourcePort, destinationPort, sequence, acknowledgment, flags, window, mss);
        BinaryPrimitives.WriteUInt16BigEndian(tcp.Slice(TcpHeader.ChecksumOffset), Icmpv6.Checksum(source, destination, (byte)IpProtocol.Tcp, tcp));
        return length;
    }
}
