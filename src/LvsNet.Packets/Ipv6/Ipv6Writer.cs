using System.Buffers.Binary;

namespace LvsNet.Packets.Ipv6;

/// <summary>Writes and edits IPv6 fixed headers in place.</summary>
public static class Ipv6Writer
{
    /// <summary>Writes a fixed header: version 6, traffic class and flow label 0.</summary>
    /// <param name="header">At least <see cref="Ipv6Header.Length"/> bytes.</param>
    /// <param name="payloadLength">The bytes after the fixed header.</param>
    /// <param name="nextHeader">The next header.</param>
    /// <param name="hopLimit">The hop limit.</param>
    /// <param name="source">The source address.</param>
    /// <param name="destination">The destination address.</param>
    public static void WriteHeader(Span<byte> header, int payloadLength, byte nextHeader, byte hopLimit, Ipv6Address source, Ipv6Address destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(header.Length, Ipv6Header.Length);
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payloadLength, ushort.MaxValue);
        BinaryPrimitives.WriteUInt32BigEndian(header, 0x6000_0000);
        BinaryPrimitives.WriteUInt16BigEndian(header.Slice(Ipv6Header.PayloadLengthOffset), (ushort)payloadLength);
        header[Ipv6Header.NextHeaderOffset] = nextHeader;
        header[Ipv6Header.HopLimitOffset] = hopLimit;
        source.WriteTo(header.Slice(Ipv6Header.SourceOffset));
        destination.WriteTo(header.Slice(Ipv6Header.DestinationOffset));
    }

    /// <summary>
    /// Decrements the hop limit of a packet being forwarded (IPv6 has no header checksum to fix).
    /// </summary>
    /// <returns>False, leaving the packet unchanged, when the hop limit is 1 or 0: the packet must not be forwarded (RFC 8200 §3).</returns>
    public static bool DecrementHopLimit(Span<byte> header)
    {
        var hopLimit = header[Ipv6Header.HopLimitOffset];
        if (hopLimit <= 1)
        {
            return false;
        }

        header[Ipv6Header.HopLimitOffset] = (byte)(hopLimit - 1);
        return true;
    }
}
