using System.Buffers.Binary;
using LvsNet.Packets.Checksums;

namespace LvsNet.Packets.Writing;

/// <summary>Builds ICMPv4 messages.</summary>
public static class IcmpWriter
{
    /// <summary>The most bytes of the offending packet quoted in an error: its IP header (up to 60) plus 8 bytes of payload.</summary>
    public const int MaxQuoteLength = Ipv4Header.MaxLength + 8;

    /// <summary>The largest frame <see cref="WriteErrorFrame"/> writes.</summary>
    public const int MaxErrorFrameLength = EthernetHeader.Length + Ipv4Header.MinLength + IcmpHeader.Length + MaxQuoteLength;

    /// <summary>
    /// Writes a whole Ethernet frame carrying an ICMP error about <paramref name="offending"/> (an
    /// IPv4 packet): its header and the first 8 bytes of its payload are quoted, as RFC 792 asks.
    /// </summary>
    /// <param name="frame">The destination buffer, at least <see cref="MaxErrorFrameLength"/> bytes.</param>
    /// <param name="ethernetDestination">Next hop toward the offending packet's source.</param>
    /// <param name="ethernetSource">This host's MAC.</param>
    /// <param name="source">The error's source address.</param>
    /// <param name="offending">The packet that caused the error, from its IP header on.</param>
    /// <param name="type">The ICMP type.</param>
    /// <param name="code">The ICMP code.</param>
    /// <param name="restOfHeader">The 4 bytes after the checksum (the next-hop MTU for fragmentation needed).</param>
    /// <returns>The frame length.</returns>
    public static int WriteErrorFrame(
        Span<byte> frame,
        MacAddress ethernetDestination,
        MacAddress ethernetSource,
        uint source,
        ReadOnlySpan<byte> offending,
        byte type,
        byte code,
        uint restOfHeader = 0)
    {
        var offendingHeaderLength = (offending[0] & 0x0F) * 4;
        var quote = offending.Slice(0, Math.Min(offending.Length, offendingHeaderLength + 8));
        var destination = BinaryPrimitives.ReadUInt32BigEndian(offending.Slice(12));

        var offset = EthernetWriter.WriteHeader(frame, ethernetDestination, ethernetSource, EtherType.Ipv4);
        var icmpLength = IcmpHeader.Length + quote.Length;
        offset += Ipv4Writer.WriteHeader(frame.Slice(offset), 0, Ipv4Header.MinLength + icmpLength, 0, 0, 64, IpProtocol.Icmp, source, destination);
        return offset + WriteMessage(frame.Slice(offset, icmpLength), type, code, restOfHeader, quote);
    }

    /// <summary>Writes an ICMP message (header, then <paramref name="body"/>) with its checksum.</summary>
    /// <returns>The message length.</returns>
    public static int WriteMessage(Span<byte> message, byte type, byte code, uint restOfHeader, ReadOnlySpan<byte> body)
    {
        message[0] = type;
        message[1] = code;
        BinaryPrimitives.WriteUInt16BigEndian(message.Slice(2), 0);
        BinaryPrimitives.WriteUInt32BigEndian(message.Slice(4), restOfHeader);
        body.CopyTo(message.Slice(IcmpHeader.Length));
        var length = IcmpHeader.Length + body.Length;
        BinaryPrimitives.WriteUInt16BigEndian(message.Slice(2), InternetChecksum.Compute(message.Slice(0, length)));
        return length;
    }
}
