using System.Buffers.Binary;

namespace LvsNet.Packets.Ipv6;

/// <summary>Builds ICMPv6 error messages (RFC 4443 §3) about a packet the director received.</summary>
public static class Icmpv6ErrorWriter
{
    /// <summary>The IPv6 minimum link MTU: an error message, quoted packet included, never exceeds it (RFC 4443 §2.4(c)).</summary>
    public const int MinimumMtu = 1280;

    /// <summary>Code for destination unreachable: port unreachable (what IPVS answers when no real server is available).</summary>
    public const byte CodePortUnreachable = 4;

    /// <summary>Code for destination unreachable: address unreachable.</summary>
    public const byte CodeAddressUnreachable = 3;

    /// <summary>Code for time exceeded: hop limit exceeded in transit.</summary>
    public const byte CodeHopLimitExceeded = 0;

    private const int HeaderLength = 8;

    /// <summary>The largest frame <see cref="WriteErrorFrame"/> writes.</summary>
    public const int MaxFrameLength = EthernetHeader.Length + MinimumMtu;

    /// <summary>
    /// Whether an error may be sent about <paramref name="offending"/> at all (RFC 4443 §2.4(e)):
    /// not about an ICMPv6 error or a redirect, nor about a packet sent to a multicast address
    /// (except packet too big), nor from a source that does not identify one node (unspecified,
    /// multicast).
    /// </summary>
    public static bool MayAnswer(Ipv6Header offending, in Ipv6Chain chain, byte type)
    {
        if (offending.Source.IsUnspecified || offending.Source.IsMulticast || (offending.Destination.IsMulticast && type != Icmpv6.PacketTooBig))
        {
            return false;
        }

        if (chain.UpperLayer == Ipv6ExtensionHeaders.Icmpv6 && chain.FragmentOffset == 0)
        {
            var icmp = offending.Packet.Slice(chain.UpperLayerOffset);
            return icmp.Length >= 1 && icmp[0] >= Icmpv6.EchoRequest && icmp[0] != 137;
        }

        return true;
    }

    /// <summary>
    /// Writes a whole Ethernet frame carrying an ICMPv6 error about <paramref name="offending"/>:
    /// as much of it as fits in <see cref="MinimumMtu"/> is quoted, the destination is the
    /// offending packet's source, the checksum is set.
    /// </summary>
    /// <param name="frame">At least <see cref="MaxFrameLength"/> bytes.</param>
    /// <param name="ethernetDestination">The next hop towards the offending packet's source.</param>
    /// <param name="ethernetSource">This host's MAC.</param>
    /// <param name="source">The error's source address (the address the offending packet was sent to, or the director's).</param>
    /// <param name="offending">The packet that caused the error, from its fixed header on.</param>
    /// <param name="type">The ICMPv6 type.</param>
    /// <param name="code">The code.</param>
    /// <param name="parameter">The 4 bytes after the checksum: the MTU for packet too big, the pointer for parameter problem, else 0.</param>
    /// <returns>The frame length.</returns>
    public static int WriteErrorFrame(
        Span<byte> frame, MacAddress ethernetDestination, MacAddress ethernetSource, Ipv6Address source,
        ReadOnlySpan<byte> offending, byte type, byte code, uint parameter = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(frame.Length, MaxFrameLength);
        ArgumentOutOfRangeException.ThrowIfLessThan(offending.Length, Ipv6Header.Length);
        var quote = offending.Slice(0, Math.Min(offending.Length, MinimumMtu - Ipv6Header.Length - HeaderLength));
        var destination = Ipv6Address.Read(offending.Slice(Ipv6Header.SourceOffset));
        var offset = Writing.EthernetWriter.WriteHeader(frame, ethernetDestination, ethernetSource, EtherType.Ipv6);
        var icmpLength = HeaderLength + quote.Length;
        Ipv6Writer.WriteHeader(frame.Slice(offset), icmpLength, Ipv6ExtensionHeaders.Icmpv6, 64, source, destination);
        var icmp = frame.Slice(offset + Ipv6Header.Length, icmpLength);
        icmp[0] = type;
        icmp[1] = code;
        BinaryPrimitives.WriteUInt16BigEndian(icmp.Slice(2), 0);
        BinaryPrimitives.WriteUInt32BigEndian(icmp.Slice(4), parameter);
        quote.CopyTo(icmp.Slice(HeaderLength));
        BinaryPrimitives.WriteUInt16BigEndian(icmp.Slice(2), Icmpv6.Checksum(source, destination, Ipv6ExtensionHeaders.Icmpv6, icmp));
        return offset + Ipv6Header.Length + icmpLength;
    }
}
