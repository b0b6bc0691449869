using System.Buffers.Binary;

namespace LvsNet.Packets.Ipv6;

/// <summary>A view of an IPv6 fixed header and its packet, validated against the captured length (RFC 8200 §3).</summary>
public readonly ref struct Ipv6Header
{
    /// <summary>The fixed header's length.</summary>
    public const int Length = 40;

    internal const int PayloadLengthOffset = 4;
    internal const int NextHeaderOffset = 6;
    internal const int HopLimitOffset = 7;
    internal const int SourceOffset = 8;
    internal const int DestinationOffset = 24;

    private readonly ReadOnlySpan<byte> _packet;

    private Ipv6Header(ReadOnlySpan<byte> packet) => _packet = packet;

    /// <summary>The traffic class byte (DSCP and ECN).</summary>
    public byte TrafficClass => (byte)(BinaryPrimitives.ReadUInt16BigEndian(_packet) >> 4);

    /// <summary>The 20-bit flow label.</summary>
    public uint FlowLabel => BinaryPrimitives.ReadUInt32BigEndian(_packet) & 0xF_FFFF;

    /// <summary>The payload length field: everything after the fixed header, extension headers included.</summary>
    public int PayloadLength => _packet.Length - Length;

    /// <summary>The header that follows the fixed header (an extension header or the upper layer).</summary>
    public byte NextHeader => _packet[NextHeaderOffset];

    /// <summary>The hop limit.</summary>
    public byte HopLimit => _packet[HopLimitOffset];

    /// <summary>The source address.</summary>
    public Ipv6Address Source => Ipv6Address.Read(_packet.Slice(SourceOffset));

    /// <summary>The destination address.</summary>
    public Ipv6Address Destination => Ipv6Address.Read(_packet.Slice(DestinationOffset));

    /// <summary>The packet bounded by the payload length field (Ethernet padding excluded).</summary>
    public ReadOnlySpan<byte> Packet => _packet;

    /// <summary>Everything after the fixed header.</summary>
    public ReadOnlySpan<byte> Payload => _packet.Slice(Length);

    /// <summary>
    /// Validates and views an IPv6 packet: version 6, a payload length that fits the captured bytes
    /// (extra bytes are Ethernet padding and are cut off). A zero payload length with a hop-by-hop
    /// header is a jumbogram (RFC 2675), which Ethernet cannot carry: refused.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out Ipv6Header header)
    {
        header = default;
        if (packet.Length < Length || (packet[0] >> 4) != 6)
        {
            return false;
        }

        var payloadLength = BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(PayloadLengthOffset));
        if (Length + payloadLength > packet.Length || (payloadLength == 0 && packet[NextHeaderOffset] == Ipv6ExtensionHeaders.HopByHop))
        {
            return false;
        }

        header = new Ipv6Header(packet.Slice(0, Length + payloadLength));
        return true;
    }
}
