namespace LvsNet.Packets.Tests;

/// <summary>
/// A deliberately naive Internet checksum (RFC 1071), written without the product code, so the tests
/// can catch a product bug: one 16-bit word at a time, end-around carry after every addition.
/// </summary>
internal static class RefChecksum
{
    /// <summary>The ones-complement sum of the big-endian words of <paramref name="data"/> (odd byte padded), folded to 16 bits.</summary>
    public static ushort OnesComplementSum(ReadOnlySpan<byte> data, ushort initial = 0)
    {
        uint sum = initial;
        for (var i = 0; i < data.Length; i += 2)
        {
            uint word = (uint)data[i] << 8;
            if (i + 1 < data.Length)
            {
                word |= data[i + 1];
            }

            sum += word;
            if (sum > 0xFFFF)
            {
                sum = (sum & 0xFFFF) + 1;
            }
        }

        return (ushort)sum;
    }

    /// <summary>The checksum to store for <paramref name="data"/> (whose checksum field is zero); 0 when the data already carries a correct checksum.</summary>
    public static ushort Compute(ReadOnlySpan<byte> data) => (ushort)~OnesComplementSum(data);

    /// <summary>The TCP/UDP checksum over the IPv4 pseudo-header (RFC 793/768) and <paramref name="segment"/>.</summary>
    public static ushort Transport(uint source, uint destination, byte protocol, ReadOnlySpan<byte> segment)
    {
        var pseudo = new byte[12 + segment.Length];
        pseudo[0] = (byte)(source >> 24);
        pseudo[1] = (byte)(source >> 16);
        pseudo[2] = (byte)(source >> 8);
        pseudo[3] = (byte)source;
        pseudo[4] = (byte)(destination >> 24);
        pseudo[5] = (byte)(destination >> 16);
        pseudo[6] = (byte)(destination >> 8);
        pseudo[7] = (byte)destination;
        pseudo[8] = 0;
        pseudo[9] = protocol;
        pseudo[10] = (byte)(segment.Length >> 8);
        pseudo[11] = (byte)segment.Length;
        segment.CopyTo(pseudo.AsSpan(12));
        return Compute(pseudo);
    }

    /// <summary>True when the IPv4 header at the start of <paramref name="packet"/> (IHL from its first byte) carries a correct checksum.</summary>
    public static bool IsIpHeaderValid(ReadOnlySpan<byte> packet) => Compute(packet.Slice(0, (packet[0] & 0x0F) * 4)) == 0;

    /// <summary>
    /// True when the TCP or UDP checksum of the IPv4 packet at the start of <paramref name="packet"/> verifies
    /// over the pseudo-header; a UDP checksum of 0 ("none") counts as invalid here, so callers assert it apart.
    /// </summary>
    public static bool IsTransportValid(ReadOnlySpan<byte> packet)
    {
        var ihl = (packet[0] & 0x0F) * 4;
        var totalLength = (packet[2] << 8) | packet[3];
        var protocol = packet[9];
        var source = ReadUInt32(packet.Slice(12));
        var destination = ReadUInt32(packet.Slice(16));
        var l4 = packet.Slice(ihl, totalLength - ihl);
        if (protocol == 17)
        {
            var udpLength = (l4[4] << 8) | l4[5];
            l4 = l4.Slice(0, udpLength);
            if (l4[6] == 0 && l4[7] == 0)
            {
                return false;
            }
        }

        return Transport(source, destination, protocol, l4) == 0;
    }

    /// <summary>True when the ICMP message of the IPv4 packet at the start of <paramref name="packet"/> carries a correct checksum.</summary>
    public static bool IsIcmpValid(ReadOnlySpan<byte> packet)
    {
        var ihl = (packet[0] & 0x0F) * 4;
        var totalLength = (packet[2] << 8) | packet[3];
        return Compute(packet.Slice(ihl, totalLength - ihl)) == 0;
    }

    /// <summary>Reads a big-endian 32-bit value without the BCL helpers the product uses.</summary>
    public static uint ReadUInt32(ReadOnlySpan<byte> data) =>
        ((uint)data[0] << 24) | ((uint)data[1] << 16) | ((uint)data[2] << 8) | data[3];

    /// <summary>Reads a big-endian 16-bit value.</summary>
    public static ushort ReadUInt16(ReadOnlySpan<byte> data) => (ushort)((data[0] << 8) | data[1]);
}
