using System.Buffers.Binary;

namespace LvsNet.Packets.Writing;

/// <summary>Builds Ethernet/IPv4 ARP frames.</summary>
public static class ArpWriter
{
    /// <summary>Length of an ARP frame before Ethernet padding (14 + 28).</summary>
    public const int FrameLength = EthernetHeader.Length + ArpPacket.Length;

    /// <summary>The minimum Ethernet frame length without FCS; shorter frames are padded with zeros.</summary>
    public const int MinimumFrameLength = 60;

    /// <summary>
    /// Writes a whole ARP frame (Ethernet header, ARP body, zero padding to 60 bytes) into <paramref name="frame"/>.
    /// </summary>
    /// <returns>The frame length (60).</returns>
    public static int WriteFrame(
        Span<byte> frame,
        MacAddress ethernetDestination,
        ArpOperation operation,
        MacAddress senderMac,
        uint senderIp,
        MacAddress targetMac,
        uint targetIp)
    {
        var offset = EthernetWriter.WriteHeader(frame, ethernetDestination, senderMac, EtherType.Arp);
        var arp = frame.Slice(offset, ArpPacket.Length);
        BinaryPrimitives.WriteUInt16BigEndian(arp, 1);
        BinaryPrimitives.WriteUInt16BigEndian(arp.Slice(2), (ushort)EtherType.Ipv4);
        arp[4] = MacAddress.Length;
        arp[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(arp.Slice(6), (ushort)operation);
        senderMac.WriteTo(arp.Slice(8));
        BinaryPrimitives.WriteUInt32BigEndian(arp.Slice(14), senderIp);
        targetMac.WriteTo(arp.Slice(18));
        BinaryPrimitives.WriteUInt32BigEndian(arp.Slice(24), targetIp);
        frame.Slice(FrameLength, MinimumFrameLength - FrameLength).Clear();
        return MinimumFrameLength;
    }
}
