using System.Buffers.Binary;
using LvsNet.Packets.Checksums;

namespace LvsNet.Packets;

/// <summary>A view of an IPv4 header and its packet, validated against the captured length.</summary>
public readonly ref struct Ipv4Header
{
    /// <summary>Length of a header without options.</summary>
    public const int MinLength = 20;

    /// <summary>The largest header (IHL 15).</summary>
    public const int MaxLength = 60;

    internal const int TosOffset = 1;
    internal const int TotalLengthOffset = 2;
    internal const int IdentificationOffset = 4;
    internal const int FlagsOffset = 6;
    internal const int TtlOffset = 8;
    internal const int ProtocolOffset = 9;
    internal const int ChecksumOffset = 10;
    internal const int SourceOffset = 12;
    internal const int DestinationOffset = 16;

    /// <summary>The Don't Fragment bit in the flags/fragment-offset word.</summary>
    public const ushort DontFragmentFlag = 0x4000;

    /// <summary>The More Fragments bit in the flags/fragment-offset word.</summary>
    public const ushort MoreFragmentsFlag = 0x2000;

    private const ushort FragmentOffsetMask = 0x1FFF;

    private readonly ReadOnlySpan<byte> _packet;

    private Ipv4Header(ReadOnlySpan<byte> packet, int headerLength)
    {
        _packet = packet;
        HeaderLength = headerLength;
    }

    /// <summary>The header length in bytes (IHL × 4).</summary>
    public int HeaderLength { get; }

    /// <summary>The total length field: header plus payload, excluding Ethernet padding.</summary>
    public int TotalLength => _packet.Length;

    /// <summary>The type-of-service byte (DSCP and ECN).</summary>
    public byte TypeOfService => _packet[TosOffset];

    /// <summary>The identification field.</summary>
    public ushort Identification => BinaryPrimitives.ReadUInt16BigEndian(_packet.Slice(IdentificationOffset));

    /// <summary>The flags and fragment offset word.</summary>
    public ushort FlagsAndFragmentOffset => BinaryPrimitives.ReadUInt16BigEndian(_packet.Slice(FlagsOffset));

    /// <summary>True when DF is set.</summary>
    public bool DontFragment => (FlagsAndFragmentOffset & DontFragmentFlag) != 0;

    /// <summary>True for any fragment (MF set or a non-zero offset).</summary>
    public bool IsFragment => (FlagsAndFragmentOffset & (MoreFragmentsFlag | FragmentOffsetMask)) != 0;

    /// <summary>True when MF (more fragments) is set.</summary>
    public bool MoreFragments => (FlagsAndFragmentOffset & MoreFragmentsFlag) != 0;

    /// <summary>Where this fragment's data starts in the original datagram's payload, in bytes (the offset field × 8).</summary>
    public int FragmentOffset => (FlagsAndFragmentOffset & FragmentOffsetMask) << 3;

    /// <summary>The time to live.</summary>
    public byte Ttl => _packet[TtlOffset];

    /// <summary>The payload protocol.</summary>
    public IpProtocol Protocol => (IpProtocol)_packet[ProtocolOffset];

    /// <summary>The header checksum field.</summary>
    public ushort Checksum => BinaryPrimitives.ReadUInt16BigEndian(_packet.Slice(ChecksumOffset));

    /// <summary>The source address (big-endian value).</summary>
    public uint Source => BinaryPrimitives.ReadUInt32BigEndian(_packet.Slice(SourceOffset));

    /// <summary>The destination address (big-endian value).</summary>
    public uint Destination => BinaryPrimitives.ReadUInt32BigEndian(_packet.Slice(DestinationOffset));

    /// <summary>The header bytes, options included.</summary>
    public ReadOnlySpan<byte> Header => _packet.Slice(0, HeaderLength);

    /// <summary>The payload, bounded by the total length field (Ethernet padding excluded).</summary>
    public ReadOnlySpan<byte> Payload => _packet.Slice(HeaderLength);

    /// <summary>The packet, header and payload, bounded by the total length field.</summary>
    public ReadOnlySpan<byte> Packet => _packet;

    /// <summary>True when the header checksum verifies.</summary>
    public bool IsChecksumValid => Header.Length == MinLength ? InternetChecksum.VerifiesTwentyBytes(Header) : InternetChecksum.Compute(Header) == 0;

    /// <summary>
    /// Parses the IPv4 header quoted inside an ICMP error: only the header (and whatever follows
    /// of the payload, usually 8 bytes) is present, so the total length is not checked against the
    /// span; <see cref="Payload"/> is what was quoted.
    /// </summary>
    public static bool TryParseQuoted(ReadOnlySpan<byte> quote, out Ipv4Header header)
    {
        header = default;
        if (quote.Length < MinLength)
        {
            return false;
        }

        var versionIhl = quote[0];
        var headerLength = (versionIhl & 0x0F) * 4;
        if ((versionIhl >> 4) != 4 || headerLength < MinLength || headerLength > quote.Length)
        {
            return false;
        }

        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(quote.Slice(TotalLengthOffset));
        header = new Ipv4Header(quote.Slice(0, Math.Max(headerLength, Math.Min(totalLength, quote.Length))), headerLength);
        return true;
    }

    /// <summary>
    /// Parses an IPv4 header; false when the version is not 4, IHL &lt; 5, the total length is
    /// shorter than the header or longer than the captured bytes.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out Ipv4Header header)
    {
        header = default;
        if (packet.Length < MinLength)
        {
            return false;
        }

        var versionIhl = packet[0];
        var headerLength = (versionIhl & 0x0F) * 4;
        if ((versionIhl >> 4) != 4 || headerLength < MinLength)
        {
            return false;
        }

        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(TotalLengthOffset));
        if (totalLength < headerLength || totalLength > packet.Length)
        {
            return false;
        }

        header = new Ipv4Header(packet.Slice(0, totalLength), headerLength);
        return true;
    }
}
