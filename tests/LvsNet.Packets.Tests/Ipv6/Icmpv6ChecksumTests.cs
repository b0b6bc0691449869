using System.Net;
using LvsNet.Packets.Ipv6;
using PacketDotNet;
using Xunit;

namespace LvsNet.Packets.Tests.Ipv6;

public class Icmpv6ChecksumTests
{
    [Fact]
    public void TcpAndUdpOverIpv6_MatchPacketDotNetsChecksums()
    {
        var random = new Random(6);
        for (var i = 0; i < 200; i++)
        {
            var payload = new byte[random.Next(0, 1400)];
            random.NextBytes(payload);
            var source = RandomAddress(random);
            var destination = RandomAddress(random);

            var tcp = new TcpPacket((ushort)random.Next(1, 65536), 443) { PayloadData = payload, Synchronize = true, SequenceNumber = (uint)random.Next() };
            var ipTcp = new IPv6Packet(source.ToIPAddress(), destination.ToIPAddress()) { PayloadPacket = tcp };
            tcp.UpdateTcpChecksum();
            var tcpBytes = tcp.Bytes;
            Assert.True(Icmpv6.Verifies(source, destination, (byte)IpProtocol.Tcp, tcpBytes));
            Assert.Equal(tcp.Checksum, Icmpv6.Checksum(source, destination, (byte)IpProtocol.Tcp, Zeroed(tcpBytes, 16)));
            Assert.Equal(ProtocolType.Tcp, ipTcp.Protocol);

            var udp = new UdpPacket((ushort)random.Next(1, 65536), 53) { PayloadData = payload };
            _ = new IPv6Packet(source.ToIPAddress(), destination.ToIPAddress()) { PayloadPacket = udp };
            udp.UpdateUdpChecksum();
            Assert.True(Icmpv6.Verifies(source, destination, (byte)IpProtocol.Udp, udp.Bytes));
            Assert.Equal(udp.Checksum, Icmpv6.Checksum(source, destination, (byte)IpProtocol.Udp, Zeroed(udp.Bytes, 6)));
        }
    }

    private static Ipv6Address RandomAddress(Random random)
    {
        var bytes = new byte[16];
        random.NextBytes(bytes);
        return Ipv6Address.Read(bytes);
    }

    private static byte[] Zeroed(byte[] segment, int checksumOffset)
    {
        var copy = segment.ToArray();
        copy[checksumOffset] = 0;
        copy[checksumOffset + 1] = 0;
        return copy;
    }
}
