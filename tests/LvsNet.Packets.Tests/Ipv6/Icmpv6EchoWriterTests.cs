using System.Net;
using LvsNet.Packets.Ipv6;
using PacketDotNet;
using Xunit;
using static LvsNet.Packets.Tests.Ipv6.Ipv6TestPackets;

namespace LvsNet.Packets.Tests.Ipv6;

public class Icmpv6EchoWriterTests
{
    private static readonly MacAddress DirectorMac = MacAddress.Parse("02:00:00:00:00:02");
    private static readonly MacAddress ClientMac = MacAddress.Parse("02:00:00:00:00:10");

    [Fact]
    public void Reply_HasType129_TheRequestsIdSequenceAndData_AndTheGoldenChecksum()
    {
        // Request id 0x1234, sequence 7, data "abcdefgh" (its checksum is irrelevant: the reply's is computed afresh).
        byte[] request = [128, 0, 0xAA, 0xBB, 0x12, 0x34, 0x00, 0x07, .. "abcdefgh"u8];
        var frame = new byte[14 + 40 + request.Length];
        var length = Icmpv6EchoWriter.WriteReplyFrame(frame, ClientMac, DirectorMac, Vip, Client, request);

        Assert.Equal(frame.Length, length);
        Assert.Equal(ClientMac, MacAddress.Read(frame));
        Assert.Equal(DirectorMac, MacAddress.Read(frame.AsSpan(6)));
        Assert.Equal([0x86, 0xDD], frame[12..14]);

        // Fixed header: version 6, payload 16, next header 58, hop limit 64, VIP -> client.
        Assert.Equal([0x60, 0, 0, 0, 0, 16, 58, 64], frame[14..22]);
        Assert.Equal(Vip, Ipv6Address.Read(frame.AsSpan(22)));
        Assert.Equal(Client, Ipv6Address.Read(frame.AsSpan(38)));

        // Checksum 0x7e61 computed independently (a Python one's-complement sum over the RFC 8200
        // §8.1 pseudo-header 2001:db8::100, 2001:db8:1::10, length 16, next header 58, and the message).
        byte[] expected = [129, 0, 0x7E, 0x61, 0x12, 0x34, 0x00, 0x07, .. "abcdefgh"u8];
        Assert.Equal(expected, frame[54..]);
    }

    [Fact]
    public void Reply_DecodesWithAValidChecksum_InPacketDotNet()
    {
        var request = new byte[8 + 56];
        request[0] = 128;
        request[4] = 0x77;
        new Random(5).NextBytes(request.AsSpan(8));
        var frame = new byte[14 + 40 + request.Length];
        Icmpv6EchoWriter.WriteReplyFrame(frame, ClientMac, DirectorMac, Vip, Client, request);

        var ip = Assert.IsType<IPv6Packet>(Assert.IsType<EthernetPacket>(Packet.ParsePacket(LinkLayers.Ethernet, frame)).PayloadPacket);
        Assert.Equal(IPAddress.Parse("2001:db8::100"), ip.SourceAddress);
        Assert.Equal(IPAddress.Parse("2001:db8:1::10"), ip.DestinationAddress);
        var icmp = Assert.IsType<IcmpV6Packet>(ip.PayloadPacket);
        Assert.Equal(IcmpV6Type.EchoReply, icmp.Type);
        Assert.True(icmp.ValidIcmpChecksum, "ICMPv6 checksum");
        Assert.Equal(request.AsSpan(4).ToArray(), frame.AsSpan(14 + 40 + 4).ToArray());
    }

    [Fact]
    public void Reply_RefusesAShortRequestOrFrame()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Icmpv6EchoWriter.WriteReplyFrame(new byte[100], ClientMac, DirectorMac, Vip, Client, new byte[7]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Icmpv6EchoWriter.WriteReplyFrame(new byte[14 + 40 + 7], ClientMac, DirectorMac, Vip, Client, new byte[8]));
    }
}
