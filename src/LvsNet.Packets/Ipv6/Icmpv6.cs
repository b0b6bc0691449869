using LvsNet.Packets.Checksums;

namespace LvsNet.Packets.Ipv6;

/// <summary>ICMPv6 message types (RFC 4443, RFC 4861) and the checksum over the IPv6 pseudo-header.</summary>
public static class Icmpv6
{
    /// <summary>Destination unreachable.</summary>
    public const byte DestinationUnreachable = 1;

    /// <summary>Packet too big.</summary>
    public const byte PacketTooBig = 2;

    /// <summary>Time exceeded.</summary>
    public const byte TimeExceeded = 3;

    /// <summary>Parameter problem.</summary>
    public const byte ParameterProblem = 4;

    /// <summary>Echo request.</summary>
    public const byte EchoRequest = 128;

    /// <summary>Echo reply.</summary>
    public const byte EchoReply = 129;

    /// <summary>Neighbour solicitation.</summary>
    public const byte NeighborSolicitation = 135;

    /// <summary>Neighbour advertisement.</summary>
    public const byte NeighborAdvertisement = 136;

    /// <summary>The hop limit neighbour discovery messages are sent with and must arrive with (RFC 4861 §7.1: proof that they come from the link).</summary>
    public const byte NeighborDiscoveryHopLimit = 255;

    /// <summary>The sum of the IPv6 pseudo-header (RFC 8200 §8.1) for an upper-layer packet of <paramref name="length"/> bytes.</summary>
    public static ulong PseudoHeaderSum(Ipv6Address source, Ipv6Address destination, byte nextHeader, int length) =>
        (ulong)(uint)(source.High >> 32) + (uint)source.High + (uint)(source.Low >> 32) + (uint)source.Low
        + (uint)(destination.High >> 32) + (uint)destination.High + (uint)(destination.Low >> 32) + (uint)destination.Low
        + (uint)length + nextHeader;

    /// <summary>
    /// The TCP, UDP or ICMPv6 checksum of <paramref name="upperLayer"/> (its checksum field zero)
    /// over the IPv6 pseudo-header. UDP over IPv6 must carry it (RFC 8200 §8.1): a computed 0 is sent as 0xffff.
    /// </summary>
    public static ushort Checksum(Ipv6Address source, Ipv6Address destination, byte nextHeader, ReadOnlySpan<byte> upperLayer)
    {
        var checksum = InternetChecksum.Fold(InternetChecksum.Sum(upperLayer, PseudoHeaderSum(source, destination, nextHeader, upperLayer.Length)));
        return nextHeader == (byte)IpProtocol.Udp && checksum == 0 ? (ushort)0xFFFF : checksum;
    }

    /// <summary>True when <paramref name="upperLayer"/>'s checksum (in place) verifies over the pseudo-header.</summary>
    public static bool Verifies(Ipv6Address source, Ipv6Address destination, byte nextHeader, ReadOnlySpan<byte> upperLayer) =>
        InternetChecksum.Fold(InternetChecksum.Sum(upperLayer, PseudoHeaderSum(source, destination, nextHeader, upperLayer.Length))) == 0;
}
