using System.Buffers.Binary;
using PacketDotNet;
using PacketDotNet.Utils;

namespace LvsNet.Testing;

/// <summary>
/// Splits a test frame's IPv4 datagram into fragments and puts forwarded fragments back together,
/// for fragment tests. The header fields are written from RFC 791 here and the header checksums
/// computed by PacketDotNet, so neither depends on LvsNet's own writers.
/// </summary>
public static class Fragmenter
{
    private const int EthernetLength = 14;

    /// <summary>
    /// The fragments of <paramref name="frame"/> (Ethernet + IPv4 with a 20-byte header), cut at the
    /// payload offsets <paramref name="cuts"/> (multiples of 8, ascending): MF on all but the last,
    /// DF cleared, the identification kept.
    /// </summary>
    public static byte[][] Split(byte[] frame, params int[] cuts)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(cuts);
        var payload = frame.AsSpan(EthernetLength + 20, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(EthernetLength + 2)) - 20);
        var bounds = new List<int> { 0 };
        bounds.AddRange(cuts);
        bounds.Add(payload.Length);
        var fragments = new byte[bounds.Count - 1][];
        for (var i = 0; i < fragments.Length; i++)
        {
            fragments[i] = Fragment(frame, bounds[i], bounds[i + 1] - bounds[i], more: i < fragments.Length - 1);
        }

        return fragments;
    }

    /// <summary>One fragment of <paramref name="frame"/>: <paramref name="length"/> payload bytes from <paramref name="offset"/>.</summary>
    public static byte[] Fragment(byte[] frame, int offset, int length, bool more)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var result = new byte[EthernetLength + 20 + length];
        frame.AsSpan(0, EthernetLength + 20).CopyTo(result);
        frame.AsSpan(EthernetLength + 20 + offset, length).CopyTo(result.AsSpan(EthernetLength + 20));
        var ip = result.AsSpan(EthernetLength);
        BinaryPrimitives.WriteUInt16BigEndian(ip.Slice(2), (ushort)(20 + length));
        BinaryPrimitives.WriteUInt16BigEndian(ip.Slice(6), (ushort)((more ? 0x2000 : 0) | (offset / 8)));
        SetChecksum(result);
        return result;
    }

    /// <summary>
    /// Puts forwarded fragments (any order) back into one unfragmented frame with the first
    /// fragment's headers, as the receiver's kernel would, so its transport checksum can be checked.
    /// </summary>
    public static byte[] Reassemble(IEnumerable<byte[]> fragments)
    {
        ArgumentNullException.ThrowIfNull(fragments);
        var sorted = fragments.OrderBy(f => (BinaryPrimitives.ReadUInt16BigEndian(f.AsSpan(EthernetLength + 6)) & 0x1FFF) * 8).ToList();
        var payload = new List<byte>();
        foreach (var fragment in sorted)
        {
            var headerLength = (fragment[EthernetLength] & 0x0F) * 4;
            var total = BinaryPrimitives.ReadUInt16BigEndian(fragment.AsSpan(EthernetLength + 2));
            var offset = (BinaryPrimitives.ReadUInt16BigEndian(fragment.AsSpan(EthernetLength + 6)) & 0x1FFF) * 8;
            if (offset != payload.Count)
            {
                throw new InvalidOperationException($"hole or overlap at {payload.Count} (next fragment at {offset})");
            }

            payload.AddRange(fragment.AsSpan(EthernetLength + headerLength, total - headerLength).ToArray());
        }

        var first = sorted[0];
        var result = new byte[EthernetLength + 20 + payload.Count];
        first.AsSpan(0, EthernetLength + 20).CopyTo(result);
        payload.ToArray().CopyTo(result, EthernetLength + 20);
        var ip = result.AsSpan(EthernetLength);
        BinaryPrimitives.WriteUInt16BigEndian(ip.Slice(2), (ushort)(20 + payload.Count));
        BinaryPrimitives.WriteUInt16BigEndian(ip.Slice(6), 0);
        SetChecksum(result);
        return result;
    }

    private static void SetChecksum(byte[] frame)
    {
        var ip = new IPv4Packet(new ByteArraySegment(frame, EthernetLength, frame.Length - EthernetLength));
        ip.UpdateIPChecksum();
    }
}
