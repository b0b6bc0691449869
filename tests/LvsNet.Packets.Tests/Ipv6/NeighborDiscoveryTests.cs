using System.Buffers.Binary;
using System.Net;
using LvsNet.Packets.Ipv6;
using PacketDotNet;
using PacketDotNet.Ndp;
using Xunit;

namespace LvsNet.Packets.Tests.Ipv6;

public class NeighborDiscoveryTests
{
    private static readonly MacAddress DirectorMac = MacAddress.Parse("02:00:00:00:00:02");
    private static readonly MacAddress ServerMac = MacAddress.Parse("02:00:00:00:00:11");
    private static readonly Ipv6Address Director = Ipv6Address.Parse("2001:db8::2");
    private static readonly Ipv6Address Server = Ipv6Address.Parse("2001:db8::11");
    private static readonly Ipv6Address Vip = Ipv6Address.Parse("2001:db8::100");

    [Fact]
    public void Solicitation_ToTheSolicitedNodeAddress_DecodesAsPacketDotNetReadsIt()
    {
        var frame = new byte[NeighborDiscovery.FrameLength];
        var length = NeighborDiscovery.WriteFrame(frame, Icmpv6.NeighborSolicitation, Server.SolicitedNode.MulticastMac(), DirectorMac, Director, Server.SolicitedNode, Server);
        Assert.Equal(86, length);

        var ethernet = Assert.IsType<EthernetPacket>(Packet.ParsePacket(LinkLayers.Ethernet, frame));
        Assert.Equal("3333FF000011", ethernet.DestinationHardwareAddress.ToString());
        var ip = Assert.IsType<IPv6Packet>(ethernet.PayloadPacket);
        Assert.Equal(255, ip.HopLimit);
        Assert.Equal(IPAddress.Parse("ff02::1:ff00:11"), ip.DestinationAddress);
        var icmp = Assert.IsType<IcmpV6Packet>(ip.PayloadPacket);
        Assert.Equal(IcmpV6Type.NeighborSolicitation, icmp.Type);
        Assert.True(icmp.ValidIcmpChecksum, "ICMPv6 checksum");
        var solicitation = Assert.IsType<NdpNeighborSolicitationPacket>(icmp.PayloadPacket);
        Assert.Equal(IPAddress.Parse("2001:db8::11"), solicitation.TargetAddress);
        var option = Assert.IsType<NdpLinkLayerAddressOption>(Assert.Single(solicitation.OptionsCollection));
        Assert.Equal(1, (int)option.Type); // RFC 4861 §4.6.1: source link-layer address
        Assert.Equal("020000000002", option.LinkLayerAddress.ToString());

        Assert.True(Parse(frame, out var message));
        Assert.Equal((Icmpv6.NeighborSolicitation, Server, DirectorMac), (message.Type, message.Target, message.LinkLayerAddress));
    }

    [Fact]
    public void Advertisement_SolicitedAndOverride_DecodesAsPacketDotNetReadsIt()
    {
        var frame = new byte[NeighborDiscovery.FrameLength];
        NeighborDiscovery.WriteFrame(frame, Icmpv6.NeighborAdvertisement, ServerMac, DirectorMac, Vip, Server, Vip, solicited: true, overrideFlag: true);

        var ip = Assert.IsType<IPv6Packet>(Assert.IsType<EthernetPacket>(Packet.ParsePacket(LinkLayers.Ethernet, frame)).PayloadPacket);
        var icmp = Assert.IsType<IcmpV6Packet>(ip.PayloadPacket);
        Assert.True(icmp.ValidIcmpChecksum, "ICMPv6 checksum");
        var advertisement = Assert.IsType<NdpNeighborAdvertisementPacket>(icmp.PayloadPacket);
        Assert.Equal(IPAddress.Parse("2001:db8::100"), advertisement.TargetAddress);
        Assert.True(advertisement.Solicited);
        Assert.True(advertisement.Override);
        Assert.False(advertisement.Router);
        var option = Assert.IsType<NdpLinkLayerAddressOption>(Assert.Single(advertisement.OptionsCollection));
        Assert.Equal(2, (int)option.Type); // target link-layer address

        Assert.True(Parse(frame, out var message));
        Assert.Equal((Icmpv6.NeighborAdvertisement, Vip, DirectorMac, true, true, false), (message.Type, message.Target, message.LinkLayerAddress, message.Solicited, message.Override, message.Router));
    }

    [Fact]
    public void WhatRfc4861TellsAReceiverToDiscard_IsRefused()
    {
        var frame = new byte[NeighborDiscovery.FrameLength];
        NeighborDiscovery.WriteFrame(frame, Icmpv6.NeighborAdvertisement, ServerMac, DirectorMac, Vip, Server, Vip, solicited: true);
        Assert.True(Parse(frame, out _));

        // Forwarded by a router: the hop limit is below 255 (the checksum does not cover it).
        var routed = frame.ToArray();
        routed[14 + 7] = 254;
        Assert.False(Parse(routed, out _));

        var corrupted = frame.ToArray();
        corrupted[^1] ^= 1;
        Assert.False(Parse(corrupted, out _));

        // A solicited advertisement to a multicast address, and an option of length 0, re-checksummed so that only the rule refuses them.
        Assert.False(Parse(Rewritten(frame, f => Ipv6Address.AllNodes.WriteTo(f.AsSpan(14 + 24))), out _));
        Assert.False(Parse(Rewritten(frame, f => f[14 + 40 + 25] = 0), out _));
        Assert.False(Parse(Rewritten(frame, f => Ipv6Address.AllNodes.WriteTo(f.AsSpan(14 + 40 + 8))), out _));
        Assert.False(Parse(Rewritten(frame, f => f[14 + 40 + 1] = 1), out _));

        // Duplicate address detection: from :: to a solicited-node address without a link-layer option is valid; with one it is not.
        var dad = new byte[NeighborDiscovery.FrameLength];
        NeighborDiscovery.WriteFrame(dad, Icmpv6.NeighborSolicitation, Vip.SolicitedNode.MulticastMac(), ServerMac, Ipv6Address.Unspecified, Vip.SolicitedNode, Vip);
        Assert.False(Parse(dad, out _));
        var withoutOption = dad.AsSpan(0, dad.Length - 8).ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(withoutOption.AsSpan(14 + 4), 24);
        Assert.True(Parse(Rewritten(withoutOption, _ => { }), out var probe));
        Assert.True(probe.LinkLayerAddress.IsZero);
    }

    private static byte[] Rewritten(byte[] frame, Action<byte[]> change)
    {
        var copy = frame.ToArray();
        change(copy);
        var icmp = copy.AsSpan(14 + 40);
        icmp[2] = 0;
        icmp[3] = 0;
        Assert.True(Ipv6Header.TryParse(copy.AsSpan(14), out var ip));
        BinaryPrimitives.WriteUInt16BigEndian(icmp.Slice(2), Icmpv6.Checksum(ip.Source, ip.Destination, Ipv6ExtensionHeaders.Icmpv6, icmp));
        return copy;
    }

    private static bool Parse(byte[] frame, out NeighborDiscoveryMessage message)
    {
        Assert.True(Ipv6Header.TryParse(frame.AsSpan(14), out var ip));
        return NeighborDiscovery.TryParse(ip, frame.AsSpan(14 + 40), out message);
    }
}
