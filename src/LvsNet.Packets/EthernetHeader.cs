using System.Buffers.Binary;

namespace LvsNet.Packets;

/// <summary>A view of an Ethernet II header, with at most one 802.1Q tag, over a captured frame.</summary>
public readonly ref struct EthernetHeader
{
    /// <summary>Length of an untagged header.</summary>
    public const int Length = 14;

    /// <summary>Length of an 802.1Q tag.</summary>
    public const int VlanTagLength = 4;

    private const int DestinationOffset = 0;
    private const int SourceOffset = 6;
    private const int TypeOffset = 12;

    private readonly ReadOnlySpan<byte> _frame;

    private EthernetHeader(ReadOnlySpan<byte> frame, int headerLength, EtherType type, ushort vlanTci)
    {
        _frame = frame;
        HeaderLength = headerLength;
        EtherType = type;
        VlanTci = vlanTci;
    }

    /// <summary>The header length: 14, or 18 with a VLAN tag.</summary>
    public int HeaderLength { get; }

    /// <summary>The payload type (the inner type when tagged).</summary>
    public EtherType EtherType { get; }

    /// <summary>True when the frame carries an 802.1Q tag.</summary>
    public bool HasVlanTag => HeaderLength != Length;

    /// <summary>The tag control information (priority, DEI, VLAN id) of a tagged frame, else 0.</summary>
    public ushort VlanTci { get; }

    /// <summary>The VLAN id of a tagged frame, else 0.</summary>
    public ushort VlanId => (ushort)(VlanTci & 0x0FFF);

    /// <summary>The destination address.</summary>
    public MacAddress Destination => MacAddress.Read(_frame.Slice(DestinationOffset));

    /// <summary>The source address.</summary>
    public MacAddress Source => MacAddress.Read(_frame.Slice(SourceOffset));

    /// <summary>The bytes after the header, up to the end of the captured frame (may include Ethernet padding).</summary>
    public ReadOnlySpan<byte> Payload => _frame.Slice(HeaderLength);

    /// <summary>Parses the header; false when the frame is shorter than its header.</summary>
    public static bool TryParse(ReadOnlySpan<byte> frame, out EthernetHeader header)
    {
        header = default;
        if (frame.Length < Length)
        {
            return false;
        }

        var type = BinaryPrimitives.ReadUInt16BigEndian(frame.Slice(TypeOffset));
        if (type != (ushort)EtherType.Vlan)
        {
            header = new EthernetHeader(frame, Length, (EtherType)type, 0);
            return true;
        }

        if (frame.Length < Length + VlanTagLength)
        {
            return false;
        }

        var tci = BinaryPrimitives.ReadUInt16BigEndian(frame.Slice(TypeOffset + 2));
        var inner = BinaryPrimitives.ReadUInt16BigEndian(frame.Slice(TypeOffset + 4));
        header = new EthernetHeader(frame, Length + VlanTagLength, (EtherType)inner, tci);
        return true;
    }
}
