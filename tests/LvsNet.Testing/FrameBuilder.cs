using System.Buffers.Binary;
using LvsNet.Packets;
using LvsNet.Packets.Checksums;
using LvsNet.Packets.Writing;

namespace LvsNet.Testing;

/// <summary>Builds valid test frames (Ethernet/IPv4/TCP|UDP, ARP) with correct checksums.</summary>
public static class FrameBuilder
{
    /// <summary>An Ethernet/IPv4/TCP frame.</summary>
    public static byte[] Tcp(
        MacAddress destinationMac,
        MacAddress sourceMac,
        uint source,
        ushort sourcePort,
        uint destination,
        ushort destinationPort,
        TcpFlags flags,
        int payloadLength = 0,
        byte ttl = 64,
        uint sequence = 1000,
        uint acknowledgment = 0)
    {
        var tcpLength = TcpHeader.MinLength + payloadLength;
        var frame = new byte[EthernetHeader.Length + Ipv4Header.MinLength + tcpLength];
        EthernetWriter.WriteHeader(frame, destinationMac, sourceMac, EtherType.Ipv4);
        var ip = frame.AsSpan(EthernetHeader.Length);
        Ipv4Writer.WriteHeader(ip, 0, Ipv4Header.MinLength + tcpLength, 0x1234, Ipv4Header.DontFragmentFlag, ttl, IpProtocol.Tcp, source, destination);
        var tcp = ip.Slice(Ipv4Header.MinLength);
        BinaryPrimitives.WriteUInt16BigEndian(tcp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp.Slice(2), destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(tcp.Slice(4), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(tcp.Slice(8), acknowledgment);
        tcp[12] = 5 << 4;
        tcp[13] = (byte)flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp.Slice(14), 65535);
        for (var i = 0; i < payloadLength; i++)
        {
            tcp[TcpHeader.MinLength + i] = (byte)i;
        }

        BinaryPrimitives.WriteUInt16BigEndian(tcp.Slice(16), TransportChecksum.Compute(source, destination, IpProtocol.Tcp, tcp));
        return frame;
    }

    /// <summary>An Ethernet/IPv4/UDP frame.</summary>
    public static byte[] Udp(MacAddress destinationMac, MacAddress sourceMac, uint source, ushort sourcePort, uint destination, ushort destinationPort, int payloadLength = 8)
    {
        var udpLength = UdpHeader.Length + payloadLength;
        var frame = new byte[EthernetHeader.Length + Ipv4Header.MinLength + udpLength];
        EthernetWriter.WriteHeader(frame, destinationMac, sourceMac, EtherType.Ipv4);
        var ip = frame.AsSpan(EthernetHeader.Length);
        Ipv4Writer.WriteHeader(ip, 0, Ipv4Header.MinLength + udpLength, 0x4321, 0, 64, IpProtocol.Udp, source, destination);
        var udp = ip.Slice(Ipv4Header.MinLength);
        BinaryPrimitives.WriteUInt16BigEndian(udp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(udp.Slice(2), destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp.Slice(4), (ushort)udpLength);
        var checksum = TransportChecksum.Compute(source, destination, IpProtocol.Udp, udp);
        BinaryPrimitives.WriteUInt16BigEndian(udp.Slice(6), checksum == 0 ? (ushort)0xFFFF : checksum);
        return frame;
    }

    /// <summary>An ARP request (broadcast) or reply frame.</summary>
    public static byte[] Arp(ArpOperation operation, MacAddress senderMac, uint senderIp, MacAddress targetMac, uint targetIp)
    {
        var frame = new byte[ArpWriter.MinimumFrameLength];
        var destination = operation == ArpOperation.Request ? MacAddress.Broadcast : targetMac;
        ArpWriter.WriteFrame(frame, destination, operation, senderMac, senderIp, targetMac, targetIp);
        return frame;
    }
}
