using System.Buffers.Binary;

namespace LvsNet.Packets.Ipv6;

/// <summary>Why an IPv6 header chain was refused by <see cref="Ipv6ExtensionHeaders.TryWalk"/>.</summary>
public enum Ipv6ChainError : byte
{
    /// <summary>The chain is well formed.</summary>
    None = 0,

    /// <summary>An extension header runs past the end of the packet.</summary>
    Truncated,

    /// <summary>More extension headers than <see cref="Ipv6ExtensionHeaders.MaxHeaders"/> (a chain-walk cost attack).</summary>
    TooManyHeaders,

    /// <summary>A hop-by-hop header not directly after the fixed header (RFC 8200 §4.1).</summary>
    HopByHopNotFirst,

    /// <summary>A routing header with segments left: the packet is not for this node yet (as IPv4's source routes are refused; type 0 is deprecated, RFC 5095).</summary>
    RoutingHeader,

    /// <summary>An option whose type says "discard if unrecognised" (RFC 8200 §4.2), or malformed option TLVs.</summary>
    BadOption,

    /// <summary>A fragment header that is malformed: a non-last fragment whose length is not a multiple of 8, or a datagram beyond 65,535 bytes.</summary>
    BadFragment,

    /// <summary>A first fragment that does not hold the whole header chain up to the upper-layer header (RFC 7112).</summary>
    IncompleteFirstFragment,
}

/// <summary>Where an IPv6 header chain ends, and its fragment header if it has one.</summary>
public readonly record struct Ipv6Chain
{
    /// <summary>The upper-layer protocol (TCP, UDP, ICMPv6), or the header where walking stopped (ESP 50, No Next Header 59).</summary>
    public byte UpperLayer { get; init; }

    /// <summary>The offset of the upper-layer header from the start of the fixed header.</summary>
    public int UpperLayerOffset { get; init; }

    /// <summary>True when the packet is a fragment (an atomic fragment, offset 0 without M, is not: RFC 6946).</summary>
    public bool IsFragment { get; init; }

    /// <summary>The fragment's offset in bytes.</summary>
    public int FragmentOffset { get; init; }

    /// <summary>True when more fragments follow (the M flag).</summary>
    public bool MoreFragments { get; init; }

    /// <summary>The fragment header's identification.</summary>
    public uint FragmentIdentification { get; init; }

    /// <summary>The offset of the fragment header, or -1.</summary>
    public int FragmentHeaderOffset { get; init; }
}

/// <summary>
/// Walks an IPv6 extension header chain (RFC 8200 §4) to the upper-layer header: hop-by-hop,
/// routing, fragment, destination options, authentication and the other RFC 7045 extension
/// headers, bounded in count and by the packet, without allocating. Options are checked as a
/// node that knows only padding does (and the router alert in hop-by-hop).
/// </summary>
public static class Ipv6ExtensionHeaders
{
    /// <summary>Hop-by-hop options.</summary>
    public const byte HopByHop = 0;

    /// <summary>Routing header.</summary>
    public const byte Routing = 43;

    /// <summary>Fragment header.</summary>
    public const byte Fragment = 44;

    /// <summary>Encapsulating security payload (opaque: the walk stops there).</summary>
    public const byte Esp = 50;

    /// <summary>Authentication header.</summary>
    public const byte Authentication = 51;

    /// <summary>ICMPv6.</summary>
    public const byte Icmpv6 = 58;

    /// <summary>No next header.</summary>
    public const byte NoNextHeader = 59;

    /// <summary>Destination options.</summary>
    public const byte DestinationOptions = 60;

    /// <summary>The most extension headers a packet may carry before it is refused. Legitimate traffic carries one or two; eight leaves room for every order RFC 8200 §4.1 recommends.</summary>
    public const int MaxHeaders = 8;

    private const int FragmentHeaderLength = 8;
    private const byte OptionPad1 = 0;
    private const byte OptionPadN = 1;
    private const byte OptionRouterAlert = 5;

    /// <summary>True for the next-header values that are extension headers (RFC 7045 §2 and the IANA list): 0, 43, 44, 51, 60, 135, 139, 140, 253, 254.</summary>
    public static bool IsExtensionHeader(byte nextHeader) =>
        nextHeader is HopByHop or Routing or Fragment or Authentication or DestinationOptions or 135 or 139 or 140 or 253 or 254;

    /// <summary>Walks the chain of <paramref name="header"/>'s packet.</summary>
    /// <returns>False with the reason when the chain must be dropped.</returns>
    public static bool TryWalk(Ipv6Header header, out Ipv6Chain chain, out Ipv6ChainError error)
    {
        var packet = header.Packet;
        var next = header.NextHeader;
        var offset = Ipv6Header.Length;
        var count = 0;
        var fragment = default(Ipv6Chain) with { FragmentHeaderOffset = -1 };
        chain = default;
        while (IsExtensionHeader(next))
        {
            if (fragment.IsFragment && fragment.FragmentOffset != 0)
            {
                // A later fragment: what follows its fragment header is payload of the original packet.
                break;
            }

            if (++count > MaxHeaders)
            {
                error = Ipv6ChainError.TooManyHeaders;
                return false;
            }

            if (next == HopByHop && offset != Ipv6Header.Length)
            {
                error = Ipv6ChainError.HopByHopNotFirst;
                return false;
            }

            if (packet.Length - offset < 8)
            {
                error = fragment.IsFragment ? Ipv6ChainError.IncompleteFirstFragment : Ipv6ChainError.Truncated;
                return false;
            }

            var headerLength = next switch
            {
                Fragment => FragmentHeaderLength,
                Authentication => (packet[offset + 1] + 2) * 4,
                _ => (packet[offset + 1] + 1) * 8,
            };
            if (headerLength > packet.Length - offset)
            {
                error = fragment.IsFragment ? Ipv6ChainError.IncompleteFirstFragment : Ipv6ChainError.Truncated;
                return false;
            }

            var body = packet.Slice(offset, headerLength);
            switch (next)
            {
                case HopByHop or DestinationOptions when !OptionsAcceptable(body.Slice(2), next == HopByHop):
                    error = Ipv6ChainError.BadOption;
                    return false;

                case Routing when body[3] != 0:
                    // Segments left: this node is a waypoint, not the destination.
                    error = Ipv6ChainError.RoutingHeader;
                    return false;

                case Fragment:
                {
                    var word = BinaryPrimitives.ReadUInt16BigEndian(body.Slice(2));
                    var fragmentOffset = word & 0xFFF8;
                    var more = (word & 1) != 0;
                    var fragmentLength = packet.Length - offset - FragmentHeaderLength;
                    if ((more && (fragmentLength & 7) != 0) || fragmentOffset + fragmentLength > ushort.MaxValue)
                    {
                        error = Ipv6ChainError.BadFragment;
                        return false;
                    }

                    fragment = fragment with
                    {
                        IsFragment = fragmentOffset != 0 || more,
                        FragmentOffset = fragmentOffset,
                        MoreFragments = more,
                        FragmentIdentification = BinaryPrimitives.ReadUInt32BigEndian(body.Slice(4)),
                        FragmentHeaderOffset = offset,
                    };
                    break;
                }
            }

            next = body[0];
            offset += headerLength;
        }

        if (fragment.IsFragment && fragment.FragmentOffset == 0 && next != NoNextHeader && !UpperLayerHeaderFits(next, packet.Length - offset))
        {
            error = Ipv6ChainError.IncompleteFirstFragment;
            return false;
        }

        chain = fragment with { UpperLayer = next, UpperLayerOffset = offset };
        error = Ipv6ChainError.None;
        return true;
    }

    // RFC 7112: the first fragment must hold the upper-layer header (its fixed part suffices here).
    private static bool UpperLayerHeaderFits(byte protocol, int remaining) => protocol switch
    {
        (byte)IpProtocol.Tcp => remaining >= TcpHeader.MinLength,
        (byte)IpProtocol.Udp => remaining >= UdpHeader.Length,
        Icmpv6 => remaining >= 4,
        _ => true,
    };

    // The option TLVs of a hop-by-hop or destination options header (after its two-byte prefix).
    private static bool OptionsAcceptable(ReadOnlySpan<byte> options, bool hopByHop)
    {
        var i = 0;
        while (i < options.Length)
        {
            var type = options[i];
            if (type == OptionPad1)
            {
                i++;
                continue;
            }

            if (i + 2 > options.Length || i + 2 + options[i + 1] > options.Length)
            {
                return false;
            }

            // The two high bits say what a node that does not know the option does: 00 skips it,
            // anything else discards the packet (with or without an ICMP error, never sent here).
            var known = type == OptionPadN || (hopByHop && type == OptionRouterAlert && options[i + 1] == 2);
            if (!known && (type >> 6) != 0)
            {
                return false;
            }

            i += 2 + options[i + 1];
        }

        return true;
    }
}
