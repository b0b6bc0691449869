using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace LvsNet.Packets.Ipv6;

/// <summary>
/// An IPv6 address as a 128-bit value read big-endian from the wire (2001:db8::1 is
/// 0x20010DB8_00000000_00000000_00000001), the IPv6 counterpart of the <see cref="Ipv4Address"/>
/// form: comparisons, prefixes and hashing are integer arithmetic, and <see cref="IPAddress"/>
/// appears only at configuration and log edges.
/// </summary>
public readonly record struct Ipv6Address(UInt128 Value) : IComparable<Ipv6Address>
{
    /// <summary>The length of an address on the wire.</summary>
    public const int Length = 16;

    /// <summary>The unspecified address (::), the source of duplicate address detection.</summary>
    public static Ipv6Address Unspecified => default;

    /// <summary>The all-nodes link-local multicast address (ff02::1), the destination of unsolicited neighbour advertisements.</summary>
    public static Ipv6Address AllNodes { get; } = new(((UInt128)0xFF02_0000_0000_0000UL << 64) | 1);

    /// <summary>The high 64 bits (the routing prefix and subnet of a /64).</summary>
    public ulong High => (ulong)(Value >> 64);

    /// <summary>The low 64 bits (the interface identifier of a /64).</summary>
    public ulong Low => (ulong)Value;

    /// <summary>True for ff00::/8.</summary>
    public bool IsMulticast => (High >> 56) == 0xFF;

    /// <summary>True for fe80::/10.</summary>
    public bool IsLinkLocal => (High >> 54) == (0xFE80UL >> 6);

    /// <summary>True for ::.</summary>
    public bool IsUnspecified => Value == UInt128.Zero;

    /// <summary>True for ::1.</summary>
    public bool IsLoopback => Value == UInt128.One;

    /// <summary>True for ::ffff:0:0/96 (an IPv4 address in IPv6 form, never valid on the wire as a source).</summary>
    public bool IsIpv4Mapped => High == 0 && (Low >> 32) == 0xFFFF;

    /// <summary>
    /// The solicited-node multicast address of this address (RFC 4291 §2.7.1: ff02::1:ff00:0/104
    /// with the address's low 24 bits), where neighbour solicitations for it are sent.
    /// </summary>
    public Ipv6Address SolicitedNode => new(((UInt128)0xFF02_0000_0000_0000UL << 64) | 0x0000_0001_FF00_0000UL | (Low & 0xFF_FFFF));

    /// <summary>Reads an address from the first 16 bytes of <paramref name="source"/>.</summary>
    public static Ipv6Address Read(ReadOnlySpan<byte> source) => new(BinaryPrimitives.ReadUInt128BigEndian(source));

    /// <summary>Writes the address to the first 16 bytes of <paramref name="destination"/>.</summary>
    public void WriteTo(Span<byte> destination) => BinaryPrimitives.WriteUInt128BigEndian(destination, Value);

    /// <summary>
    /// The Ethernet multicast MAC of a multicast address (RFC 2464 §7: 33:33 and the address's low
    /// 32 bits).
    /// </summary>
    public MacAddress MulticastMac() => new(0x3333_0000_0000UL | (uint)Low);

    /// <summary>
    /// The four 32-bit words XORed together, as IPVS folds an IPv6 address before its schedulers
    /// hash it (<c>ipv6_addr[0] ^ [1] ^ [2] ^ [3]</c>, the words in wire order), returned as a
    /// big-endian value like an IPv4 address.
    /// </summary>
    public uint Fold() => (uint)(High >> 32) ^ (uint)High ^ (uint)(Low >> 32) ^ (uint)Low;

    /// <summary>The first <paramref name="prefixLength"/> bits of the address, the rest zero (a persistence netmask as a prefix length).</summary>
    public Ipv6Address Mask(int prefixLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixLength, 128);
        return prefixLength == 0 ? default : new(Value & (UInt128.MaxValue << (128 - prefixLength)));
    }

    /// <summary>Converts an IPv6 <see cref="IPAddress"/> (the scope id is not part of the value).</summary>
    /// <exception cref="ArgumentException">The address is not IPv6.</exception>
    public static Ipv6Address FromIPAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            throw new ArgumentException($"{address} is not an IPv6 address.", nameof(address));
        }

        Span<byte> bytes = stackalloc byte[Length];
        address.TryWriteBytes(bytes, out _);
        return Read(bytes);
    }

    /// <summary>Converts to an <see cref="IPAddress"/> (allocates; for edges only).</summary>
    public IPAddress ToIPAddress()
    {
        Span<byte> bytes = stackalloc byte[Length];
        WriteTo(bytes);
        return new IPAddress(bytes);
    }

    /// <summary>
    /// Parses IPv6 text without brackets, zone or prefix (<c>2001:db8::1</c>, <c>::ffff:10.0.0.1</c>);
    /// IPv4 text, zones and anything else are refused.
    /// </summary>
    public static bool TryParse(string? text, out Ipv6Address address)
    {
        address = default;
        if (string.IsNullOrEmpty(text) || !text.Contains(':', StringComparison.Ordinal) || text.AsSpan().IndexOfAny("%[]/") >= 0
            || !IPAddress.TryParse(text, out var parsed) || parsed.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        address = FromIPAddress(parsed);
        return true;
    }

    /// <summary>Parses IPv6 text or throws <see cref="FormatException"/>.</summary>
    public static Ipv6Address Parse(string text) =>
        TryParse(text, out var address) ? address : throw new FormatException($"'{text}' is not an IPv6 address.");

    /// <inheritdoc/>
    public int CompareTo(Ipv6Address other) => Value.CompareTo(other.Value);

    /// <summary>Numeric order of the addresses.</summary>
    public static bool operator <(Ipv6Address left, Ipv6Address right) => left.Value < right.Value;

    /// <summary>Numeric order of the addresses.</summary>
    public static bool operator <=(Ipv6Address left, Ipv6Address right) => left.Value <= right.Value;

    /// <summary>Numeric order of the addresses.</summary>
    public static bool operator >(Ipv6Address left, Ipv6Address right) => left.Value > right.Value;

    /// <summary>Numeric order of the addresses.</summary>
    public static bool operator >=(Ipv6Address left, Ipv6Address right) => left.Value >= right.Value;

    /// <summary>The RFC 5952 text form (lower case, the longest run of zero words as ::).</summary>
    public override string ToString() => ToIPAddress().ToString();
}
