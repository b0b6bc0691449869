using System.Buffers.Binary;

namespace LvsNet.Core.Tests.DataPath.Fragments;

/// <summary>
/// Splits an IPv6 packet into fragments and puts fragments back together as RFC 8200 §4.5 describes
/// (written from the RFC, independent of the code under test): every fragment carries the
/// unfragmentable part (here the fixed header) with next header 44, then the 8-byte fragment
/// header (next header of the fragmentable part, reserved 0, offset in 8-byte units shifted left 3
/// with M in bit 0, 32-bit identification), then its slice of the fragmentable part.
/// </summary>
internal static class Ipv6Fragmenter
{
    private const int Eth = 14;
    private const int Fixed = 40;
    private const int FragmentHeader = 8;

    /// <summary>Splits <paramref name="frame"/> (Ethernet + IPv6 without extension headers) at <paramref name="cuts"/> (byte offsets in the fragmentable part, multiples of 8).</summary>
    public static List<byte[]> Split(byte[] frame, uint id, params int[] cuts)
    {
        var fragmentable = frame.AsSpan(Eth + Fixed).ToArray();
        var bounds = new List<int> { 0 };
        bounds.AddRange(cuts);
        bounds.Add(fragmentable.Length);
        var result = new List<byte[]>();
        for (var i = 0; i + 1 < bounds.Count; i++)
        {
            result.Add(Fragment(frame, id, bounds[i], bounds[i + 1] - bounds[i], more: i + 2 < bounds.Count));
        }

        return result;
    }

    /// <summary>One fragment of <paramref name="frame"/>: <paramref name="length"/> bytes of its fragmentable part from <paramref name="offset"/>.</summary>
    public static byte[] Fragment(byte[] frame, uint id, int offset, int length, bool more)
    {
        var result = new byte[Eth + Fixed + FragmentHeader + length];
        frame.AsSpan(0, Eth + Fixed).CopyTo(result);
        var nextHeader = frame[Eth + 6];
        result[Eth + 6] = 44;
        BinaryPrimitives.WriteUInt16BigEndian(result.AsSpan(Eth + 4), (ushort)(FragmentHeader + length));
        var header = result.AsSpan(Eth + Fixed);
        header[0] = nextHeader;
        header[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(header.Slice(2), (ushort)(offset | (more ? 1 : 0)));
        BinaryPrimitives.WriteUInt32BigEndian(header.Slice(4), id);
        frame.AsSpan(Eth + Fixed + offset, length).CopyTo(result.AsSpan(Eth + Fixed + FragmentHeader));
        return result;
    }

    /// <summary>The fragment offset (bytes) and M flag of a fragment built as above (fixed header, then the fragment header).</summary>
    public static (int Offset, bool More, uint Id) Header(byte[] fragment, int ipOffset = Eth)
    {
        var word = BinaryPrimitives.ReadUInt16BigEndian(fragment.AsSpan(ipOffset + Fixed + 2));
        return (word & 0xFFF8, (word & 1) != 0, BinaryPrimitives.ReadUInt32BigEndian(fragment.AsSpan(ipOffset + Fixed + 4)));
    }

    /// <summary>
    /// Puts fragments (Ethernet + IPv6 + fragment header) back together into one Ethernet frame:
    /// the first fragment's fixed header with the fragment header's next header and the summed
    /// payload length, then the data in offset order. Fails on a gap or an overlap.
    /// </summary>
    public static byte[] Reassemble(IEnumerable<byte[]> fragments, int ipOffset = Eth)
    {
        var ordered = fragments.OrderBy(f => Header(f, ipOffset).Offset).ToList();
        var data = new List<byte>();
        foreach (var fragment in ordered)
        {
            if (Header(fragment, ipOffset).Offset != data.Count)
            {
                throw new InvalidOperationException($"gap or overlap at {data.Count}");
            }

            var payloadLength = BinaryPrimitives.ReadUInt16BigEndian(fragment.AsSpan(ipOffset + 4));
            data.AddRange(fragment.AsSpan(ipOffset + Fixed + FragmentHeader, payloadLength - FragmentHeader).ToArray());
        }

        if (Header(ordered[^1], ipOffset).More)
        {
            throw new InvalidOperationException("the last fragment has M set");
        }

        var first = ordered[0];
        var result = new byte[Eth + Fixed + data.Count];
        first.AsSpan(0, Eth).CopyTo(result);
        first.AsSpan(ipOffset, Fixed).CopyTo(result.AsSpan(Eth));
        result[12] = 0x86;
        result[13] = 0xDD;
        result[Eth + 6] = first[ipOffset + Fixed];
        BinaryPrimitives.WriteUInt16BigEndian(result.AsSpan(Eth + 4), (ushort)data.Count);
        data.ToArray().CopyTo(result.AsSpan(Eth + Fixed));
        return result;
    }
}
