using System.Net.NetworkInformation;
using LvsNet.Core.Configuration;
using LvsNet.Core.DataPath;
using LvsNet.Core.Neighbours;
using LvsNet.Core.Runtime;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;
using LvsNet.Testing;
using PacketDotNet;

namespace LvsNet.Core.Tests.DataPath.Ipv6;

/// <summary>
/// A director with one IPv6 TCP and one IPv6 UDP service (two servers each: DR, or NAT with the real
/// ports 8080 and 5353); frames built by PacketDotNet.
/// </summary>
internal sealed class Ipv6Harness
{
    public static readonly MacAddress DirectorMac = MacAddress.Parse("02:00:00:00:00:02");
    public static readonly MacAddress ClientMac = MacAddress.Parse("02:00:00:00:00:10");
    public static readonly MacAddress Rs1Mac = MacAddress.Parse("02:00:00:00:00:11");
    public static readonly MacAddress Rs2Mac = MacAddress.Parse("02:00:00:00:00:12");
    public static readonly Ipv6Address Vip = Ipv6Address.Parse("2001:db8::100");
    public static readonly Ipv6Address Client = Ipv6Address.Parse("2001:db8::10");
    public static readonly Ipv6Address Rs1 = Ipv6Address.Parse("2001:db8::11");
    public static readonly Ipv6Address Rs2 = Ipv6Address.Parse("2001:db8::12");

    // fe80::/64 + modified EUI-64 of 02:00:00:00:00:02 (RFC 4291 appendix A: flip bit 0x02 of the first octet, insert ff:fe).
    public static readonly Ipv6Address DirectorLinkLocal = Ipv6Address.Parse("fe80::ff:fe00:2");

    public const ushort NatTcpPort = 8080;
    public const ushort NatUdpPort = 5353;

    public Ipv6Harness(string scheduler = "rr", int tableCapacity = 1024, Func<LvsConfig, LvsConfig>? edit = null, bool nat = false, Ipv6Address? address6 = null, int prefixLength6 = 64, Ipv6Address? gateway6 = null, int mtu = 1500)
    {
        var tcpServer = nat ? $"\n        port: {NatTcpPort}\n        method: nat" : string.Empty;
        var udpServer = nat ? $"\n        port: {NatUdpPort}\n        method: nat" : string.Empty;
        var config = LvsConfigReader.Parse($$"""
            director:
              interface: fake0
              address: 10.77.0.2/24
            virtual_services:
              - protocol: tcp
                address: 2001:db8::100
                port: 80
                scheduler: {{scheduler}}
                real_servers:
                  - address: 2001:db8::11{{tcpServer}}
                  - address: 2001:db8::12{{tcpServer}}
              - protocol: udp
                address: 2001:db8::100
                port: 53
                scheduler: {{scheduler}}
                real_servers:
                  - address: 2001:db8::11{{udpServer}}
                  - address: 2001:db8::12{{udpServer}}
            """);
        Runtime.Apply(edit is null ? config : edit(config));
        Processor = new PacketProcessor(Runtime, new FrameTransmitter(Device), new DataPathOptions { Mac = DirectorMac, Address = Ipv4Address.Parse("10.77.0.2"), TableCapacity = tableCapacity, Address6 = address6, PrefixLength6 = prefixLength6, Gateway6 = gateway6, Mtu = mtu }, Time);
        Processor.BeginBatch();
    }

    public LvsRuntime Runtime { get; } = new();

    public FakeInjectionDevice Device { get; } = new();

    public TestTimeProvider Time { get; } = new();

    public PacketProcessor Processor { get; }

    public void Feed(byte[] frame) => Processor.OnFrame(frame, frame.Length);

    /// <summary>The real servers answer the director's solicitations (solicited advertisements to its link-local address).</summary>
    public void ResolveRealServers()
    {
        Feed(Advertisement(Rs1, Rs1Mac, solicited: true));
        Feed(Advertisement(Rs2, Rs2Mac, solicited: true));
        Device.Sent.Clear();
    }

    public void Advance(TimeSpan delta)
    {
        Time.Advance(delta);
        Processor.BeginBatch();
    }

    public static byte[] Advertisement(Ipv6Address target, MacAddress mac, bool solicited, bool overrideFlag = true, MacAddress? to = null, Ipv6Address? destination = null)
    {
        var frame = new byte[NeighborDiscovery.FrameLength];
        NeighborDiscovery.WriteFrame(frame, Icmpv6.NeighborAdvertisement, to ?? DirectorMac, mac, target, destination ?? DirectorLinkLocal, target, solicited, overrideFlag);
        return frame;
    }

    public static byte[] Solicitation(Ipv6Address target, Ipv6Address source, MacAddress sourceMac, bool multicast = true)
    {
        var frame = new byte[NeighborDiscovery.FrameLength];
        var destination = multicast ? target.SolicitedNode : target;
        NeighborDiscovery.WriteFrame(frame, Icmpv6.NeighborSolicitation, multicast ? destination.MulticastMac() : DirectorMac, sourceMac, source, destination, target);
        return frame;
    }

    /// <summary>A TCP segment from a client to the VIP, built and checksummed by PacketDotNet.</summary>
    public static byte[] Tcp(Ipv6Address source, ushort sourcePort, TcpFlags flags, int payload = 0, byte hopLimit = 64, ushort port = 80)
    {
        var ip = new IPv6Packet(source.ToIPAddress(), Vip.ToIPAddress()) { HopLimit = hopLimit };
        var tcp = new TcpPacket(sourcePort, port)
        {
            PayloadData = new byte[payload],
            SequenceNumber = 1000,
            AcknowledgmentNumber = (flags & TcpFlags.Ack) != 0 ? 2000u : 0,
            WindowSize = 512,
            Synchronize = (flags & TcpFlags.Syn) != 0,
            Acknowledgment = (flags & TcpFlags.Ack) != 0,
            Push = (flags & TcpFlags.Psh) != 0,
            Finished = (flags & TcpFlags.Fin) != 0,
            Reset = (flags & TcpFlags.Rst) != 0,
        };
        ip.PayloadPacket = tcp;
        tcp.UpdateTcpChecksum();
        return Ethernet(ip);
    }

    /// <summary>A UDP datagram from a client to the VIP, built and checksummed by PacketDotNet.</summary>
    public static byte[] Udp(Ipv6Address source, ushort sourcePort, int payload = 20, ushort port = 53)
    {
        var ip = new IPv6Packet(source.ToIPAddress(), Vip.ToIPAddress()) { HopLimit = 64 };
        var udp = new UdpPacket(sourcePort, port) { PayloadData = new byte[payload] };
        ip.PayloadPacket = udp;
        udp.UpdateUdpChecksum();
        return Ethernet(ip);
    }

    /// <summary>Inserts an 8-byte extension header <paramref name="header"/> (its first byte is overwritten with the old next header) after the fixed header.</summary>
    public static byte[] WithExtensionHeader(byte[] frame, byte type, byte[] header)
    {
        var result = new byte[frame.Length + header.Length];
        frame.AsSpan(0, 14 + 40).CopyTo(result);
        header.CopyTo(result.AsSpan(14 + 40));
        frame.AsSpan(14 + 40).CopyTo(result.AsSpan(14 + 40 + header.Length));
        result[14 + 40] = frame[14 + 6];
        result[14 + 6] = type;
        var payloadLength = (frame[14 + 4] << 8 | frame[14 + 5]) + header.Length;
        result[14 + 4] = (byte)(payloadLength >> 8);
        result[14 + 5] = (byte)payloadLength;
        return result;
    }

    public static MacAddress DestinationMac(byte[] frame) => MacAddress.Read(frame);

    /// <summary>An ICMPv6 message (type, code, 4 bytes of parameter, body) from <paramref name="source"/> to the VIP, checksummed.</summary>
    public static byte[] Icmpv6Message(Ipv6Address source, byte type, byte code, uint parameter, byte[] body, byte hopLimit = 64)
    {
        var frame = new byte[14 + 40 + 8 + body.Length];
        DirectorMac.WriteTo(frame);
        ClientMac.WriteTo(frame.AsSpan(6));
        frame[12] = 0x86;
        frame[13] = 0xDD;
        Ipv6Writer.WriteHeader(frame.AsSpan(14), 8 + body.Length, 58, hopLimit, source, Vip);
        var icmp = frame.AsSpan(14 + 40);
        icmp[0] = type;
        icmp[1] = code;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(icmp.Slice(4), parameter);
        body.CopyTo(icmp.Slice(8));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(icmp.Slice(2), Icmpv6.Checksum(source, Vip, 58, icmp));
        return frame;
    }

    /// <summary>A NAT real server's TCP segment to a client (to the director's MAC), built and checksummed by PacketDotNet.</summary>
    public static byte[] TcpReply(Ipv6Address server, MacAddress serverMac, Ipv6Address client, ushort clientPort, TcpFlags flags, int payload = 0, byte hopLimit = 64, ushort serverPort = NatTcpPort)
    {
        var ip = new IPv6Packet(server.ToIPAddress(), client.ToIPAddress()) { HopLimit = hopLimit };
        var tcp = new TcpPacket(serverPort, clientPort)
        {
            PayloadData = new byte[payload],
            SequenceNumber = 2000,
            AcknowledgmentNumber = 1001,
            WindowSize = 512,
            Synchronize = (flags & TcpFlags.Syn) != 0,
            Acknowledgment = (flags & TcpFlags.Ack) != 0,
            Push = (flags & TcpFlags.Psh) != 0,
            Finished = (flags & TcpFlags.Fin) != 0,
            Reset = (flags & TcpFlags.Rst) != 0,
        };
        ip.PayloadPacket = tcp;
        tcp.UpdateTcpChecksum();
        return Ethernet(ip, serverMac);
    }

    /// <summary>A UDP datagram from <paramref name="source"/> to <paramref name="destination"/> with the given payload, checksummed by PacketDotNet.</summary>
    public static byte[] UdpBetween(Ipv6Address source, ushort sourcePort, Ipv6Address destination, ushort destinationPort, byte[] payload, MacAddress? sourceMac = null)
    {
        var ip = new IPv6Packet(source.ToIPAddress(), destination.ToIPAddress()) { HopLimit = 64 };
        var udp = new UdpPacket(sourcePort, destinationPort) { PayloadData = payload };
        ip.PayloadPacket = udp;
        udp.UpdateUdpChecksum();
        return Ethernet(ip, sourceMac ?? ClientMac);
    }

    private static byte[] Ethernet(IPv6Packet ip, MacAddress? source = null)
    {
        var eth = new EthernetPacket(PhysicalAddress.Parse((source ?? ClientMac).ToString().Replace(':', '-')), PhysicalAddress.Parse(DirectorMac.ToString().Replace(':', '-')), EthernetType.IPv6) { PayloadPacket = ip };
        return eth.Bytes;
    }
}
