using System.Buffers.Binary;

namespace LvsNet.Hostile;

/// <summary>Random damage to a valid frame: bit flips, truncation, corrupted length fields, trailing garbage.</summary>
internal static class Mutator
{
    /// <summary>The frame is never cut below the Ethernet header: the kernel refuses to send such frames.</summary>
    private const int MinimumLength = RawFrames.EthernetLength;

    public static byte[] Mutate(byte[] frame, Random random)
    {
        var operations = 1 + random.Next(3);
        for (var n = 0; n < operations; n++)
        {
            frame = random.Next(5) switch
            {
                0 => FlipBits(frame, random),
                1 => Truncate(frame, random),
                2 => CorruptLength(frame, random),
                3 => AppendGarbage(frame, random),
                _ => FlipBits(frame, random),
            };
        }

        return frame;
    }

    private static byte[] FlipBits(byte[] frame, Random random)
    {
        // Bits past the destination MAC only: a flipped destination just leaves the frame on the bridge.
        var flips = 1 + random.Next(8);
        for (var i = 0; i < flips && frame.Length > 6; i++)
        {
            var bit = random.Next(48, frame.Length * 8);
            frame[bit / 8] ^= (byte)(1 << (bit % 8));
        }

        return frame;
    }

    private static byte[] Truncate(byte[] frame, Random random) =>
        frame.Length <= MinimumLength ? frame : frame[..random.Next(MinimumLength, frame.Length)];

    private static byte[] AppendGarbage(byte[] frame, Random random)
    {
        var extra = new byte[random.Next(1, 64)];
        random.NextBytes(extra);
        return [.. frame, .. extra];
    }

    private static byte[] CorruptLength(byte[] frame, Random random)
    {
        var ip = frame.Length > 17 && BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12)) == RawFrames.EtherVlan ? 18 : 14;
        if (frame.Length < ip + 20)
        {
            return FlipBits(frame, random);
        }

        var ihl = (frame[ip] & 0x0f) * 4;
        switch (random.Next(4))
        {
            case 0:
                // IPv4 total length: anything, including 0 and 65535.
                BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(ip + 2), (ushort)random.Next(0, 65536));
                break;
            case 1:
                frame[ip] = (byte)((frame[ip] & 0xf0) | random.Next(16));
                break;
            case 2 when frame.Length > ip + ihl + 13:
                // TCP data offset (or, for ARP, the hardware/protocol length bytes).
                frame[ip + ihl + 12] = (byte)((random.Next(16) << 4) | (frame[ip + ihl + 12] & 0x0f));
                break;
            default:
                frame[ip + 4] = (byte)random.Next(256);
                frame[ip + 5] = (byte)random.Next(256);
                break;
        }

        // Half the time the header checksum is made right again, so the damage reaches the deeper checks.
        if (random.Next(2) == 0 && (frame[ip] & 0x0f) >= 5 && frame.Length >= ip + ((frame[ip] & 0x0f) * 4))
        {
            frame[ip + 10] = 0;
            frame[ip + 11] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(ip + 10), RawFrames.Checksum(frame.AsSpan(ip, (frame[ip] & 0x0f) * 4)));
        }

        return frame;
    }
}
