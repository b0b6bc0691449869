using System.Buffers.Binary;
using LvsNet.Packets.Checksums;

namespace LvsNet.Packets.Writing;

/// <summary>
/// TCP segments the director writes itself (the SYN proxy's SYN-ACK to a client, SYN and ACK to a
/// real server), and the sequence-number shifts of a spliced connection with incremental
/// checksum updates (RFC 1624).
/// </summary>
public static class TcpSegmentWriter
{
    /// <summary>The frame length of a segment with an MSS option (Ethernet + IPv4 + TCP with 4 option bytes).</summary>
    public const int FrameWithMssLength = EthernetHeader.Length + Ipv4Header.MinLength + TcpHeader.MinLength + 4;

    /// <summary>
    /// Writes an Ethernet/IPv4/TCP frame without data into <paramref name="frame"/> (at least
    /// <see cref="FrameWithMssLength"/> bytes) with both checksums; an MSS option when
    /// <paramref name="mss"/> is not 0. Returns the frame's length.
    /// </summary>
    public static int WriteFrame(
        Span<byte> frame,
        MacAddress destinationMac,
        MacAddress sourceMac,
        uint source,
        ushort sourcePort,
        uint destination,
        ushort destinationPort,
        uint sequence,
        uint acknowledgment,
        TcpFlags flags,
        ushort window,
        ushort mss,
        ushort identification)
    {
        var tcpLength = TcpHeader.MinLength + (mss != 0 ? 4 : 0);
        var length = EthernetHeader.Length + Ipv4Header.MinLength + tcpLength;
        ArgumentOutOfRangeException.ThrowIfLessThan(frame.Length, length);
        EthernetWriter.WriteHeader(frame, destinationMac, sourceMac, EtherType.Ipv4);
        var packet = frame.Slice(EthernetHeader.Length);
        Ipv4Writer.WriteHeader(packet, 0, Ipv4Header.MinLength + tcpLength, identification, Ipv4Header.DontFragmentFlag, 64, IpProtocol.Tcp, source, destination);
        var tcp = packet.Slice(Ipv4Header.MinLength, tcpLength);
        WriteSegment(tcp, sourcePort, destinationPort, sequence, acknowledgment, flags, window, mss);

        BinaryPrimitives.WriteUInt16BigEndian(tcp.Slice(TcpHeader.ChecksumOffset), TransportChecksum.Compute(source, destination, IpProtocol.Tcp, tcp));
        return length;
    }

    /// <summary>Writes the TCP header (and an MSS option when <paramref name="mss"/> is not 0) into <paramref name="tcp"/>, checksum 0.</summary>
    internal static void WriteSegment(Span<byte> tcp, ushort sourcePort, ushort destinationPort, uint sequence, uint acknowledgment, TcpFlags flags, ushort window, ushort mss)
    {
        BinaryPrimitives.WriteUInt16BigEndian(tcp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp.Slice(TcpHeader.DestinationPortOffset), destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(tcp.Slice(TcpHeader.SequenceOffset), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(tcp.Slice(TcpHeader.AcknowledgmentOffset), acknowledgment);
        tcp[TcpHeader.DataOffsetOffset] = (byte)((tcp.Length / 4) << 4);
        tcp[TcpHeader.FlagsOffset] = (byte)flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp.Slice(TcpHeader.WindowOffset), window);
        BinaryPrimitives.WriteUInt32BigEndian(tcp.Slice(TcpHeader.ChecksumOffset), 0);
        if (mss != 0)
        {
            tcp[20] = 2;
            tcp[21] = 4;
            BinaryPrimitives.WriteUInt16BigEndian(tcp.Slice(22), mss);
        }
    }

    /// <summary>Adds <paramref name="delta"/> (mod 2^32) to the sequence number of the TCP header at the start of <paramref name="segment"/>, updating its checksum (RFC 1624); any IP version.</summary>
    public static void ShiftSegmentSequence(Span<byte> segment, uint delta) => ShiftField(segment, TcpHeader.SequenceOffset, delta);

    /// <summary>Adds <paramref name="delta"/> (mod 2^32) to the acknowledgment number of the TCP header at the start of <paramref name="segment"/>, updating its checksum (RFC 1624); any IP version.</summary>
    public static void ShiftSegmentAcknowledgment(Span<byte> segment, uint delta) => ShiftField(segment, TcpHeader.AcknowledgmentOffset, delta);

    /// <summary>The MSS option's value in a SYN's options, or 0 when there is none (or the options are malformed).</summary>
    public static ushort ReadMss(ReadOnlySpan<byte> options)
    {
        var i = 0;
        while (i < options.Length)
        {
            var kind = options[i];
            if (kind == 0)
            {
                return 0;
            }

            if (kind == 1)
            {
                i++;
                continue;
            }

            if (i + 1 >= options.Length || options[i + 1] < 2 || i + options[i + 1] > options.Length)
            {
                return 0;
            }

            if (kind == 2 && options[i + 1] == 4)
            {
                return BinaryPrimitives.ReadUInt16BigEndian(options.Slice(i + 2));
            }

            i += options[i + 1];
        }

        return 0;
    }

    /// <summary>Adds <paramref name="delta"/> (mod 2^32) to the sequence number of the TCP segment in <paramref name="packet"/> (an IPv4 packet, not a later fragment).</summary>
    public static void ShiftSequence(Span<byte> packet, uint delta) => Shift(packet, TcpHeader.SequenceOffset, delta);

    /// <summary>Adds <paramref name="delta"/> (mod 2^32) to the acknowledgment number of the TCP segment in <paramref name="packet"/> (an IPv4 packet, not a later fragment).</summary>
    public static void ShiftAcknowledgment(Span<byte> packet, uint delta) => Shift(packet, TcpHeader.AcknowledgmentOffset, delta);

    private static void Shift(Span<byte> packet, int offset, uint delta)
    {
        if ((BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(Ipv4Header.FlagsOffset)) & 0x1FFF) != 0)
        {
            // A later fragment carries no TCP header.
            return;
        }

        ShiftField(packet.Slice((packet[0] & 0x0F) * 4), offset, delta);
    }

    private static void ShiftField(Span<byte> tcp, int offset, uint delta)
    {
        if (tcp.Length < TcpHeader.MinLength)
        {
            return;
        }

        var field = tcp.Slice(offset);
        var old = BinaryPrimitives.ReadUInt32BigEndian(field);
        var value = unchecked(old + delta);
        BinaryPrimitives.WriteUInt32BigEndian(field, value);
        var checksum = BinaryPrimitives.ReadUInt16BigEndian(tcp.Slice(TcpHeader.ChecksumOffset));
        BinaryPrimitives.WriteUInt16BigEndian(tcp.Slice(TcpHeader.ChecksumOffset), IncrementalChecksum.Update(checksum, old, value));
    }
}
