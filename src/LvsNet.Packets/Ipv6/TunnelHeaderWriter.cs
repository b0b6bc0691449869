using System.Buffers.Binary;

namespace LvsNet.Packets.Ipv6;

/// <summary>
/// The outer IPv6 header of a tunnelled packet (RFC 2473) and the ECN rule both tunnel families
/// share, as the kernel's IPVS tunnel transmitters write them.
/// </summary>
public static class TunnelHeaderWriter
{
    /// <summary>
    /// The outer traffic class (or IPv4 TOS) for an inner one (RFC 6040 normal mode, the kernel's
    /// <c>INET_ECN_encapsulate</c>): the DSCP is copied, ECT(0) and ECT(1) are copied, CE becomes
    /// ECT(0) so a congestion mark set before the tunnel is not reported twice.
    /// </summary>
    public static byte EncapsulateEcn(byte inner) => (inner & 0x03) == 0x03 ? (byte)((inner & 0xFC) | 0x02) : inner;

    /// <summary>
    /// Writes a fixed IPv6 header in front of a tunnelled packet: version 6, the given traffic
    /// class, flow label 0 (IPVS clears it), payload length = the inner packet's length.
    /// </summary>
    /// <param name="header">At least <see cref="Ipv6Header.Length"/> bytes.</param>
    /// <param name="innerLength">The whole inner packet's length (the outer payload length).</param>
    /// <param name="nextHeader">41 for an inner IPv6 packet, 4 for an inner IPv4 one.</param>
    /// <param name="trafficClass">The outer traffic class (see <see cref="EncapsulateEcn"/>).</param>
    /// <param name="hopLimit">The outer hop limit (IPVS: the inner hop limit or TTL after its decrement).</param>
    /// <param name="source">The director's IPv6 address.</param>
    /// <param name="destination">The real server's IPv6 address.</param>
    public static void WriteOuterIpv6(Span<byte> header, int innerLength, IpProtocol nextHeader, byte trafficClass, byte hopLimit, Ipv6Address source, Ipv6Address destination)
    {
        Ipv6Writer.WriteHeader(header, innerLength, (byte)nextHeader, hopLimit, source, destination);
        BinaryPrimitives.WriteUInt32BigEndian(header, 0x6000_0000u | ((uint)trafficClass << 20));
    }
}
