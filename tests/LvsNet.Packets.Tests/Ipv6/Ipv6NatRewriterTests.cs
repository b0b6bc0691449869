using System.Net;
using LvsNet.Packets.Ipv6;
using LvsNet.Testing;
using PacketDotNet;
using Xunit;
using static LvsNet.Packets.Tests.Ipv6.Ipv6TestPackets;

namespace LvsNet.Packets.Tests.Ipv6;

public class Ipv6NatRewriterTests
{
    [Fact]
    public void Dnat_TcpAndUdp_ChecksumsVerifyByPacketDotNet()
    {
        var random = new Random(1624);
        for (var i = 0; i < 300; i++)
        {
            var payload = new byte[random.Next(0, 600)];
            random.NextBytes(payload);
            var udp = i % 2 == 1;
            var packet = Transport(udp, Client, (ushort)random.Next(1024, 65536), Vip, 80, payload);
            var chain = Walk(packet);
            Ipv6NatRewriter.RewriteDestination(packet, in chain, Server, 8080);

            var decoded = Decode(packet);
            Assert.Equal(IPAddress.Parse("fd00:77::11"), decoded.DestinationAddress);
            if (udp)
            {
                var datagram = Assert.IsType<UdpPacket>(decoded.PayloadPacket);
                Assert.Equal(8080, datagram.DestinationPort);
                Assert.True(datagram.ValidUdpChecksum, "UDP checksum after DNAT");
                Assert.NotEqual(0, datagram.Checksum);
            }
            else
            {
                var segment = Assert.IsType<TcpPacket>(decoded.PayloadPacket);
                Assert.Equal(8080, segment.DestinationPort);
                Assert.True(segment.ValidTcpChecksum, "TCP checksum after DNAT");
            }
        }
    }

    [Fact]
    public void Snat_ThenDnatBack_RestoresTheOriginalBytes()
    {
        var original = Transport(false, Server, 8080, Client, 40000, [1, 2, 3, 4, 5]);
        var packet = original.ToArray();
        var chain = Walk(packet);
        Ipv6NatRewriter.RewriteSource(packet, in chain, Vip, 80);
        Assert.True(Assert.IsType<TcpPacket>(Decode(packet).PayloadPacket).ValidTcpChecksum);
        Ipv6NatRewriter.RewriteSource(packet, in chain, Server, 8080);
        Assert.Equal(original, packet);
    }

    [Fact]
    public void LaterFragment_GetsTheAddressOnly()
    {
        byte[] payload = [6, 0, 0x05, 0xC8, 0, 0, 0, 9, .. new byte[24]];
        var packet = new byte[40 + payload.Length];
        Ipv6Writer.WriteHeader(packet, payload.Length, Ipv6ExtensionHeaders.Fragment, 64, Client, Vip);
        payload.CopyTo(packet.AsSpan(40));
        var before = packet.AsSpan(40).ToArray();
        var chain = Walk(packet);
        Assert.Equal(1480, chain.FragmentOffset);
        Ipv6NatRewriter.RewriteDestination(packet, in chain, Server, 8080);
        Assert.Equal(Server, Ipv6Address.Read(packet.AsSpan(24)));
        Assert.Equal(before, packet.AsSpan(40).ToArray());
    }
}

public class Ipv6AllocationTests
{
    [Fact]
    public void WalkRewriteAndNeighbourDiscovery_100000Packets_AllocateNothing()
    {
        var (client, vip, server) = (Client, Vip, Server);
        var packet = Transport(false, client, 40000, vip, 80, new byte[64]);
        var original = packet.ToArray();
        var nd = new byte[NeighborDiscovery.FrameLength];
        NeighborDiscovery.WriteFrame(nd, Icmpv6.NeighborSolicitation, vip.SolicitedNode.MulticastMac(), MacAddress.Parse("02:00:00:00:00:10"), client, vip.SolicitedNode, vip);

        long Run(int count)
        {
            long work = 0;
            for (var i = 0; i < count; i++)
            {
                if (Ipv6Header.TryParse(packet, out var header) && Ipv6ExtensionHeaders.TryWalk(header, out var chain, out _))
                {
                    Ipv6NatRewriter.RewriteDestination(packet, in chain, (i & 1) == 0 ? server : vip, (ushort)((i & 1) == 0 ? 8080 : 80));
                    work += chain.UpperLayerOffset;
                }

                if (Ipv6Header.TryParse(nd.AsSpan(14), out var ndHeader) && NeighborDiscovery.TryParse(ndHeader, nd.AsSpan(54), out var message))
                {
                    work += message.Type;
                }
            }

            return work;
        }

        Run(10_000);
        var before = AllocationMeter.Start();
        var work = Run(100_000);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(100_000L * (40 + Icmpv6.NeighborSolicitation), work);
        Assert.Equal(original, packet);
    }
}
