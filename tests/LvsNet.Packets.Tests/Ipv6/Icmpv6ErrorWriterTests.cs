using System.Net;
using LvsNet.Packets.Ipv6;
using PacketDotNet;
using Xunit;
using static LvsNet.Packets.Tests.Ipv6.Ipv6TestPackets;

namespace LvsNet.Packets.Tests.Ipv6;

public class Icmpv6ErrorWriterTests
{
    private static readonly MacAddress DirectorMac = MacAddress.Parse("02:00:00:00:00:02");
    private static readonly MacAddress ClientMac = MacAddress.Parse("02:00:00:00:00:10");

    [Theory]
    [InlineData(100)]
    [InlineData(1500)]
    public void PortUnreachable_QuotesAsMuchAsFitsIn1280Bytes_AndDecodes(int payloadLength)
    {
        var offending = Udp(Client, Vip, new byte[payloadLength]);
        var frame = new byte[Icmpv6ErrorWriter.MaxFrameLength];
        var length = Icmpv6ErrorWriter.WriteErrorFrame(frame, ClientMac, DirectorMac, Vip, offending, Icmpv6.DestinationUnreachable, Icmpv6ErrorWriter.CodePortUnreachable);

        Assert.Equal(14 + Math.Min(1280, 40 + 8 + offending.Length), length);
        var ethernet = Assert.IsType<EthernetPacket>(Packet.ParsePacket(LinkLayers.Ethernet, frame.AsSpan(0, length).ToArray()));
        var ip = Assert.IsType<IPv6Packet>(ethernet.PayloadPacket);
        Assert.Equal(IPAddress.Parse("2001:db8:1::10"), ip.DestinationAddress);
        Assert.Equal(IPAddress.Parse("2001:db8::100"), ip.SourceAddress);
        var icmp = Assert.IsType<IcmpV6Packet>(ip.PayloadPacket);
        Assert.Equal(IcmpV6Type.DestinationUnreachable, icmp.Type);
        Assert.Equal(4, icmp.Code);
        Assert.True(icmp.ValidIcmpChecksum, "ICMPv6 checksum");
        Assert.Equal(offending.AsSpan(0, length - 14 - 48).ToArray(), frame.AsSpan(14 + 48, length - 14 - 48).ToArray());
    }

    [Fact]
    public void MayAnswer_FollowsRfc4443Section2_4e()
    {
        Assert.True(May(Udp(Client, Vip, [1]), Icmpv6.DestinationUnreachable));
        Assert.False(May(Udp(Ipv6Address.Unspecified, Vip, [1]), Icmpv6.DestinationUnreachable));
        Assert.False(May(Udp(Ipv6Address.Parse("ff02::1"), Vip, [1]), Icmpv6.DestinationUnreachable));
        Assert.False(May(Udp(Client, Ipv6Address.Parse("ff0e::1"), [1]), Icmpv6.DestinationUnreachable));
        Assert.True(May(Udp(Client, Ipv6Address.Parse("ff0e::1"), [1]), Icmpv6.PacketTooBig));
        Assert.False(May(Icmp(Icmpv6.DestinationUnreachable), Icmpv6.DestinationUnreachable));
        Assert.False(May(Icmp(137), Icmpv6.DestinationUnreachable));
        Assert.True(May(Icmp(Icmpv6.EchoRequest), Icmpv6.DestinationUnreachable));
    }

    private static bool May(byte[] packet, byte type)
    {
        var chain = Walk(packet);
        Assert.True(Ipv6Header.TryParse(packet, out var header));
        return Icmpv6ErrorWriter.MayAnswer(header, in chain, type);
    }

    private static byte[] Udp(Ipv6Address source, Ipv6Address destination, byte[] payload) => Transport(true, source, 40000, destination, 53, payload);

    private static byte[] Icmp(byte type)
    {
        var packet = new byte[40 + 8];
        Ipv6Writer.WriteHeader(packet, 8, Ipv6ExtensionHeaders.Icmpv6, 64, Client, Vip);
        packet[40] = type;
        return packet;
    }
}
