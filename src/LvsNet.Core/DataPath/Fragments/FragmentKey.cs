using System.Buffers.Binary;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Core.DataPath.Fragments;

/// <summary>
/// What identifies one fragmented datagram, for either family: for IPv4 (source, destination,
/// protocol, 16-bit identification), as the kernel's ip4_frag key; for IPv6 (source, destination,
/// 32-bit identification) with no protocol, as ip6_frag's key (the protocol of an IPv6 datagram is
/// only known from its first fragment). IPv4 addresses sit in the low 32 bits.
/// </summary>
internal readonly record struct FragmentKey(UInt128 Source, UInt128 Destination, uint Id, byte Protocol, bool Ipv6)
{
    /// <summary>The bytes <see cref="Write"/> fills.</summary>
    public const int Length = 40;

    /// <summary>An IPv4 fragment's key.</summary>
    public static FragmentKey Of(Ipv4Header ip) => new(ip.Source, ip.Destination, ip.Identification, (byte)ip.Protocol, Ipv6: false);

    /// <summary>An IPv6 fragment's key (<paramref name="chain"/> its walked header chain).</summary>
    public static FragmentKey Of(Ipv6Header ip, in Ipv6Chain chain) => new(ip.Source.Value, ip.Destination.Value, chain.FragmentIdentification, 0, Ipv6: true);

    /// <summary>Writes the key as the bytes to hash (<see cref="Length"/> of them).</summary>
    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt128LittleEndian(destination, Source);
        BinaryPrimitives.WriteUInt128LittleEndian(destination.Slice(16), Destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination.Slice(32), Id);
        destination[36] = Protocol;
        destination[37] = Ipv6 ? (byte)6 : (byte)4;
        destination[38] = 0;
        destination[39] = 0;
    }
}
