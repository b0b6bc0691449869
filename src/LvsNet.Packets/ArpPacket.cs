using System.Buffers.Binary;

namespace LvsNet.Packets;

/// <summary>A view of an Ethernet/IPv4 ARP packet (RFC 826).</summary>
public readonly ref struct ArpPacket
{
    /// <summary>Length of an Ethernet/IPv4 ARP packet.</summary>
    public const int Length = 28;

    private const ushort HardwareEthernet = 1;
    private const int OperationOffset = 6;
    private const int SenderMacOffset = 8;
    private const int SenderIpOffset = 14;
    private const int TargetMacOffset = 18;
    private const int TargetIpOffset = 24;

    private readonly ReadOnlySpan<byte> _packet;

    private ArpPacket(ReadOnlySpan<byte> packet) => _packet = packet;

    /// <summary>The operation.</summary>
    public ArpOperation Operation => (ArpOperation)BinaryPrimitives.ReadUInt16BigEndian(_packet.Slice(OperationOffset));

    /// <summary>The sender's hardware address.</summary>
    public MacAddress SenderMac => MacAddress.Read(_packet.Slice(SenderMacOffset));

    /// <summary>The sender's protocol address.</summary>
    public uint SenderIp => BinaryPrimitives.ReadUInt32BigEndian(_packet.Slice(SenderIpOffset));

    /// <summary>The target's hardware address.</summary>
    public MacAddress TargetMac => MacAddress.Read(_packet.Slice(TargetMacOffset));

    /// <summary>The target's protocol address.</summary>
    public uint TargetIp => BinaryPrimitives.ReadUInt32BigEndian(_packet.Slice(TargetIpOffset));

    /// <summary>Parses an ARP packet; false unless it is Ethernet/IPv4 (htype 1, ptype 0x0800, hlen 6, plen 4) and complete.</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out ArpPacket arp)
    {
        arp = default;
        if (packet.Length < Length
            || BinaryPrimitives.ReadUInt16BigEndian(packet) != HardwareEthernet
            || BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(2)) != (ushort)EtherType.Ipv4
            || packet[4] != MacAddress.Length
            || packet[5] != 4)
        {
            return false;
        }

        arp = new ArpPacket(packet);
        return true;
    }
}
