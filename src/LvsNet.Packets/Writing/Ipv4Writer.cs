using System.Buffers.Binary;
using LvsNet.Packets.Checksums;

namespace LvsNet.Packets.Writing;

/// <summary>Writes and rewrites IPv4 headers in caller buffers.</summary>
/// <remarks>Callers pass spans that start at a header already validated by <see cref="Ipv4Header.TryParse"/>.</remarks>
public static class Ipv4Writer
{
    /// <summary>
    /// Decrements the TTL and fixes the header checksum incrementally, as IPVS does in every method.
    /// </summary>
    /// <returns>False (and the packet unchanged) when the TTL is 1 or 0: the packet must not be forwarded.</returns>
    public static bool DecrementTtl(Span<byte> packet)
    {
        var ttl = packet[Ipv4Header.TtlOffset];
        if (ttl <= 1)
        {
            return false;
        }

        // TTL shares a 16-bit word with the protocol byte.
        var oldWord = BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(Ipv4Header.TtlOffset));
        packet[Ipv4Header.TtlOffset] = (byte)(ttl - 1);
        var newWord = BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(Ipv4Header.TtlOffset));
        var checksum = BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(Ipv4Header.ChecksumOffset));
        BinaryPrimitives.WriteUInt16BigEndian(packet.Slice(Ipv4Header.ChecksumOffset), IncrementalChecksum.Update(checksum, oldWord, newWord));
        return true;
    }

    /// <summary>Writes a 20-byte header (no options) with a computed checksum.</summary>
    /// <returns>The header length (20).</returns>
    public static int WriteHeader(
        Span<byte> header,
        byte typeOfService,
        int totalLength,
        ushort identification,
        ushort flagsAndFragmentOffset,
        byte ttl,
        IpProtocol protocol,
        uint source,
        uint destination)
    {
        header[0] = 0x45;
        header[Ipv4Header.TosOffset] = typeOfService;
        BinaryPrimitives.WriteUInt16BigEndian(header.Slice(Ipv4Header.TotalLengthOffset), checked((ushort)totalLength));
        BinaryPrimitives.WriteUInt16BigEndian(header.Slice(Ipv4Header.IdentificationOffset), identification);
        BinaryPrimitives.WriteUInt16BigEndian(header.Slice(Ipv4Header.FlagsOffset), flagsAndFragmentOffset);
        header[Ipv4Header.TtlOffset] = ttl;
        header[Ipv4Header.ProtocolOffset] = (byte)protocol;
        BinaryPrimitives.WriteUInt16BigEndian(header.Slice(Ipv4Header.ChecksumOffset), 0);
        BinaryPrimitives.WriteUInt32BigEndian(header.Slice(Ipv4Header.SourceOffset), source);
        BinaryPrimitives.WriteUInt32BigEndian(header.Slice(Ipv4Header.DestinationOffset), destination);
        UpdateChecksum(header.Slice(0, Ipv4Header.MinLength));
        return Ipv4Header.MinLength;
    }

    /// <summary>Recomputes the header checksum of <paramref name="header"/> (its length is the IHL).</summary>
    public static void UpdateChecksum(Span<byte> header)
    {
        var length = (header[0] & 0x0F) * 4;
        BinaryPrimitives.WriteUInt16BigEndian(header.Slice(Ipv4Header.ChecksumOffset), 0);
        var checksum = InternetChecksum.Compute(header.Slice(0, length));
        BinaryPrimitives.WriteUInt16BigEndian(header.Slice(Ipv4Header.ChecksumOffset), checksum);
    }
}
