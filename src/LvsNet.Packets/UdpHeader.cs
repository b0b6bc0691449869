using System.Buffers.Binary;

namespace LvsNet.Packets;

/// <summary>A view of a UDP header over an IPv4 payload.</summary>
public readonly ref struct UdpHeader
{
    /// <summary>Length of the header.</summary>
    public const int Length = 8;

    internal const int SourcePortOffset = 0;
    internal const int DestinationPortOffset = 2;
    internal const int LengthOffset = 4;
    internal const int ChecksumOffset = 6;

    private readonly ReadOnlySpan<byte> _datagram;

    private UdpHeader(ReadOnlySpan<byte> datagram) => _datagram = datagram;

    /// <summary>The source port.</summary>
    public ushort SourcePort => BinaryPrimitives.ReadUInt16BigEndian(_datagram.Slice(SourcePortOffset));

    /// <summary>The destination port.</summary>
    public ushort DestinationPort => BinaryPrimitives.ReadUInt16BigEndian(_datagram.Slice(DestinationPortOffset));

    /// <summary>The length field (header and data).</summary>
    public int DatagramLength => _datagram.Length;

    /// <summary>The checksum field (0 = none was computed).</summary>
    public ushort Checksum => BinaryPrimitives.ReadUInt16BigEndian(_datagram.Slice(ChecksumOffset));

    /// <summary>The data.</summary>
    public ReadOnlySpan<byte> Payload => _datagram.Slice(Length);

    /// <summary>Parses a UDP header; false when the length field is below 8 or past the captured bytes.</summary>
    public static bool TryParse(ReadOnlySpan<byte> datagram, out UdpHeader header)
    {
        header = default;
        if (datagram.Length < Length)
        {
            return false;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(datagram.Slice(LengthOffset));
        if (length < Length || length > datagram.Length)
        {
            return false;
        }

        header = new UdpHeader(datagram.Slice(0, length));
        return true;
    }

    /// <summary>
    /// Parses the UDP header at the start of a first fragment, whose length field covers the whole
    /// datagram and so reaches past the fragment; false when the fragment cannot hold the header or
    /// the length field is below 8 or shorter than the fragment's data.
    /// </summary>
    /// <remarks><see cref="DatagramLength"/> and <see cref="Payload"/> then cover this fragment only.</remarks>
    public static bool TryParseFirstFragment(ReadOnlySpan<byte> fragment, out UdpHeader header)
    {
        header = default;
        if (fragment.Length < Length)
        {
            return false;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(fragment.Slice(LengthOffset));
        if (length < Length || length < fragment.Length)
        {
            return false;
        }

        header = new UdpHeader(fragment);
        return true;
    }
}
