using LvsNet.Packets.Writing;
using Xunit;

namespace LvsNet.Packets.Tests;

public class IcmpWriterTests
{
    private const uint Client = 0xC633_640A;
    private const uint Vip = 0xCB00_7164;
    private const uint Director = 0xCB00_7102;
    private static readonly MacAddress RouterMac = new(0x02_00_00_00_00_01);
    private static readonly MacAddress DirectorMac = new(0x02_00_00_00_00_02);

    [Fact]
    public void WriteErrorFrame_FragmentationNeeded_WritesValidIpv4IcmpFrameQuotingHeaderAnd8Bytes()
    {
        var offendingFrame = new FrameBuilder { Source = Client, Destination = Vip }.Tcp(40000, 80, TcpFlags.Ack, payload: new byte[100]);
        var offending = offendingFrame.AsSpan(14).ToArray();
        var frame = new byte[IcmpWriter.MaxErrorFrameLength + 16];
        frame.AsSpan().Fill(0xCC);

        var length = IcmpWriter.WriteErrorFrame(
            frame, RouterMac, DirectorMac, Director, offending, IcmpHeader.TypeDestinationUnreachable, IcmpHeader.CodeFragmentationNeeded, 1400);

        Assert.Equal(14 + 20 + 8 + 28, length);
        Assert.All(frame.AsSpan(length).ToArray(), b => Assert.Equal(0xCC, b));

        Assert.True(EthernetHeader.TryParse(frame.AsSpan(0, length), out var ethernet));
        Assert.Equal(RouterMac, ethernet.Destination);
        Assert.Equal(DirectorMac, ethernet.Source);
        Assert.Equal(EtherType.Ipv4, ethernet.EtherType);

        var packet = frame.AsSpan(14, length - 14);
        Assert.Equal(0x45, packet[0]);
        Assert.True(RefChecksum.IsIpHeaderValid(packet));
        Assert.True(RefChecksum.IsIcmpValid(packet));
        Assert.True(Ipv4Header.TryParse(packet, out var ip));
        Assert.Equal(length - 14, ip.TotalLength);
        Assert.Equal(IpProtocol.Icmp, ip.Protocol);
        Assert.Equal(64, ip.Ttl);
        Assert.Equal(Director, ip.Source);
        Assert.Equal(Client, ip.Destination);
        Assert.False(ip.IsFragment);

        Assert.True(IcmpHeader.TryParse(ip.Payload, out var icmp));
        Assert.Equal(IcmpHeader.TypeDestinationUnreachable, icmp.Type);
        Assert.Equal(IcmpHeader.CodeFragmentationNeeded, icmp.Code);
        Assert.Equal(1400u, icmp.RestOfHeader);
        Assert.True(icmp.IsError);
        Assert.Equal(offending.AsSpan(0, 28).ToArray(), icmp.Payload.ToArray());
    }

    [Fact]
    public void WriteErrorFrame_OffendingWithIpOptions_QuotesWholeHeaderAnd8Bytes()
    {
        var offending = new FrameBuilder { Source = Client, Destination = Vip, IpOptions = FrameBuilder.RouterAlertOptions }
            .Udp(40000, 53, new byte[30]).AsSpan(14).ToArray();
        var frame = new byte[IcmpWriter.MaxErrorFrameLength];

        var length = IcmpWriter.WriteErrorFrame(frame, RouterMac, DirectorMac, Vip, offending, IcmpHeader.TypeDestinationUnreachable, IcmpHeader.CodePortUnreachable);

        Assert.Equal(14 + 20 + 8 + 28 + 8, length);
        var packet = frame.AsSpan(14, length - 14);
        Assert.True(RefChecksum.IsIpHeaderValid(packet));
        Assert.True(RefChecksum.IsIcmpValid(packet));
        Assert.Equal(0u, RefChecksum.ReadUInt32(packet.Slice(20 + 4)));
        Assert.Equal(offending.AsSpan(0, 36).ToArray(), packet.Slice(28).ToArray());
    }

    [Fact]
    public void WriteErrorFrame_OffendingShorterThanHeaderPlus8_QuotesAllOfIt()
    {
        var offending = new FrameBuilder { Source = Client, Destination = Vip }.Ipv4(FrameBuilder.ProtocolTcp, [1, 2, 3, 4, 5]).AsSpan(14).ToArray();
        var frame = new byte[IcmpWriter.MaxErrorFrameLength];

        var length = IcmpWriter.WriteErrorFrame(frame, RouterMac, DirectorMac, Vip, offending, IcmpHeader.TypeTimeExceeded, 0);

        Assert.Equal(14 + 20 + 8 + 25, length);
        var packet = frame.AsSpan(14, length - 14);
        Assert.True(RefChecksum.IsIpHeaderValid(packet));
        Assert.True(RefChecksum.IsIcmpValid(packet));
        Assert.Equal(offending, packet.Slice(28).ToArray());
    }

    [Fact]
    public void WriteErrorFrame_LargestHeader_FillsMaxErrorFrameLength()
    {
        var options = new byte[40];
        options.AsSpan().Fill(0x01);
        var offending = new FrameBuilder { Source = Client, Destination = Vip, IpOptions = options }.Udp(1, 2, new byte[64]).AsSpan(14).ToArray();
        var frame = new byte[IcmpWriter.MaxErrorFrameLength];

        var length = IcmpWriter.WriteErrorFrame(frame, RouterMac, DirectorMac, Vip, offending, IcmpHeader.TypeDestinationUnreachable, IcmpHeader.CodePortUnreachable);

        Assert.Equal(IcmpWriter.MaxErrorFrameLength, length);
        Assert.True(RefChecksum.IsIpHeaderValid(frame.AsSpan(14)));
        Assert.True(RefChecksum.IsIcmpValid(frame.AsSpan(14)));
        Assert.Equal(offending.AsSpan(0, 68).ToArray(), frame.AsSpan(42).ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(56)]
    public void WriteMessage_EchoReply_WritesValidChecksum(int bodyLength)
    {
        var body = Enumerable.Range(0, bodyLength).Select(i => (byte)(i + 0x61)).ToArray();
        var message = new byte[8 + bodyLength + 4];
        message.AsSpan().Fill(0xEE);

        var length = IcmpWriter.WriteMessage(message, IcmpHeader.TypeEchoReply, 0, 0x1234_0001, body);

        Assert.Equal(8 + bodyLength, length);
        Assert.Equal(0, RefChecksum.Compute(message.AsSpan(0, length)));
        Assert.Equal(0xEE, message[length]);
        Assert.True(IcmpHeader.TryParse(message.AsSpan(0, length), out var icmp));
        Assert.Equal(IcmpHeader.TypeEchoReply, icmp.Type);
        Assert.Equal(0x1234_0001u, icmp.RestOfHeader);
        Assert.Equal(body, icmp.Payload.ToArray());
    }

    [Fact]
    public void WriteMessage_GoldenEchoRequest_ReproducesItsChecksum()
    {
        var golden = FrameBuilder.Hex(GoldenFrames.IcmpEchoRequest);
        var message = new byte[16];

        IcmpWriter.WriteMessage(message, IcmpHeader.TypeEchoRequest, 0, 0x1234_0001, "abcdefgh"u8);

        Assert.Equal(golden.AsSpan(34).ToArray(), message);
    }
}
