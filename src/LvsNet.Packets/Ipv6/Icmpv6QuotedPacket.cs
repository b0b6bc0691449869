using System.Buffers.Binary;

namespace LvsNet.Packets.Ipv6;

/// <summary>
/// The invoking packet an ICMPv6 error quotes (RFC 4443 §3): its addresses and, when it was TCP or
/// UDP, its ports. The quote is usually cut short, so the fixed header's payload length is not
/// held against it; extension headers are walked within the quoted bytes, bounded like the walk
/// of a received packet.
/// </summary>
public readonly ref struct Icmpv6QuotedPacket
{
    /// <summary>The invoking packet's source.</summary>
    public Ipv6Address Source { get; init; }

    /// <summary>The invoking packet's destination.</summary>
    public Ipv6Address Destination { get; init; }

    /// <summary>The invoking packet's upper-layer protocol (TCP or UDP).</summary>
    public IpProtocol Protocol { get; init; }

    /// <summary>Its source port.</summary>
    public ushort SourcePort { get; init; }

    /// <summary>Its destination port.</summary>
    public ushort DestinationPort { get; init; }

    /// <summary>Where its TCP or UDP header starts, counted from the start of the quote.</summary>
    public int TransportOffset { get; init; }

    /// <summary>
    /// Reads the quote after an ICMPv6 error's 8-byte header: version 6, a chain of at most
    /// <see cref="Ipv6ExtensionHeaders.MaxHeaders"/> extension headers inside the quote, a TCP or
    /// UDP header of which the 4 port bytes were quoted, and not a later fragment (no ports there).
    /// </summary>
    /// <returns>False for anything else: the error cannot be about a tracked connection.</returns>
    public static bool TryRead(ReadOnlySpan<byte> quote, out Icmpv6QuotedPacket packet)
    {
        packet = default;
        if (quote.Length < Ipv6Header.Length + 4 || (quote[0] >> 4) != 6)
        {
            return false;
        }

        var next = quote[Ipv6Header.NextHeaderOffset];
        var offset = Ipv6Header.Length;
        for (var count = 0; Ipv6ExtensionHeaders.IsExtensionHeader(next); count++)
        {
            if (count == Ipv6ExtensionHeaders.MaxHeaders || quote.Length - offset < 8)
            {
                return false;
            }

            int length;
            if (next == Ipv6ExtensionHeaders.Fragment)
            {
                if ((BinaryPrimitives.ReadUInt16BigEndian(quote.Slice(offset + 2)) & 0xFFF8) != 0)
                {
                    return false;
                }

                length = 8;
            }
            else
            {
                length = next == Ipv6ExtensionHeaders.Authentication ? (quote[offset + 1] + 2) * 4 : (quote[offset + 1] + 1) * 8;
            }

            next = quote[offset];
            offset += length;
        }

        if (next is not ((byte)IpProtocol.Tcp or (byte)IpProtocol.Udp) || quote.Length - offset < 4)
        {
            return false;
        }

        packet = new Icmpv6QuotedPacket
        {
            Source = Ipv6Address.Read(quote.Slice(Ipv6Header.SourceOffset)),
            Destination = Ipv6Address.Read(quote.Slice(Ipv6Header.DestinationOffset)),
            Protocol = (IpProtocol)next,
            SourcePort = BinaryPrimitives.ReadUInt16BigEndian(quote.Slice(offset)),
            DestinationPort = BinaryPrimitives.ReadUInt16BigEndian(quote.Slice(offset + 2)),
            TransportOffset = offset,
        };
        return true;
    }
}
