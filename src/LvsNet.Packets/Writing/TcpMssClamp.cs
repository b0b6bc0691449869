using System.Buffers.Binary;
using LvsNet.Packets.Checksums;

namespace LvsNet.Packets.Writing;

/// <summary>
/// Lowers the MSS option of a SYN to a ceiling (the "clamp MSS to PMTU" a router applies where a
/// path's MTU shrinks), with the TCP checksum updated incrementally. An MSS at or under the
/// ceiling, a segment without the option, or malformed options are left alone.
/// </summary>
public static class TcpMssClamp
{
    private const byte EndOfOptions = 0;
    private const byte NoOperation = 1;
    private const byte MaximumSegmentSize = 2;

    /// <summary>Clamps the MSS option of the TCP segment <paramref name="segment"/> (header first) to <paramref name="maximum"/>.</summary>
    /// <returns>True when the option was lowered.</returns>
    public static bool Clamp(Span<byte> segment, ushort maximum)
    {
        if (segment.Length < TcpHeader.MinLength)
        {
            return false;
        }

        var headerLength = (segment[TcpHeader.DataOffsetOffset] >> 4) * 4;
        if (headerLength <= TcpHeader.MinLength || headerLength > segment.Length)
        {
            return false;
        }

        var options = segment.Slice(TcpHeader.MinLength, headerLength - TcpHeader.MinLength);
        var i = 0;
        while (i < options.Length)
        {
            var kind = options[i];
            if (kind == EndOfOptions)
            {
                return false;
            }

            if (kind == NoOperation)
            {
                i++;
                continue;
            }

            if (i + 1 >= options.Length || options[i + 1] < 2 || i + options[i + 1] > options.Length)
            {
                return false;
            }

            if (kind == MaximumSegmentSize && options[i + 1] == 4)
            {
                var mss = BinaryPrimitives.ReadUInt16BigEndian(options.Slice(i + 2));
                if (mss <= maximum)
                {
                    return false;
                }

                // The option's value is 16-bit aligned only when i is even; update by the aligned words it touches.
                var wordStart = TcpHeader.MinLength + ((i + 2) & ~1);
                var oldWords = ReadWords(segment, wordStart, (i & 1) != 0);
                BinaryPrimitives.WriteUInt16BigEndian(options.Slice(i + 2), maximum);
                var newWords = ReadWords(segment, wordStart, (i & 1) != 0);
                var checksum = BinaryPrimitives.ReadUInt16BigEndian(segment.Slice(TcpHeader.ChecksumOffset));
                checksum = IncrementalChecksum.Update(checksum, oldWords.High, newWords.High);
                if ((i & 1) != 0)
                {
                    checksum = IncrementalChecksum.Update(checksum, oldWords.Low, newWords.Low);
                }

                BinaryPrimitives.WriteUInt16BigEndian(segment.Slice(TcpHeader.ChecksumOffset), checksum);
                return true;
            }

            i += options[i + 1];
        }

        return false;
    }

    private static (ushort High, ushort Low) ReadWords(ReadOnlySpan<byte> segment, int offset, bool two) =>
        (BinaryPrimitives.ReadUInt16BigEndian(segment.Slice(offset)), two ? BinaryPrimitives.ReadUInt16BigEndian(segment.Slice(offset + 2)) : (ushort)0);
}
