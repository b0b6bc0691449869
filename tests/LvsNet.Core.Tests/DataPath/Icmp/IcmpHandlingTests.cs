using LvsNet.Core.Configuration;
using LvsNet.Core.DataPath;
using LvsNet.Packets;
using LvsNet.Packets.Checksums;
using LvsNet.Packets.Writing;
using LvsNet.Testing;
using Xunit;
using static LvsNet.Core.Tests.DataPath.DataPathHarness;

namespace LvsNet.Core.Tests.DataPath.Icmp;

public class IcmpHandlingTests
{
    private static byte[] EchoRequest()
    {
        var frame = new byte[14 + 20 + 8 + 16];
        EthernetWriter.WriteHeader(frame, DirectorMac, ClientMac, EtherType.Ipv4);
        Ipv4Writer.WriteHeader(frame.AsSpan(14), 0, 20 + 24, 7, 0, 64, IpProtocol.Icmp, Client, Vip);
        IcmpWriter.WriteMessage(frame.AsSpan(34), IcmpHeader.TypeEchoRequest, 0, 0x12340001, new byte[16]);
        return frame;
    }

    /// <summary>An ICMP error from <paramref name="from"/> quoting <paramref name="offending"/> (an Ethernet frame).</summary>
    private static byte[] Error(MacAddress to, MacAddress fromMac, uint from, byte[] offending, byte type, byte code)
    {
        var frame = new byte[IcmpWriter.MaxErrorFrameLength];
        var length = IcmpWriter.WriteErrorFrame(frame, to, fromMac, from, offending.AsSpan(14), type, code);
        Array.Resize(ref frame, length);

        // WriteErrorFrame addresses the error to the offending packet's source.
        return frame;
    }

    private static Ipv4Header Ip(byte[] frame)
    {
        Assert.True(EthernetHeader.TryParse(frame, out var eth));
        Assert.True(Ipv4Header.TryParse(eth.Payload, out var ip));
        return ip;
    }

    [Fact]
    public void EchoRequestToVip_IsAnswered()
    {
        var h = new DataPathHarness();
        h.ResolveRealServers();
        h.Feed(EchoRequest());
        var reply = Assert.Single(h.Device.Sent);
        Assert.Equal(ClientMac, MacAddress.Read(reply));
        var ip = Ip(reply);
        Assert.Equal((Vip, Client), (ip.Source, ip.Destination));
        Assert.True(ip.IsChecksumValid);
        Assert.True(IcmpHeader.TryParse(ip.Payload, out var icmp));
        Assert.Equal(IcmpHeader.TypeEchoReply, icmp.Type);
        Assert.Equal(0x12340001u, icmp.RestOfHeader);
        Assert.Equal(0, InternetChecksum.Compute(icmp.Message));
        Assert.Equal(1, h.Processor.Counters.EchoRepliesSent);
    }

    [Fact]
    public void ErrorAboutDrConnection_GoesToItsRealServerUnchangedButForMacAndTtl()
    {
        var h = new DataPathHarness();
        h.ResolveRealServers();
        h.Feed(h.ClientTcp(40000, TcpFlags.Syn));
        h.Device.Sent.Clear();

        // The client's stack reports a problem with a segment the service (VIP:80) sent it.
        var fromService = FrameBuilder.Tcp(ClientMac, Rs1Mac, Vip, 80, Client, 40000, TcpFlags.Ack);
        var error = Error(DirectorMac, ClientMac, Client, fromService, IcmpHeader.TypeDestinationUnreachable, IcmpHeader.CodeFragmentationNeeded);
        error = RetargetTo(error, Vip);
        h.Feed(error);
        var sent = Assert.Single(h.Device.Sent);
        Assert.Equal(Rs1Mac, MacAddress.Read(sent));
        Assert.Equal(error.AsSpan(14 + 20).ToArray(), sent.AsSpan(14 + 20).ToArray());
        Assert.Equal(1, h.Processor.Counters.IcmpErrorsForwarded);
    }

    [Fact]
    public void ErrorAboutUnknownConnection_IsDropped()
    {
        var h = new DataPathHarness();
        h.ResolveRealServers();
        var fromService = FrameBuilder.Tcp(ClientMac, Rs1Mac, Vip, 80, Client, 1, TcpFlags.Ack);
        h.Feed(RetargetTo(Error(DirectorMac, ClientMac, Client, fromService, 3, 3), Vip));
        Assert.Empty(h.Device.Sent);
        Assert.Equal(1, h.Processor.Counters[DropReason.NoConnection]);
    }

    [Fact]
    public void NatErrors_AreTranslatedBothWays()
    {
        var h = new DataPathHarness(c => EditService(c, s => s with { RealServers = [.. s.RealServers.Select(r => r with { Method = ForwardingMethod.Nat, Port = 8080 })] }));
        h.ResolveRealServers();
        h.Feed(h.ClientTcp(40000, TcpFlags.Syn));

        // Towards the server: the quoted VIP:80 becomes RIP:8080, the outer destination RIP.
        h.Device.Sent.Clear();
        var fromService = FrameBuilder.Tcp(ClientMac, DirectorMac, Vip, 80, Client, 40000, TcpFlags.Ack);
        h.Feed(RetargetTo(Error(DirectorMac, ClientMac, Client, fromService, 3, 4), Vip));
        var toServer = Ip(Assert.Single(h.Device.Sent));
        Assert.Equal(Rs1, toServer.Destination);
        Assert.True(toServer.IsChecksumValid);
        Assert.True(IcmpHeader.TryParse(toServer.Payload, out var icmp));
        Assert.Equal(0, InternetChecksum.Compute(icmp.Message));
        Assert.True(Ipv4Header.TryParseQuoted(icmp.Payload, out var quoted));
        Assert.Equal(Rs1, quoted.Source);
        Assert.True(quoted.IsChecksumValid);
        Assert.Equal(8080, (quoted.Payload[0] << 8) | quoted.Payload[1]);

        // Towards the client: an error from the server about the client's packet to RIP:8080.
        h.Device.Sent.Clear();
        var toRealServer = FrameBuilder.Tcp(Rs1Mac, DirectorMac, Client, 40000, Rs1, 8080, TcpFlags.Ack);
        h.Feed(Error(DirectorMac, Rs1Mac, Rs1, toRealServer, 3, 3));

        // The director resolves the client first; the translated error waits for the answer.
        Assert.Equal(MacAddress.Broadcast, MacAddress.Read(Assert.Single(h.Device.Sent)));
        h.Device.Sent.Clear();
        h.Feed(FrameBuilder.Arp(ArpOperation.Reply, ClientMac, Client, DirectorMac, Dip));
        var toClient = Ip(Assert.Single(h.Device.Sent));
        Assert.Equal((Vip, Client), (toClient.Source, toClient.Destination));
        Assert.True(IcmpHeader.TryParse(toClient.Payload, out icmp));
        Assert.Equal(0, InternetChecksum.Compute(icmp.Message));
        Assert.True(Ipv4Header.TryParseQuoted(icmp.Payload, out quoted));
        Assert.Equal(Vip, quoted.Destination);
        Assert.Equal(80, (quoted.Payload[2] << 8) | quoted.Payload[3]);
    }

    /// <summary>Sets the outer destination of an ICMP error frame (the error is addressed to the VIP, which sent the quoted packet).</summary>
    private static byte[] RetargetTo(byte[] frame, uint destination)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(14 + 16), destination);
        Ipv4Writer.UpdateChecksum(frame.AsSpan(14, 20));
        return frame;
    }
}
