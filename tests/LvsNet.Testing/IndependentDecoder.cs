using System.Net;
using PacketDotNet;
using PacketDotNet.Utils;
using Xunit;

namespace LvsNet.Testing;

/// <summary>
/// Decodes frames with PacketDotNet, a decoder independent of LvsNet's own header views, and asserts
/// that every layer it reaches is well formed: lengths agree with the frame and every checksum
/// (IPv4 header, TCP, UDP, ICMP) verifies by PacketDotNet's own arithmetic.
/// </summary>
/// <remarks>
/// Tests only: PacketDotNet builds an object per layer per packet, which the data path must not do.
/// Each method returns PacketDotNet's object for the layer it names, so a test compares fields with
/// what it expects (from the reference or the frame it fed in), never with LvsNet's parsers.
/// </remarks>
public static class IndependentDecoder
{
    /// <summary>Decodes an Ethernet frame.</summary>
    public static EthernetPacket Ethernet(byte[] frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        return Assert.IsType<EthernetPacket>(Packet.ParsePacket(LinkLayers.Ethernet, frame));
    }

    /// <summary>Decodes an Ethernet frame carrying IPv4; asserts the header checksum and that the IP length fits the frame.</summary>
    public static IPv4Packet Ipv4(byte[] frame)
    {
        var ethernet = Ethernet(frame);
        Assert.Equal(EthernetType.IPv4, ethernet.Type);
        var ip = Assert.IsType<IPv4Packet>(ethernet.PayloadPacket);
        AssertIpv4(ip);

        // Anything after the IP datagram is Ethernet padding, which only short frames carry.
        Assert.True(ip.TotalLength == frame.Length - EthernetFields.HeaderLength || (ip.TotalLength < 46 && frame.Length == 60),
            $"IPv4 total length {ip.TotalLength} does not match a {frame.Length}-byte frame");
        return ip;
    }

    /// <summary>Decodes a TCP/IPv4 frame; asserts the IPv4 and TCP checksums.</summary>
    public static TcpPacket Tcp(byte[] frame) => Tcp(Ipv4(frame));

    /// <summary>The TCP segment inside <paramref name="ip"/>, with its checksum (pseudo-header included) asserted.</summary>
    public static TcpPacket Tcp(IPv4Packet ip)
    {
        ArgumentNullException.ThrowIfNull(ip);
        Assert.Equal(ProtocolType.Tcp, ip.Protocol);
        var tcp = Assert.IsType<TcpPacket>(ip.PayloadPacket);
        Assert.True(tcp.DataOffset * 4 <= ip.PayloadLength, "TCP data offset beyond the IP payload");
        Assert.True(tcp.ValidTcpChecksum, $"TCP checksum 0x{tcp.Checksum:x4} is wrong (expected 0x{tcp.CalculateTcpChecksum():x4})");
        return tcp;
    }

    /// <summary>Decodes a UDP/IPv4 frame; asserts the IPv4 checksum, the UDP length and the UDP checksum (which must be present).</summary>
    public static UdpPacket Udp(byte[] frame)
    {
        var ip = Ipv4(frame);
        Assert.Equal(ProtocolType.Udp, ip.Protocol);
        var udp = Assert.IsType<UdpPacket>(ip.PayloadPacket);
        Assert.Equal(ip.PayloadLength, udp.Length);
        Assert.NotEqual(0, udp.Checksum);
        Assert.True(udp.ValidUdpChecksum, $"UDP checksum 0x{udp.Checksum:x4} is wrong (expected 0x{udp.CalculateUdpChecksum():x4})");
        return udp;
    }

    /// <summary>Decodes an ICMP/IPv4 frame; asserts the IPv4 and ICMP checksums.</summary>
    public static IcmpV4Packet Icmp(byte[] frame)
    {
        var ip = Ipv4(frame);
        Assert.Equal(ProtocolType.Icmp, ip.Protocol);
        var icmp = Assert.IsType<IcmpV4Packet>(ip.PayloadPacket);
        Assert.True(icmp.ValidIcmpChecksum, $"ICMP checksum 0x{icmp.Checksum:x4} is wrong (expected 0x{icmp.CalculateIcmpChecksum():x4})");
        return icmp;
    }

    /// <summary>
    /// The datagram an ICMP error quotes (its IPv4 header and the first bytes of its payload), with the
    /// quoted header's checksum asserted; the transport header is left as bytes because it is truncated.
    /// </summary>
    public static (IPv4Packet Header, byte[] TransportStart) Quoted(IcmpV4Packet error)
    {
        ArgumentNullException.ThrowIfNull(error);

        // The error's body starts after the 8-byte ICMP header (type, code, checksum, 4 bytes).
        var body = error.Bytes.AsSpan(8).ToArray();
        Assert.True(body.Length >= 28, "an ICMP error quotes at least the IP header and 8 bytes");
        var headerLength = (body[0] & 0x0F) * 4;
        var header = new IPv4Packet(new ByteArraySegment(body, 0, headerLength));
        Assert.Equal(4, (int)header.Version);
        Assert.True(header.ValidIPChecksum, "the quoted IPv4 header's checksum is wrong");
        return (header, body.AsSpan(headerLength).ToArray());
    }

    /// <summary>Decodes an IPIP frame: the outer and inner IPv4 headers, both checksums asserted.</summary>
    public static (IPv4Packet Outer, IPv4Packet Inner) Ipip(byte[] frame)
    {
        var outer = Ipv4(frame);
        Assert.Equal(ProtocolType.IPv4, outer.Protocol);
        var inner = Assert.IsType<IPv4Packet>(outer.PayloadPacket);
        AssertIpv4(inner);
        Assert.Equal(outer.PayloadLength, inner.TotalLength);
        return (outer, inner);
    }

    /// <summary>Decodes an ARP frame (Ethernet, IPv4 addresses).</summary>
    public static ArpPacket Arp(byte[] frame)
    {
        var ethernet = Ethernet(frame);
        Assert.Equal(EthernetType.Arp, ethernet.Type);
        var arp = Assert.IsType<ArpPacket>(ethernet.PayloadPacket);
        Assert.Equal(LinkLayers.Ethernet, arp.HardwareAddressType);
        Assert.Equal(EthernetType.IPv4, arp.ProtocolAddressType);
        Assert.Equal(6, arp.HardwareAddressLength);
        Assert.Equal(4, arp.ProtocolAddressLength);
        return arp;
    }

    /// <summary>
    /// The check every frame a fake device sends gets: PacketDotNet decodes it, and an IPv4 packet has a
    /// valid header checksum and fits the frame, an ARP packet is Ethernet/IPv4 ARP. Transport
    /// checksums are not checked here: DR and TUN forward the client's segment unchanged, whatever its
    /// checksum; the forwarding tests check them where LvsNet writes them.
    /// </summary>
    public static void AssertWellFormed(ReadOnlySpan<byte> frame)
    {
        var bytes = frame.ToArray();
        var ethernet = Ethernet(bytes);
        if (ethernet.Type == EthernetType.IPv4)
        {
            var ip = Assert.IsType<IPv4Packet>(ethernet.PayloadPacket);
            AssertIpv4(ip);
            Assert.True(ip.TotalLength <= bytes.Length - EthernetFields.HeaderLength, $"IPv4 total length {ip.TotalLength} beyond a {bytes.Length}-byte frame");
        }
        else if (ethernet.Type == EthernetType.Arp)
        {
            Arp(bytes);
        }
    }

    /// <summary>An address in LvsNet's representation (network byte order in a <see cref="uint"/>) as PacketDotNet shows it.</summary>
    public static IPAddress Address(uint networkOrder) =>
        new([(byte)(networkOrder >> 24), (byte)(networkOrder >> 16), (byte)(networkOrder >> 8), (byte)networkOrder]);

    /// <summary>A MAC address in colon notation as PacketDotNet's <see cref="System.Net.NetworkInformation.PhysicalAddress"/> shows it.</summary>
    public static System.Net.NetworkInformation.PhysicalAddress Mac(string colonNotation)
    {
        ArgumentNullException.ThrowIfNull(colonNotation);
        return System.Net.NetworkInformation.PhysicalAddress.Parse(colonNotation.Replace(':', '-'));
    }

    private static void AssertIpv4(IPv4Packet ip)
    {
        Assert.Equal(4, (int)ip.Version);
        Assert.True(ip.HeaderLength >= 5, "IPv4 header length below 20 bytes");
        Assert.True(ip.ValidIPChecksum, $"IPv4 header checksum 0x{ip.Checksum:x4} is wrong (expected 0x{ip.CalculateIPChecksum():x4})");
    }
}
