using LvsNet.Packets.Ipv6;
using PacketDotNet;
using Xunit;

namespace LvsNet.Packets.Tests.Ipv6;

/// <summary>The addresses the IPv6 tests share, packets built by PacketDotNet (not by the code under test), and the walk every test starts from.</summary>
internal static class Ipv6TestPackets
{
    public static readonly Ipv6Address Client = Ipv6Address.Parse("2001:db8:1::10");
    public static readonly Ipv6Address Vip = Ipv6Address.Parse("2001:db8::100");
    public static readonly Ipv6Address Server = Ipv6Address.Parse("fd00:77::11");

    /// <summary>Parses the fixed header and walks the chain, asserting both succeed.</summary>
    public static Ipv6Chain Walk(byte[] packet)
    {
        Assert.True(Ipv6Header.TryParse(packet, out var header));
        Assert.True(Ipv6ExtensionHeaders.TryWalk(header, out var chain, out var error), error.ToString());
        return chain;
    }

    /// <summary>Decodes an IPv6 packet with PacketDotNet (wrapped in an Ethernet frame).</summary>
    public static IPv6Packet Decode(byte[] packet)
    {
        byte[] frame = [.. new byte[12], 0x86, 0xDD, .. packet];
        return Assert.IsType<IPv6Packet>(Assert.IsType<EthernetPacket>(Packet.ParsePacket(LinkLayers.Ethernet, frame)).PayloadPacket);
    }

    /// <summary>A TCP (ACK) or UDP packet over IPv6, built and checksummed by PacketDotNet.</summary>
    public static byte[] Transport(bool udp, Ipv6Address source, ushort sourcePort, Ipv6Address destination, ushort destinationPort, byte[] payload)
    {
        var ip = new IPv6Packet(source.ToIPAddress(), destination.ToIPAddress()) { HopLimit = 64 };
        if (udp)
        {
            var datagram = new UdpPacket(sourcePort, destinationPort) { PayloadData = payload };
            ip.PayloadPacket = datagram;
            datagram.UpdateUdpChecksum();
        }
        else
        {
            var segment = new TcpPacket(sourcePort, destinationPort) { PayloadData = payload, Acknowledgment = true, AcknowledgmentNumber = 7, SequenceNumber = 99, WindowSize = 512 };
            ip.PayloadPacket = segment;
            segment.UpdateTcpChecksum();
        }

        return ip.Bytes;
    }
}
