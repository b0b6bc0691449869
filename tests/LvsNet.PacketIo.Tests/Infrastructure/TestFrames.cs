using System.Buffers.Binary;

namespace LvsNet.PacketIo.Tests.Infrastructure;

/// <summary>Hand-built Ethernet frames for the tests (no dependency on LvsNet.Packets).</summary>
internal static class TestFrames
{
    /// <summary>IEEE 802 "local experimental" EtherType 1: the frames the live tests send and expect.</summary>
    public const ushort ExperimentalEtherType = 0x88b5;

    /// <summary>IEEE 802 "local experimental" EtherType 2: frames a filter must exclude.</summary>
    public const ushort OtherExperimentalEtherType = 0x88b6;

    /// <summary>A locally administered unicast source MAC.</summary>
    public static readonly byte[] SourceMac = [0x02, 0x00, 0x00, 0x00, 0x00, 0x0a];

    /// <summary>A locally administered unicast destination MAC.</summary>
    public static readonly byte[] DestinationMac = [0x02, 0x00, 0x00, 0x00, 0x00, 0x0b];

    private const int EthernetHeaderLength = 14;

    /// <summary>An ARP request (broadcast): who has <paramref name="targetIp"/>? tell <paramref name="senderIp"/>.</summary>
    public static byte[] ArpRequest(byte[] senderMac, byte[] senderIp, byte[] targetIp)
    {
        var frame = new byte[EthernetHeaderLength + 28];
        WriteEthernet(frame, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff], senderMac, 0x0806);
        var arp = frame.AsSpan(EthernetHeaderLength);
        BinaryPrimitives.WriteUInt16BigEndian(arp, 1); // hardware type: Ethernet
        BinaryPrimitives.WriteUInt16BigEndian(arp[2..], 0x0800); // protocol type: IPv4
        arp[4] = 6;
        arp[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(arp[6..], 1); // operation: request
        senderMac.CopyTo(arp[8..]);
        senderIp.CopyTo(arp[14..]);
        // Target hardware address stays zero in a request.
        targetIp.CopyTo(arp[24..]);
        return frame;
    }

    /// <summary>An IPv4/UDP frame with correct IPv4 and UDP checksums.</summary>
    public static byte[] Udp(byte[] sourceMac, byte[] destinationMac, byte[] sourceIp, byte[] destinationIp,
        ushort sourcePort, ushort destinationPort, ReadOnlySpan<byte> payload)
    {
        var udpLength = 8 + payload.Length;
        var ipLength = 20 + udpLength;
        var frame = new byte[EthernetHeaderLength + ipLength];
        WriteEthernet(frame, destinationMac, sourceMac, 0x0800);

        var ip = frame.AsSpan(EthernetHeaderLength, 20);
        ip[0] = 0x45; // version 4, IHL 5
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)ipLength);
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], 1); // identification
        BinaryPrimitives.WriteUInt16BigEndian(ip[6..], 0x4000); // don't fragment
        ip[8] = 64; // TTL
        ip[9] = 17; // UDP
        sourceIp.CopyTo(ip[12..]);
        destinationIp.CopyTo(ip[16..]);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum(ip, 0));

        var udp = frame.AsSpan(EthernetHeaderLength + 20);
        BinaryPrimitives.WriteUInt16BigEndian(udp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)udpLength);
        payload.CopyTo(udp[8..]);

        // Pseudo-header: source, destination, zero + protocol, UDP length.
        var pseudo = Sum(sourceIp) + Sum(destinationIp) + 17u + (uint)udpLength;
        var udpChecksum = Checksum(udp, pseudo);
        BinaryPrimitives.WriteUInt16BigEndian(udp[6..], udpChecksum == 0 ? (ushort)0xffff : udpChecksum);
        return frame;
    }

    /// <summary>
    /// A frame of <paramref name="length"/> bytes with an experimental EtherType, carrying
    /// <paramref name="sequence"/> after the Ethernet header and a sequence-dependent fill after it.
    /// </summary>
    public static byte[] Experimental(int sequence, int length, ushort etherType = ExperimentalEtherType)
    {
        var frame = new byte[length];
        WriteEthernet(frame, DestinationMac, SourceMac, etherType);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(EthernetHeaderLength), sequence);
        for (var i = EthernetHeaderLength + 4; i < frame.Length; i++)
        {
            frame[i] = (byte)(sequence + i);
        }

        return frame;
    }

    /// <summary>The EtherType of a frame, or 0 when it is too short.</summary>
    public static ushort GetEtherType(ReadOnlySpan<byte> frame) =>
        frame.Length >= EthernetHeaderLength ? BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) : (ushort)0;

    /// <summary>The sequence number of a frame built by <see cref="Experimental"/>.</summary>
    public static int GetSequence(ReadOnlySpan<byte> frame) => BinaryPrimitives.ReadInt32BigEndian(frame[EthernetHeaderLength..]);

    private static void WriteEthernet(Span<byte> frame, byte[] destination, byte[] source, ushort etherType)
    {
        destination.CopyTo(frame);
        source.CopyTo(frame[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], etherType);
    }

    private static uint Sum(ReadOnlySpan<byte> data)
    {
        var sum = 0u;
        for (var i = 0; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        if ((data.Length & 1) != 0)
        {
            sum += (uint)data[^1] << 8;
        }

        return sum;
    }

    private static ushort Checksum(ReadOnlySpan<byte> data, uint initial)
    {
        var sum = initial + Sum(data);
        while ((sum >> 16) != 0)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (ushort)~sum;
    }
}
