using System.Net.NetworkInformation;
using LvsNet.Packets;
using Pdn = PacketDotNet;

namespace LvsNet.Testing;

/// <summary>Builds valid test frames (Ethernet/IPv4/TCP|UDP, ARP) with correct checksums.</summary>
/// <remarks>
/// The frames are built by PacketDotNet (its constructors and checksum code), not by LvsNet's own
/// writers, so that a test's input does not depend on the code under test.
/// </remarks>
public static class FrameBuilder
{
    /// <summary>An Ethernet/IPv4/TCP frame (IP identification 0x1234, DF, window 65535, payload bytes 0, 1, 2, ...).</summary>
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
        var tcp = new Pdn.TcpPacket(sourcePort, destinationPort)
        {
            SequenceNumber = sequence,
            AcknowledgmentNumber = acknowledgment,
            Flags = (byte)flags,
            WindowSize = 65535,
            PayloadData = Payload(payloadLength),
        };
        var ip = Ipv4(source, destination, ttl, 0x1234, dontFragment: true, tcp);
        tcp.UpdateTcpChecksum();
        ip.UpdateIPChecksum();
        return Ethernet(destinationMac, sourceMac, Pdn.EthernetType.IPv4, ip);
    }

    /// <summary>An Ethernet/IPv4/UDP frame (IP identification 0x4321, a zero-filled payload; a computed checksum of 0 is sent as 0xFFFF).</summary>
    public static byte[] Udp(MacAddress destinationMac, MacAddress sourceMac, uint source, ushort sourcePort, uint destination, ushort destinationPort, int payloadLength = 8)
    {
        var udp = new Pdn.UdpPacket(sourcePort, destinationPort) { PayloadData = new byte[payloadLength] };
        var ip = Ipv4(source, destination, 64, 0x4321, dontFragment: false, udp);
        udp.UpdateCalculatedValues();
        udp.UpdateUdpChecksum();
        if (udp.Checksum == 0)
        {
            // RFC 768: a computed zero is transmitted as all ones (zero means "no checksum").
            udp.Checksum = 0xFFFF;
        }

        ip.UpdateIPChecksum();
        return Ethernet(destinationMac, sourceMac, Pdn.EthernetType.IPv4, ip);
    }

    /// <summary>
    /// An Ethernet/IPv4/UDP frame with a patterned payload (byte i is i × 7 + 3), the given IP
    /// identification and DF clear: a datagram to split into fragments.
    /// </summary>
    public static byte[] UdpDatagram(MacAddress destinationMac, MacAddress sourceMac, uint source, ushort sourcePort, uint destination, ushort destinationPort, int payloadLength, ushort identification)
    {
        var data = new byte[payloadLength];
        for (var i = 0; i < payloadLength; i++)
        {
            data[i] = (byte)((i * 7) + 3);
        }

        var udp = new Pdn.UdpPacket(sourcePort, destinationPort) { PayloadData = data };
        var ip = Ipv4(source, destination, 64, identification, dontFragment: false, udp);
        udp.UpdateCalculatedValues();
        udp.UpdateUdpChecksum();
        if (udp.Checksum == 0)
        {
            udp.Checksum = 0xFFFF;
        }

        ip.UpdateIPChecksum();
        return Ethernet(destinationMac, sourceMac, Pdn.EthernetType.IPv4, ip);
    }

    /// <summary>
    /// The frame with an IEEE 802.1Q tag inserted after the MACs: TPID 0x8100, then the TCI (priority,
    /// DEI, VLAN id) as given, then the frame's own EtherType and payload.
    /// </summary>
    public static byte[] WithVlanTag(byte[] frame, ushort tci)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var tagged = new byte[frame.Length + 4];
        frame.AsSpan(0, 12).CopyTo(tagged);
        tagged[12] = 0x81;
        tagged[13] = 0x00;
        tagged[14] = (byte)(tci >> 8);
        tagged[15] = (byte)tci;
        frame.AsSpan(12).CopyTo(tagged.AsSpan(16));
        return tagged;
    }

    /// <summary>An ARP request (broadcast) or reply frame, padded to the 60-byte Ethernet minimum.</summary>
    public static byte[] Arp(ArpOperation operation, MacAddress senderMac, uint senderIp, MacAddress targetMac, uint targetIp)
    {
        var arp = new Pdn.ArpPacket(
            operation == ArpOperation.Request ? Pdn.ArpOperation.Request : Pdn.ArpOperation.Response,
            Mac(targetMac),
            IndependentDecoder.Address(targetIp),
            Mac(senderMac),
            IndependentDecoder.Address(senderIp));
        var destination = operation == ArpOperation.Request ? MacAddress.Broadcast : targetMac;
        var frame = Ethernet(destination, senderMac, Pdn.EthernetType.Arp, arp);
        Array.Resize(ref frame, Math.Max(frame.Length, 60));
        return frame;
    }

    private static Pdn.IPv4Packet Ipv4(uint source, uint destination, byte ttl, ushort identification, bool dontFragment, Pdn.Packet payload)
    {
        var ip = new Pdn.IPv4Packet(IndependentDecoder.Address(source), IndependentDecoder.Address(destination))
        {
            TimeToLive = ttl,
            Id = identification,
            FragmentFlags = dontFragment ? 0b010 : 0,
            PayloadPacket = payload,
        };
        ip.UpdateCalculatedValues();
        return ip;
    }

    private static byte[] Ethernet(MacAddress destination, MacAddress source, Pdn.EthernetType type, Pdn.Packet payload) =>
        new Pdn.EthernetPacket(Mac(source), Mac(destination), type) { PayloadPacket = payload }.Bytes;

    private static PhysicalAddress Mac(MacAddress address)
    {
        var bytes = new byte[MacAddress.Length];
        address.WriteTo(bytes);
        return new PhysicalAddress(bytes);
    }

    private static byte[] Payload(int length)
    {
        var payload = new byte[length];
        for (var i = 0; i < length; i++)
        {
            payload[i] = (byte)i;
        }

        return payload;
    }
}
