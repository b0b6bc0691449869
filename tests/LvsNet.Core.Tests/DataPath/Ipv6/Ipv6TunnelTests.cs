using LvsNet.Core.Configuration;
using LvsNet.Core.DataPath;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;
using LvsNet.Testing;
using PacketDotNet;
using Xunit;
using static LvsNet.Core.Tests.DataPath.Ipv6.Ipv6Harness;

namespace LvsNet.Core.Tests.DataPath.Ipv6;

/// <summary>
/// TUN with IPv6 on either side, every frame the director sends decoded by PacketDotNet. Expected
/// fields come from the kernel's ip_vs_tunnel_xmit_v6 / ip_vs_tunnel_xmit and RFC 2473 / 6040: the
/// outer hop limit or TTL is the inner one after its decrement, the DSCP is copied and CE becomes
/// ECT(0), the flow label is 0, the outer payload length is the inner packet's length.
/// </summary>
public class Ipv6TunnelTests
{
    private static readonly Ipv6Address Director6 = Ipv6Address.Parse("2001:db8::2");
    private static readonly uint Dip = Ipv4Address.Parse("10.77.0.2");
    private static readonly uint Vip4 = Ipv4Address.Parse("10.77.0.100");
    private static readonly uint Client4 = Ipv4Address.Parse("10.77.0.10");
    private static readonly uint Rs1v4 = Ipv4Address.Parse("10.77.0.11");

    private static Ipv6Harness Tun6(int mtu = 1500) => new(
        edit: c => DataPathHarness.EditService(c with { Director = c.Director with { Address6 = Director6 } }, s => s with { RealServers = [.. s.RealServers.Select(r => r with { Method = ForwardingMethod.Tunnel })] }),
        address6: Director6,
        mtu: mtu);

    // An IPv6 VIP with one IPv4 tun server and an IPv4 VIP with one IPv6 tun server.
    private static Ipv6Harness Mixed(int mtu = 1500) => new(
        edit: _ => LvsConfigReader.Parse("""
            director:
              interface: fake0
              address: 10.77.0.2/24
              address6: 2001:db8::2/64
            virtual_services:
              - protocol: tcp
                address: 2001:db8::100
                port: 80
                real_servers:
                  - address: 10.77.0.11
                    method: tun
              - protocol: tcp
                address: 10.77.0.100
                port: 80
                real_servers:
                  - address: 2001:db8::11
                    method: tun
            """),
        address6: Director6,
        mtu: mtu);

    [Fact]
    public void Ipv6Syn_IsEncapsulatedInIpv6_AsTheKernelDoes()
    {
        var h = Tun6();
        h.ResolveRealServers();
        var syn = Tcp(Client, 40000, TcpFlags.Syn, 100, hopLimit: 50);
        syn[14] = 0x6B; // version 6, traffic class 0xBB (DSCP EF 0xB8, ECN CE 3)
        syn[15] = 0xB1;
        syn[16] = 0x23; // flow label 0x12345 (the outer header must not copy it)
        syn[17] = 0x45;
        h.Feed(syn);

        var sent = Assert.Single(h.Device.Sent);
        var eth = Assert.IsType<EthernetPacket>(Packet.ParsePacket(LinkLayers.Ethernet, sent));
        Assert.Equal(EthernetType.IPv6, eth.Type);
        Assert.Equal(Rs1Mac, MacAddress.Read(sent));
        Assert.Equal(DirectorMac, MacAddress.Read(sent.AsSpan(6)));
        var outer = Assert.IsType<IPv6Packet>(eth.PayloadPacket);
        Assert.Equal(ProtocolType.IPv6, outer.NextHeader);
        Assert.Equal(Director6.ToIPAddress(), outer.SourceAddress);
        Assert.Equal(Rs1.ToIPAddress(), outer.DestinationAddress);
        Assert.Equal(49, outer.HopLimit);
        Assert.Equal(0xB8 | 0x02, outer.TrafficClass);
        Assert.Equal(0, outer.FlowLabel);
        Assert.Equal(40 + 20 + 100, outer.PayloadLength);
        Assert.Equal(14 + 40 + 40 + 20 + 100, sent.Length);

        var inner = Assert.IsType<IPv6Packet>(Inner(sent[(14 + 40)..]));
        Assert.Equal(Client.ToIPAddress(), inner.SourceAddress);
        Assert.Equal(Vip.ToIPAddress(), inner.DestinationAddress);
        Assert.Equal(49, inner.HopLimit);
        Assert.Equal(0xB8 | 0x03, inner.TrafficClass);
        Assert.Equal(0x12345, inner.FlowLabel);
        Assert.True(Assert.IsType<TcpPacket>(inner.PayloadPacket).ValidTcpChecksum);

        // Everything after the inner hop limit is the client's packet unchanged.
        Assert.Equal(syn.AsSpan(14 + 8).ToArray(), sent.AsSpan(14 + 40 + 8).ToArray());
        Assert.Equal(1, h.Processor.Table6.Count);
    }

    [Fact]
    public void Ipv6Flows_AreBalancedAndStayOnTheirServer_TcpAndUdp()
    {
        var h = Tun6();
        h.ResolveRealServers();
        for (ushort port = 1000; port < 1004; port++)
        {
            h.Feed(Tcp(Client, port, TcpFlags.Syn));
        }

        for (ushort port = 1000; port < 1004; port++)
        {
            h.Feed(Tcp(Client, port, TcpFlags.Ack, 10));
        }

        h.Feed(Udp(Client, 5000));
        var destinations = h.Device.Sent.Select(f => Assert.IsType<IPv6Packet>(Packet.ParsePacket(LinkLayers.Ethernet, f).PayloadPacket).DestinationAddress).ToList();
        var rs1 = Rs1.ToIPAddress();
        var rs2 = Rs2.ToIPAddress();
        Assert.Equal([rs1, rs2, rs1, rs2, rs1, rs2, rs1, rs2, rs1], destinations);
        Assert.Equal(17, h.Device.Sent[^1][14 + 40 + 6]); // the inner UDP datagram's next header
    }

    [Fact]
    public void Ipv6PacketThatNoLongerFits_GetsPacketTooBigWithMtuMinus40()
    {
        var h = Tun6();
        h.ResolveRealServers();
        h.Feed(Tcp(Client, 40000, TcpFlags.Syn));
        h.Device.Sent.Clear();

        // 40 + 20 + 1440 = 1500 bytes: fits the NIC but not with 40 more in front.
        var big = Tcp(Client, 40000, TcpFlags.Ack, 1440);
        h.Feed(big);
        var error = Assert.Single(h.Device.Sent);
        var ip = Assert.IsType<IPv6Packet>(Packet.ParsePacket(LinkLayers.Ethernet, error).PayloadPacket);
        Assert.Equal(Vip.ToIPAddress(), ip.SourceAddress);
        Assert.Equal(Client.ToIPAddress(), ip.DestinationAddress);
        var icmp = error.AsSpan(14 + 40);
        Assert.Equal(2, icmp[0]); // packet too big (RFC 4443 §3.2)
        Assert.Equal(0, icmp[1]);
        Assert.Equal(1460u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(icmp.Slice(4)));
        Assert.True(Icmpv6.Verifies(Vip, Client, 58, icmp));
        Assert.Equal(big.AsSpan(14, 64).ToArray(), icmp.Slice(8, 64).ToArray());
        Assert.Equal(1, h.Processor.Counters[DropReason.TooBig]);
        Assert.Equal(1, h.Processor.Counters.Icmpv6PacketTooBigSent);

        // 1460 bytes fit: 1500 with the outer header.
        h.Device.Sent.Clear();
        h.Feed(Tcp(Client, 40000, TcpFlags.Ack, 1400));
        Assert.Equal(14 + 1500, Assert.Single(h.Device.Sent).Length);
    }

    [Fact]
    public void Ipv6VipToIpv4Server_IsIpv6InIpv4FromTheDirectorsIpv4Address()
    {
        var h = Mixed();
        h.Feed(FrameBuilder.Arp(LvsNet.Packets.ArpOperation.Reply, Rs1Mac, Rs1v4, DirectorMac, Dip));
        h.Device.Sent.Clear();
        var syn = Tcp(Client, 40000, TcpFlags.Syn, 100, hopLimit: 64);
        syn[14] = 0x6B; // version 6, traffic class 0xBB (DSCP EF, ECN CE)
        syn[15] = 0xB0;
        h.Feed(syn);

        var sent = Assert.Single(h.Device.Sent);
        var eth = Assert.IsType<EthernetPacket>(Packet.ParsePacket(LinkLayers.Ethernet, sent));
        Assert.Equal(EthernetType.IPv4, eth.Type);
        Assert.Equal(Rs1Mac, MacAddress.Read(sent));
        var outer = Assert.IsType<IPv4Packet>(eth.PayloadPacket);
        Assert.Equal(ProtocolType.IPv6, outer.Protocol);
        Assert.Equal(Ipv4Address.ToIPAddress(Dip), outer.SourceAddress);
        Assert.Equal(Ipv4Address.ToIPAddress(Rs1v4), outer.DestinationAddress);
        Assert.Equal(63, outer.TimeToLive);
        Assert.Equal(0xB8 | 0x02, outer.TypeOfService);
        Assert.Equal(0, outer.FragmentFlags & 0x2); // DF clear for an inner IPv6 packet (ip_vs_prepare_tunneled_skb)
        Assert.Equal(20 + 40 + 20 + 100, outer.TotalLength);
        Assert.True(outer.ValidIPChecksum);

        var inner = Assert.IsType<IPv6Packet>(Inner(sent[(14 + 20)..]));
        Assert.Equal(63, inner.HopLimit);
        Assert.Equal(Vip.ToIPAddress(), inner.DestinationAddress);
        Assert.True(Assert.IsType<TcpPacket>(inner.PayloadPacket).ValidTcpChecksum);
    }

    [Fact]
    public void Ipv6InIpv4ThatNoLongerFits_GetsPacketTooBigWithMtuMinus20()
    {
        var h = Mixed();
        h.Feed(FrameBuilder.Arp(LvsNet.Packets.ArpOperation.Reply, Rs1Mac, Rs1v4, DirectorMac, Dip));
        h.Feed(Tcp(Client, 40000, TcpFlags.Syn));
        h.Device.Sent.Clear();
        h.Feed(Tcp(Client, 40000, TcpFlags.Ack, 1440));
        var error = Assert.Single(h.Device.Sent);
        var icmp = error.AsSpan(14 + 40);
        Assert.Equal(2, icmp[0]);
        Assert.Equal(1480u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(icmp.Slice(4)));
        Assert.Equal(1, h.Processor.Counters[DropReason.TooBig]);

        h.Device.Sent.Clear();
        h.Feed(Tcp(Client, 40000, TcpFlags.Ack, 1420));
        Assert.Equal(14 + 1500, Assert.Single(h.Device.Sent).Length);
    }

    [Fact]
    public void Ipv4VipToIpv6Server_IsIpv4InIpv6FromAddress6()
    {
        var h = Mixed();
        h.ResolveRealServers();
        var syn = FrameBuilder.Tcp(DirectorMac, ClientMac, Client4, 40000, Vip4, 80, TcpFlags.Syn, 100, ttl: 50);
        syn[14 + 1] = 0xB8 | 0x01; // DSCP EF, ECT(1): copied as it is
        LvsNet.Packets.Writing.Ipv4Writer.UpdateChecksum(syn.AsSpan(14, 20));
        h.Feed(syn);

        var sent = Assert.Single(h.Device.Sent);
        var eth = Assert.IsType<EthernetPacket>(Packet.ParsePacket(LinkLayers.Ethernet, sent));
        Assert.Equal(EthernetType.IPv6, eth.Type);
        Assert.Equal(Rs1Mac, MacAddress.Read(sent));
        var outer = Assert.IsType<IPv6Packet>(eth.PayloadPacket);
        Assert.Equal(ProtocolType.IPv4, outer.NextHeader); // 4
        Assert.Equal(Director6.ToIPAddress(), outer.SourceAddress);
        Assert.Equal(Rs1.ToIPAddress(), outer.DestinationAddress);
        Assert.Equal(49, outer.HopLimit);
        Assert.Equal(0xB8 | 0x01, outer.TrafficClass);
        Assert.Equal(0, outer.FlowLabel);
        Assert.Equal(20 + 20 + 100, outer.PayloadLength);

        var inner = Assert.IsType<IPv4Packet>(Inner(sent[(14 + 40)..]));
        Assert.Equal(49, inner.TimeToLive);
        Assert.True(inner.ValidIPChecksum);
        Assert.Equal(Ipv4Address.ToIPAddress(Vip4), inner.DestinationAddress);
        Assert.True(Assert.IsType<TcpPacket>(inner.PayloadPacket).ValidTcpChecksum);
        Assert.Equal(1, h.Processor.Table.Count);
    }

    [Fact]
    public void Ipv4InIpv6WithDfThatNoLongerFits_GetsFragmentationNeededWithMtuMinus40()
    {
        var h = Mixed();
        h.ResolveRealServers();
        h.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Client4, 40000, Vip4, 80, TcpFlags.Syn));
        h.Device.Sent.Clear();
        h.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Client4, 40000, Vip4, 80, TcpFlags.Ack, 1440));
        var error = Assert.Single(h.Device.Sent);
        var ip = Assert.IsType<IPv4Packet>(Packet.ParsePacket(LinkLayers.Ethernet, error).PayloadPacket);
        Assert.Equal(Ipv4Address.ToIPAddress(Client4), ip.DestinationAddress);
        var icmp = error.AsSpan(14 + 20);
        Assert.Equal((3, 4), (icmp[0], icmp[1])); // destination unreachable, fragmentation needed (RFC 1191)
        Assert.Equal(1460, System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(icmp.Slice(6)));
        Assert.Equal(1, h.Processor.Counters[DropReason.TooBig]);

        h.Device.Sent.Clear();
        h.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Client4, 40000, Vip4, 80, TcpFlags.Ack, 1420));
        Assert.Equal(14 + 1500, Assert.Single(h.Device.Sent).Length);
    }

    [Fact]
    public void EstablishedTunnelFlows_AllocateNothingPerPacket_EveryFamilyPair()
    {
        var h = Mixed();
        h.ResolveRealServers();
        h.Feed(FrameBuilder.Arp(LvsNet.Packets.ArpOperation.Reply, Rs1Mac, Rs1v4, DirectorMac, Dip));
        var v6 = Tun6();
        v6.ResolveRealServers();
        h.Device.Record = false;
        v6.Device.Record = false;
        const int Flows = 500;
        var frames = new List<(Ipv6Harness Harness, byte[] Frame)>(3 * Flows);
        for (var i = 0; i < Flows; i++)
        {
            var port = (ushort)(10000 + i);
            h.Feed(Tcp(Client, port, TcpFlags.Syn));
            frames.Add((h, Tcp(Client, port, TcpFlags.Ack | TcpFlags.Psh, 512)));
            h.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Client4, port, Vip4, 80, TcpFlags.Syn));
            frames.Add((h, FrameBuilder.Tcp(DirectorMac, ClientMac, Client4, port, Vip4, 80, TcpFlags.Ack | TcpFlags.Psh, 512)));
            v6.Feed(Tcp(Client, port, TcpFlags.Syn));
            frames.Add((v6, Tcp(Client, port, TcpFlags.Ack | TcpFlags.Psh, 512)));
        }

        for (var i = 0; i < 20_000; i++)
        {
            var (harness, frame) = frames[i % frames.Count];
            harness.Processor.OnFrame(frame, frame.Length);
        }

        var sentBefore = h.Device.Count + v6.Device.Count;
        var before = AllocationMeter.Start();
        for (var i = 0; i < 90_000; i++)
        {
            var (harness, frame) = frames[i % frames.Count];
            harness.Processor.OnFrame(frame, frame.Length);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(90_000, h.Device.Count + v6.Device.Count - sentBefore);
        Assert.Equal(0, allocated);
    }

    // The inner packet, decoded on its own by its version nibble.
    private static Packet Inner(byte[] bytes) =>
        bytes[0] >> 4 == 6 ? new IPv6Packet(new PacketDotNet.Utils.ByteArraySegment(bytes)) : new IPv4Packet(new PacketDotNet.Utils.ByteArraySegment(bytes));
}
