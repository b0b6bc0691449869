using LvsNet.Packets.Ipv6;
using LvsNet.Packets.Writing;
using PacketDotNet;
using Xunit;

namespace LvsNet.Packets.Tests.Ipv6;

/// <summary>
/// The 20-byte TOA option of IPv6 clients (DPVS's <c>tcpopt_ip6_addr</c>: kind 254, length 20, port,
/// 16-byte address), in IPv6 and (NAT64) IPv4 segments, and the IPv6 segments the SYN proxy writes:
/// input built by PacketDotNet, results decoded and their checksums verified by PacketDotNet.
/// </summary>
public class TcpOptionWriterIpv6Tests
{
    private static readonly Ipv6Address Client = Ipv6Address.Parse("2001:db8:1::10");
    private static readonly Ipv6Address Local = Ipv6Address.Parse("2001:db8::50");
    private static readonly Ipv6Address Server = Ipv6Address.Parse("2001:db8::11");

    private static readonly byte[] ExpectedOption =
    [
        254, 20, 0x9C, 0x40,
        0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];

    [Theory]
    [InlineData(0, false)]
    [InlineData(13, false)]
    [InlineData(100, true)]
    public void InsertToa6_AddsTheOptionFirst_MovesOptionsAndPayload_ChecksumStaysValid(int payload, bool extensionHeader)
    {
        var packet = Ipv6Tcp(payload, [1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2], extensionHeader);
        var tcpOffset = extensionHeader ? 48 : 40;
        var buffer = new byte[packet.Length + 20];
        packet.CopyTo(buffer, 0);

        var length = Ipv6TcpOptionWriter.InsertToa6(buffer, tcpOffset, 1500, Client, 40000);

        Assert.Equal(packet.Length + 20, length);
        var ip = new IPv6Packet(new PacketDotNet.Utils.ByteArraySegment(buffer, 0, length));
        var tcp = Assert.IsType<TcpPacket>(ip.Extract<TcpPacket>());
        Assert.Equal(length - 40, ip.PayloadLength);
        Assert.Equal((20 + 12 + 20) / 4, tcp.DataOffset);
        Assert.Equal([.. ExpectedOption, 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2], tcp.Options);
        Assert.Equal(Enumerable.Range(0, payload).Select(i => (byte)(i * 7)), tcp.PayloadData);
        Assert.True(tcp.ValidTcpChecksum, "TCP checksum (PacketDotNet)");
    }

    [Fact]
    public void InsertToa6_NoRoomInTheHeaderOrUnderTheMtu_LeavesThePacketAlone()
    {
        // 24 option bytes: 44 + 20 > 60.
        var full = Ipv6Tcp(0, new byte[24], extensionHeader: false);
        var buffer = new byte[full.Length + 20];
        full.CopyTo(buffer, 0);
        Assert.Equal(-1, Ipv6TcpOptionWriter.InsertToa6(buffer, 40, 1500, Client, 1));
        Assert.Equal(full, buffer.AsSpan(0, full.Length).ToArray());

        var large = Ipv6Tcp(1440, [], extensionHeader: false);
        buffer = new byte[large.Length + 20];
        large.CopyTo(buffer, 0);
        Assert.Equal(-1, Ipv6TcpOptionWriter.InsertToa6(buffer, 40, 1500, Client, 1));
        Assert.Equal(1500 + 20, Ipv6TcpOptionWriter.InsertToa6(buffer, 40, 1520, Client, 1));
    }

    [Fact]
    public void InsertToa_IntoAnIpv4Segment_CarriesTheIpv6ClientIn20Bytes()
    {
        var ip = new IPv4Packet(System.Net.IPAddress.Parse("10.0.0.50"), System.Net.IPAddress.Parse("10.0.0.11")) { TimeToLive = 63 };
        var tcp = new TcpPacket(1024, 8080) { Acknowledgment = true, SequenceNumber = 5, AcknowledgmentNumber = 6, WindowSize = 512, PayloadData = new byte[9] };
        ip.PayloadPacket = tcp;
        tcp.UpdateTcpChecksum();
        ip.UpdateIPChecksum();
        var packet = ip.Bytes;
        var buffer = new byte[packet.Length + 20];
        packet.CopyTo(buffer, 0);

        var length = Ipv6TcpOptionWriter.InsertToa(buffer, 1500, Client, 40000);

        Assert.Equal(packet.Length + 20, length);
        var decoded = new IPv4Packet(new PacketDotNet.Utils.ByteArraySegment(buffer, 0, length));
        var segment = Assert.IsType<TcpPacket>(decoded.PayloadPacket);
        Assert.Equal(ExpectedOption, segment.Options);
        Assert.True(decoded.ValidIPChecksum, "IPv4 header checksum (PacketDotNet)");
        Assert.True(segment.ValidTcpChecksum, "TCP checksum (PacketDotNet)");
        Assert.Equal(9, segment.PayloadData.Length);
    }

    [Fact]
    public void WriteFrame6_AndTheSegmentShifts_KeepTheChecksumValid()
    {
        var frame = new byte[Ipv6TcpSegmentWriter.Frame6WithMssLength];
        var length = Ipv6TcpSegmentWriter.WriteFrame6(frame, MacAddress.Parse("02:00:00:00:00:11"), MacAddress.Parse("02:00:00:00:00:02"), Local, 1024, Server, 8080, 0xFFFF_FFF0, 0, TcpFlags.Syn, 65535, 1440);
        Assert.Equal(frame.Length, length);

        TcpSegmentWriter.ShiftSegmentSequence(frame.AsSpan(14 + 40), 0x20);
        TcpSegmentWriter.ShiftSegmentAcknowledgment(frame.AsSpan(14 + 40), 7);

        var ip = Assert.IsType<IPv6Packet>(Assert.IsType<EthernetPacket>(Packet.ParsePacket(LinkLayers.Ethernet, frame)).PayloadPacket);
        var tcp = Assert.IsType<TcpPacket>(ip.PayloadPacket);
        Assert.Equal((Local.ToIPAddress(), Server.ToIPAddress(), 64), (ip.SourceAddress, ip.DestinationAddress, (int)ip.HopLimit));
        Assert.Equal((0x10u, 7u, (ushort)65535), (tcp.SequenceNumber, tcp.AcknowledgmentNumber, tcp.WindowSize));
        Assert.True(tcp.Synchronize && !tcp.Acknowledgment);
        Assert.Equal([2, 4, 0x05, 0xA0], tcp.Options);
        Assert.True(tcp.ValidTcpChecksum, "TCP checksum (PacketDotNet)");
    }

    // An IPv6 packet (Local → Server) carrying an ACK with the given options and payload bytes i × 7;
    // with an 8-byte destination options header (PadN) in front of TCP.
    private static byte[] Ipv6Tcp(int payload, byte[] options, bool extensionHeader)
    {
        // The header and segment are laid out here; PacketDotNet computes the checksum.
        var raw = new byte[40 + 20 + options.Length + payload];
        raw[0] = 0x60;
        raw[4] = (byte)((raw.Length - 40) >> 8);
        raw[5] = (byte)(raw.Length - 40);
        raw[6] = 6;
        raw[7] = 63;
        Local.WriteTo(raw.AsSpan(8));
        Server.WriteTo(raw.AsSpan(24));
        var segment = raw.AsSpan(40);
        segment[0] = 1024 >> 8;
        segment[1] = 1024 & 0xFF;
        segment[2] = 8080 >> 8;
        segment[3] = 8080 & 0xFF;
        segment[7] = 0xE9;
        segment[6] = 0x03;
        segment[11] = 0xD1;
        segment[10] = 0x07;
        segment[12] = (byte)((20 + options.Length) / 4 << 4);
        segment[13] = 0x10;
        segment[14] = 2;
        options.CopyTo(segment.Slice(20));
        for (var i = 0; i < payload; i++)
        {
            segment[20 + options.Length + i] = (byte)(i * 7);
        }

        var ip = new IPv6Packet(new PacketDotNet.Utils.ByteArraySegment(raw));
        var tcp = Assert.IsType<TcpPacket>(ip.PayloadPacket);
        tcp.UpdateTcpChecksum();
        Assert.True(tcp.ValidTcpChecksum);
        var bytes = ip.Bytes;
        if (!extensionHeader)
        {
            return bytes;
        }

        // Destination options (60) with PadN: the TCP checksum does not cover it.
        var result = new byte[bytes.Length + 8];
        bytes.AsSpan(0, 40).CopyTo(result);
        result[40] = 6;
        result[42] = 1;
        result[43] = 4;
        bytes.AsSpan(40).CopyTo(result.AsSpan(48));
        result[6] = 60;
        var payloadLength = bytes.Length - 40 + 8;
        result[4] = (byte)(payloadLength >> 8);
        result[5] = (byte)payloadLength;
        return result;
    }
}
