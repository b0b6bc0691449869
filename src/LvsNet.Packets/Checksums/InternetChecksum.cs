using System.Buffers.Binary;

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
}
