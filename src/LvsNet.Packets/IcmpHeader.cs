using System.Buffers.Binary;

namespace LvsNet.Packets;

/// <summary>A view of an ICMPv4 message.</summary>
public readonly ref struct IcmpHeader
{
    /// <summary>Length of the fixed header (type, code, checksum, rest of header).</summary>
    public const int Length = 8;

    /// <summary>Echo reply.</summary>
    public const byte TypeEchoReply = 0;

    /// <summary>Destination unreachable.</summary>
    public const byte TypeDestinationUnreachable = 3;

    /// <summary>Source quench.</summary>
    public const byte TypeSourceQuench = 4;

    /// <summary>Echo request.</summary>
    public const byte TypeEchoRequest = 8;

    /// <summary>Time exceeded.</summary>
    public const byte TypeTimeExceeded = 11;

    /// <summary>Parameter problem (not among <see cref="IsError"/>: IPVS does not relate it to a connection; NAT64 translates it, RFC 7915 §4.2).</summary>
    public const byte TypeParameterProblem = 12;

    /// <summary>Destination unreachable code: port unreachable.</summary>
    public const byte CodePortUnreachable = 3;

    /// <summary>Destination unreachable code: fragmentation needed and DF set.</summary>
    public const byte CodeFragmentationNeeded = 4;

    /// <summary>Time exceeded code: TTL exceeded in transit.</summary>
    public const byte CodeTtlExceeded = 0;

    private readonly ReadOnlySpan<byte> _message;

    private IcmpHeader(ReadOnlySpan<byte> message) => _message = message;

    /// <summary>The message type.</summary>
    public byte Type => _message[0];

    /// <summary>The message code.</summary>
    public byte Code => _message[1];

    /// <summary>The checksum field.</summary>
    public ushort Checksum => BinaryPrimitives.ReadUInt16BigEndian(_message.Slice(2));

    /// <summary>The four bytes after the checksum (identifier/sequence, next-hop MTU, ...).</summary>
    public uint RestOfHeader => BinaryPrimitives.ReadUInt32BigEndian(_message.Slice(4));

    /// <summary>True for the error types that concern a connection (3, 4, 11).</summary>
    public bool IsError => Type is TypeDestinationUnreachable or TypeSourceQuench or TypeTimeExceeded;

    /// <summary>The bytes after the fixed header (for errors: the embedded IP header and 8 bytes of its payload).</summary>
    public ReadOnlySpan<byte> Payload => _message.Slice(Length);

    /// <summary>The whole message.</summary>
    public ReadOnlySpan<byte> Message => _message;

    /// <summary>Parses an ICMP message; false when it is shorter than 8 bytes.</summary>
    public static bool TryParse(ReadOnlySpan<byte> message, out IcmpHeader header)
    {
        header = default;
        if (message.Length < Length)
        {
            return false;
        }

        header = new IcmpHeader(message);
        return true;
    }
}
