using LvsNet.Packets.Writing;
using Xunit;
using Builder = LvsNet.Testing.FrameBuilder;
using Decode = LvsNet.Testing.IndependentDecoder;
using Pdn = PacketDotNet;

namespace LvsNet.Packets.Tests;

/// <summary>
/// LvsNet's writers checked by PacketDotNet, a decoder that shares no code with them: the test
/// fixtures' frames, NAT rewrites of TCP and UDP in both directions, the TTL decrement, the TOA
/// insertion, ICMP error frames and ARP frames decode with valid checksums and the expected fields.
/// </summary>
public class WriterIndependentDecodingTests
{
    private static readonly MacAddress A = MacAddress.Parse("02:00:00:00:00:0a");
    private static readonly MacAddress B = MacAddress.Parse("02:00:00:00:00:0b");
    private static readonly uint Client = Ipv4Address.Parse("192.0.2.10");
    private static readonly uint Vip = Ipv4Address.Parse("198.51.100.1");
    private static readonly uint Server = Ipv4Address.Parse("10.0.0.11");

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1460)]
    public void Fixtures_TcpAndUdpFrames_DecodeWithValidChecksums(int payload)
    {
        var tcp = Decode.Tcp(Builder.Tcp(A, B, Client, 40000, Vip, 80, TcpFlags.Syn | TcpFlags.Ack, payload, ttl: 33, sequence: 7, acknowledgment: 9));
        Assert.Equal((40000, 80, 7u, 9u), (tcp.SourcePort, tcp.DestinationPort, tcp.SequenceNumber, tcp.AcknowledgmentNumber));
        Assert.True(tcp.Synchronize && tcp.Acknowledgment && !tcp.Finished && !tcp.Reset);
        Assert.Equal(payload, tcp.PayloadData.Length);
        Assert.Equal(33, ((Pdn.IPv4Packet)tcp.ParentPacket).TimeToLive);

        var udp = Decode.Udp(Builder.Udp(A, B, Client, 5353, Vip, 53, payload));
        Assert.Equal((5353, 53, 8 + payload), (udp.SourcePort, udp.DestinationPort, (int)udp.Length));
    }

    [Fact]
    public void NatRewrites_OfTcpAndUdp_BothDirections_KeepEveryChecksumValid()
    {
        var frame = Builder.Tcp(A, B, Client, 40000, Vip, 80, TcpFlags.Ack, 333);
        NatRewriter.RewriteDestination(frame.AsSpan(14), Server, 8080);
        var tcp = Decode.Tcp(frame);
        Assert.Equal(Decode.Address(Server), ((Pdn.IPv4Packet)tcp.ParentPacket).DestinationAddress);
        Assert.Equal((40000, 8080), (tcp.SourcePort, tcp.DestinationPort));

        var reply = Builder.Tcp(B, A, Server, 8080, Client, 40000, TcpFlags.Ack, 17);
        NatRewriter.RewriteSource(reply.AsSpan(14), Vip, 80);
        tcp = Decode.Tcp(reply);
        Assert.Equal(Decode.Address(Vip), ((Pdn.IPv4Packet)tcp.ParentPacket).SourceAddress);
        Assert.Equal((80, 40000), (tcp.SourcePort, tcp.DestinationPort));

        var datagram = Builder.Udp(A, B, Client, 3333, Vip, 53, 21);
        NatRewriter.RewriteDestination(datagram.AsSpan(14), Server, 5353);
        var udp = Decode.Udp(datagram);
        Assert.Equal((3333, 5353), (udp.SourcePort, udp.DestinationPort));
        NatRewriter.RewriteSource(datagram.AsSpan(14), Vip, 1053);
        udp = Decode.Udp(datagram);
        Assert.Equal(Decode.Address(Vip), ((Pdn.IPv4Packet)udp.ParentPacket).SourceAddress);
        Assert.Equal(1053, udp.SourcePort);
    }

    [Fact]
    public void DecrementTtl_KeepsTheHeaderChecksumValid()
    {
        var frame = Builder.Tcp(A, B, Client, 40000, Vip, 80, TcpFlags.Ack, 10, ttl: 2);
        Assert.True(Ipv4Writer.DecrementTtl(frame.AsSpan(14)));
        Assert.Equal(1, Decode.Ipv4(frame).TimeToLive);
    }

    [Fact]
    public void InsertToa_AddsKind254WithThePortAndAddress_AndValidChecksums()
    {
        var frame = Builder.Tcp(A, B, Client, 40000, Vip, 80, TcpFlags.Ack, 12);
        Array.Resize(ref frame, frame.Length + 8);
        var total = TcpOptionWriter.InsertToa(frame.AsSpan(14), 1500, Client, 40000);
        Assert.Equal(20 + 28 + 12, total);
        var tcp = Decode.Tcp(frame);
        Assert.Equal(7, tcp.DataOffset);
        Assert.Equal(new byte[] { 254, 8, 0x9C, 0x40, 192, 0, 2, 10 }, tcp.Options);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (byte)i), tcp.PayloadData);
    }

    [Fact]
    public void IcmpErrorFrame_HasValidChecksums_AndQuotesTheHeaderAndEightBytes()
    {
        var offending = Builder.Tcp(A, B, Client, 40000, Vip, 80, TcpFlags.Syn, 100);
        var frame = new byte[IcmpWriter.MaxErrorFrameLength];
        var length = IcmpWriter.WriteErrorFrame(frame, B, A, Vip, offending.AsSpan(14), 3, 4, 1480);
        Array.Resize(ref frame, length);

        var icmp = Decode.Icmp(frame);
        Assert.Equal((3 << 8) | 4, (int)icmp.TypeCode);
        Assert.Equal(1480, icmp.Sequence);
        var ip = (Pdn.IPv4Packet)icmp.ParentPacket;
        Assert.Equal((Decode.Address(Vip), Decode.Address(Client)), (ip.SourceAddress, ip.DestinationAddress));
        var (quoted, transport) = Decode.Quoted(icmp);
        Assert.Equal(offending.AsSpan(14, 20).ToArray(), quoted.HeaderData);
        Assert.Equal(offending.AsSpan(34, 8).ToArray(), transport);
    }

    [Fact]
    public void ArpFrames_DecodeWithTheOperationAndAddresses()
    {
        var request = Decode.Arp(Builder.Arp(ArpOperation.Request, A, Client, MacAddress.Zero, Vip));
        Assert.Equal(Pdn.ArpOperation.Request, request.Operation);
        Assert.Equal((Decode.Mac("02:00:00:00:00:0a"), Decode.Address(Client), Decode.Address(Vip)), (request.SenderHardwareAddress, request.SenderProtocolAddress, request.TargetProtocolAddress));

        var frame = Builder.Arp(ArpOperation.Reply, B, Vip, A, Client);
        Assert.Equal(60, frame.Length);
        var reply = Decode.Arp(frame);
        Assert.Equal(Pdn.ArpOperation.Response, reply.Operation);
        Assert.Equal((Decode.Mac("02:00:00:00:00:0b"), Decode.Address(Vip)), (reply.SenderHardwareAddress, reply.SenderProtocolAddress));
        Assert.Equal((Decode.Mac("02:00:00:00:00:0a"), Decode.Address(Client)), (reply.TargetHardwareAddress, reply.TargetProtocolAddress));
        Assert.Equal(Decode.Mac("02:00:00:00:00:0a"), Decode.Ethernet(frame).DestinationHardwareAddress);
    }
}
