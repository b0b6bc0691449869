using LvsNet.Packets.Writing;
using Xunit;

namespace LvsNet.Packets.Tests;

public class ArpWriterTests
{
    private static readonly MacAddress DirectorMac = MacAddress.Parse("02:00:00:00:00:02");
    private static readonly MacAddress ServerMac = MacAddress.Parse("52:54:00:ab:cd:ef");

    [Fact]
    public void WriteFrame_Reply_Writes60ByteFrameThatParsesBack()
    {
        var frame = new byte[64];
        frame.AsSpan().Fill(0xCC);

        var length = ArpWriter.WriteFrame(frame, ServerMac, ArpOperation.Reply, DirectorMac, 0x0A00_0064, ServerMac, 0x0A00_000B);

        Assert.Equal(60, length);
        Assert.Equal(ArpWriter.MinimumFrameLength, length);
        Assert.True(EthernetHeader.TryParse(frame.AsSpan(0, length), out var ethernet));
        Assert.Equal(ServerMac, ethernet.Destination);
        Assert.Equal(DirectorMac, ethernet.Source);
        Assert.Equal(EtherType.Arp, ethernet.EtherType);
        Assert.False(ethernet.HasVlanTag);
        Assert.True(ArpPacket.TryParse(ethernet.Payload, out var arp));
        Assert.Equal(ArpOperation.Reply, arp.Operation);
        Assert.Equal(DirectorMac, arp.SenderMac);
        Assert.Equal(0x0A00_0064u, arp.SenderIp);
        Assert.Equal(ServerMac, arp.TargetMac);
        Assert.Equal(0x0A00_000Bu, arp.TargetIp);

        Assert.All(frame.AsSpan(42, 18).ToArray(), b => Assert.Equal(0, b));
        Assert.All(frame.AsSpan(60).ToArray(), b => Assert.Equal(0xCC, b));
    }

    [Fact]
    public void WriteFrame_Request_MatchesGoldenRequestByteForByte()
    {
        var frame = new byte[60];
        frame.AsSpan().Fill(0xFF);

        ArpWriter.WriteFrame(
            frame, MacAddress.Broadcast, ArpOperation.Request, MacAddress.Parse("08:00:27:8a:3c:5e"), Ipv4Address.Parse("10.0.2.15"), MacAddress.Zero, Ipv4Address.Parse("10.0.2.2"));

        Assert.Equal(FrameBuilder.Hex(GoldenFrames.ArpRequest), frame);
    }

    [Fact]
    public void WriteFrame_GratuitousArp_MatchesIndependentBuilder()
    {
        var frame = new byte[60];

        ArpWriter.WriteFrame(frame, MacAddress.Broadcast, ArpOperation.Request, DirectorMac, 0x0A00_0064, MacAddress.Zero, 0x0A00_0064);

        Assert.Equal(FrameBuilder.Arp(1, DirectorMac.Value, 0x0A00_0064, 0, 0x0A00_0064), frame);
    }

    [Fact]
    public void WriteFrame_BufferShorterThanMinimumFrame_Throws()
    {
        var frame = new byte[59];

        Assert.ThrowsAny<ArgumentOutOfRangeException>(() =>
            ArpWriter.WriteFrame(frame, MacAddress.Broadcast, ArpOperation.Request, DirectorMac, 1, MacAddress.Zero, 2));
    }
}
