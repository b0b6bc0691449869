using LvsNet.Packets.Checksums;

namespace LvsNet.Packets;

/// <summary>
/// TCP and UDP checksums over the IPv4 pseudo-header (RFC 793, RFC 768). They sit beside the
/// headers rather than in <c>Checksums</c>, which is pure ones-complement arithmetic and knows no
/// protocol numbers.
/// </summary>
public static class TransportChecksum
{
    /// <summary>The sum of the IPv4 pseudo-header used by TCP and UDP.</summary>
    public static ulong PseudoHeaderSum(uint source, uint destination, IpProtocol protocol, int length) =>
        (ulong)source + destination + (ulong)(byte)protocol + (ulong)(uint)length;

    /// <summary>Computes a TCP or UDP checksum over an IPv4 pseudo-header and <paramref name="segment"/> (whose checksum field should be zero).</summary>
    public static ushort Compute(uint source, uint destination, IpProtocol protocol, ReadOnlySpan<byte> segment) =>
        InternetChecksum.Fold(InternetChecksum.Sum(segment, PseudoHeaderSum(source, destination, protocol, segment.Length)));
}
