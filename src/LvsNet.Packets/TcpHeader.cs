using System.Buffers.Binary;

namespace LvsNet.Packets;

/// <summary>A view of a TCP header over an IPv4 payload.</summary>
public readonly ref struct TcpHeader
{
    /// <summary>Length of a header without options.</summary>
    public const int MinLength = 20;

    internal const int SourcePortOffset = 0;
    internal const int DestinationPortOffset = 2;
    internal const int SequenceOffset = 4;
    internal const int AcknowledgmentOffset = 8;
    internal const int DataOffsetOffset = 12;
    internal const int FlagsOffset = 13;
    internal const int WindowOffset = 14;
    internal const int ChecksumOffset = 16;

    private readonly ReadOnlySpan<byte> _segment;

    private TcpHeader(ReadOnlySpan<byte> segment, int headerLength)
    {
        _segment = segment;
        HeaderLength = headerLength;
    }

    /// <summary>The header length in bytes (data offset × 4).</summary>
    public int HeaderLength { get; }

    /// <summary>The source port.</summary>
    public ushort SourcePort => BinaryPrimitives.ReadUInt16BigEndian(_segment.Slice(SourcePortOffset));

    /// <summary>The destination port.</summary>
    public ushort DestinationPort => BinaryPrimitives.ReadUInt16BigEndian(_segment.Slice(DestinationPortOffset));

    /// <summary>The sequence number.</summary>
    public uint SequenceNumber => BinaryPrimitives.ReadUInt32BigEndian(_segment.Slice(SequenceOffset));

    /// <summary>The acknowledgment number.</summary>
    public uint AcknowledgmentNumber => BinaryPrimitives.ReadUInt32BigEndian(_segment.Slice(AcknowledgmentOffset));

    /// <summary>The flags.</summary>
    public TcpFlags Flags => (TcpFlags)_segment[FlagsOffset];

    /// <summary>The receive window.</summary>
    public ushort Window => BinaryPrimitives.ReadUInt16BigEndian(_segment.Slice(WindowOffset));

    /// <summary>The checksum field.</summary>
    public ushort Checksum => BinaryPrimitives.ReadUInt16BigEndian(_segment.Slice(ChecksumOffset));

    /// <summary>The option bytes.</summary>
    public ReadOnlySpan<byte> Options => _segment.Slice(MinLength, HeaderLength - MinLength);

    /// <summary>The segment's data.</summary>
    public ReadOnlySpan<byte> Payload => _segment.Slice(HeaderLength);

    /// <summary>The whole segment, header and data.</summary>
    public ReadOnlySpan<byte> Segment => _segment;

    /// <summary>Parses a TCP header; false when it is truncated or its data offset is below 5 or past the segment.</summary>
    public static bool TryParse(ReadOnlySpan<byte> segment, out TcpHeader header)
    {
        header = default;
        if (segment.Length < MinLength)
        {
            return false;
        }

        var headerLength = (segment[DataOffsetOffset] >> 4) * 4;
        if (headerLength < MinLength || headerLength > segment.Length)
        {
            return false;
        }

        header = new TcpHeader(segment, headerLength);
        return true;
    }
}
