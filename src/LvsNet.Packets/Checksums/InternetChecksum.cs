using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace LvsNet.Packets.Checksums;

/// <summary>The Internet checksum (RFC 1071): the ones-complement of the ones-complement sum of 16-bit words.</summary>
public static class InternetChecksum
{
    /// <summary>Adds the big-endian 16-bit words of <paramref name="data"/> to <paramref name="initial"/> (an odd last byte is padded with zero).</summary>
    /// <returns>An unfolded sum; pass it to <see cref="Fold"/>.</returns>
    public static ulong Sum(ReadOnlySpan<byte> data, ulong initial = 0)
    {
        var sum = initial;
        var i = 0;

        // 32-bit words keep the carry chain short; the 64-bit accumulator cannot overflow for any IP packet.
        for (; i + 4 <= data.Length; i += 4)
        {
            sum += BinaryPrimitives.ReadUInt32BigEndian(data.Slice(i));
        }

        if (i + 2 <= data.Length)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data.Slice(i));
            i += 2;
        }

        if (i < data.Length)
        {
            sum += (ulong)data[i] << 8;
        }

        return sum;
    }

    /// <summary>Folds a sum to 16 bits and complements it: the value to store in a checksum field.</summary>
    public static ushort Fold(ulong sum)
    {
        sum = (sum & 0xFFFF_FFFF) + (sum >> 32);
        sum = (sum & 0xFFFF) + (sum >> 16);
        sum = (sum & 0xFFFF) + (sum >> 16);
        sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }

    /// <summary>Computes the checksum of <paramref name="data"/>; over data that includes a correct checksum field it returns 0.</summary>
    public static ushort Compute(ReadOnlySpan<byte> data) => Fold(Sum(data));

    /// <summary>
    /// True when the 20 bytes of <paramref name="header"/> (an IPv4 header without options, its
    /// checksum field included) sum to ones-complement zero: the check every packet takes.
    /// </summary>
    /// <remarks>
    /// Five word loads and no loop, so the sum stays in a register even where the data path is
    /// inlined into one large method. The words are added in host order: a ones-complement sum is
    /// the same in either byte order up to a byte swap (RFC 1071 §2(B)), and 0xFFFF swaps to itself.
    /// </remarks>
    public static bool VerifiesTwentyBytes(ReadOnlySpan<byte> header)
    {
        var words = MemoryMarshal.Cast<byte, uint>(header[..20]);
        var sum = (ulong)words[0] + words[1] + words[2] + words[3] + words[4];
        return Fold(sum) == 0;
    }
}
