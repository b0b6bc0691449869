using LvsNet.Packets.Ipv6;
using Xunit;
using static LvsNet.Packets.Tests.Ipv6.Ipv6TestPackets;

namespace LvsNet.Packets.Tests.Ipv6;

public class Icmpv6QuotedPacketTests
{
    [Fact]
    public void TcpQuote_CutAfterThePorts_IsRead()
    {
        var packet = Transport(false, Vip, 80, Client, 40001, new byte[600]);

        // Only 44 bytes quoted: the payload length field (way past the quote) must not matter.
        Assert.True(Icmpv6QuotedPacket.TryRead(packet.AsSpan(0, 44), out var quoted));
        Assert.Equal(Vip, quoted.Source);
        Assert.Equal(Client, quoted.Destination);
        Assert.Equal(IpProtocol.Tcp, quoted.Protocol);
        Assert.Equal(80, quoted.SourcePort);
        Assert.Equal(40001, quoted.DestinationPort);
    }

    [Fact]
    public void UdpQuote_BehindDestinationOptionsAndAFirstFragmentHeader_IsRead()
    {
        var udp = Transport(true, Vip, 53, Client, 40002, new byte[16]);
        var packet = new byte[udp.Length + 16];
        udp.AsSpan(0, 40).CopyTo(packet);
        packet[6] = Ipv6ExtensionHeaders.DestinationOptions;
        packet[40] = Ipv6ExtensionHeaders.Fragment; // destination options, 8 bytes, PadN
        packet[42] = 1;
        packet[43] = 4;
        packet[48] = 17; // fragment header, offset 0, M set
        packet[51] = 1;
        udp.AsSpan(40).CopyTo(packet.AsSpan(56));

        Assert.True(Icmpv6QuotedPacket.TryRead(packet, out var quoted));
        Assert.Equal(IpProtocol.Udp, quoted.Protocol);
        Assert.Equal((53, 40002), (quoted.SourcePort, quoted.DestinationPort));

        // A later fragment carries no ports.
        packet[50] = 0x01;
        Assert.False(Icmpv6QuotedPacket.TryRead(packet, out _));
    }

    [Fact]
    public void EveryTruncation_AndOtherProtocolsOrVersions_AreRefusedWithoutThrowing()
    {
        var packet = Transport(false, Vip, 80, Client, 40001, []);
        for (var length = 0; length < 44; length++)
        {
            Assert.False(Icmpv6QuotedPacket.TryRead(packet.AsSpan(0, length), out _));
        }

        var icmp = (byte[])packet.Clone();
        icmp[6] = Ipv6ExtensionHeaders.Icmpv6;
        Assert.False(Icmpv6QuotedPacket.TryRead(icmp, out _));
        var ipv4 = (byte[])packet.Clone();
        ipv4[0] = 0x45;
        Assert.False(Icmpv6QuotedPacket.TryRead(ipv4, out _));

        // An endless chain of hop-by-hop headers (each 8 bytes, next header 0): bounded, refused.
        var chain = new byte[40 + 8 * 20];
        packet.AsSpan(0, 40).CopyTo(chain);
        chain[6] = Ipv6ExtensionHeaders.HopByHop;
        Assert.False(Icmpv6QuotedPacket.TryRead(chain, out _));

        // A header length running past the quote.
        var runaway = new byte[40 + 8];
        packet.AsSpan(0, 40).CopyTo(runaway);
        runaway[6] = Ipv6ExtensionHeaders.DestinationOptions;
        runaway[40] = 6;
        runaway[41] = 200;
        Assert.False(Icmpv6QuotedPacket.TryRead(runaway, out _));
    }
}
