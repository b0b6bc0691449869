using LvsNet.Core.Configuration;
using LvsNet.Core.DataPath;
using LvsNet.Packets;
using LvsNet.Testing;
using Xunit;
using static LvsNet.Core.Tests.DataPath.DataPathHarness;

namespace LvsNet.Core.Tests.DataPath.SynProxy;

/// <summary>
/// The SYN proxy of a NAT service: a SYN is answered with a cookie and nothing is kept; a valid ACK
/// opens the real server's half; the halves are spliced by a sequence shift. Every segment the
/// director writes or rewrites is decoded by PacketDotNet, checksums included, and compared with
/// the numbers RFC 793 requires of each half.
/// </summary>
public class SynProxyTests
{
    private const ushort ClientPort = 40000;
    private const ushort RealPort = 8080;
    private const uint ClientIsn = 1_000_000;
    private const uint ServerIsn = 3_000_000_000;

    [Fact]
    public void Syn_IsAnsweredWithACookie_NothingKept_NothingToTheServer()
    {
        var h = Harness();
        h.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Client, ClientPort, Vip, 80, TcpFlags.Syn, sequence: ClientIsn));

        var synAck = Assert.Single(h.Device.Sent);
        Assert.Equal(ClientMac, MacAddress.Read(synAck));
        var ip = IndependentDecoder.Ipv4(synAck);
        var tcp = IndependentDecoder.Tcp(ip);
        Assert.Equal((IndependentDecoder.Address(Vip), IndependentDecoder.Address(Client)), (ip.SourceAddress, ip.DestinationAddress));
        Assert.Equal((80, ClientPort), (tcp.SourcePort, tcp.DestinationPort));
        Assert.True(tcp.Synchronize && tcp.Acknowledgment && !tcp.Reset);
        Assert.Equal(ClientIsn + 1, tcp.AcknowledgmentNumber);

        // No MSS offered: RFC 879's default 536 is all the cookie may promise.
        Assert.Equal([2, 4, 0x02, 0x18], tcp.Options);
        Assert.Equal(0, h.Processor.Table.Count);
        Assert.Equal(1, h.Processor.Counters.SynCookiesSent);
    }

    [Fact]
    public void Handshake_OpensTheServerHalf_AndSplicesBothDirections()
    {
        var h = Harness();
        var cookie = Handshake(h);

        // Client data: to RIP:8080, acknowledging the server's sequence space.
        h.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Client, ClientPort, Vip, 80, TcpFlags.Ack | TcpFlags.Psh, 100, sequence: ClientIsn + 1, acknowledgment: cookie + 1));
        var toServer = IndependentDecoder.Tcp(Assert.Single(h.Device.Sent));
        Assert.Equal((ClientIsn + 1, ServerIsn + 1, RealPort), (toServer.SequenceNumber, toServer.AcknowledgmentNumber, toServer.DestinationPort));
        Assert.Equal(100, toServer.PayloadData.Length);
        h.Device.Sent.Clear();

        // Server data: to the client from VIP:80, in the cookie's sequence space.
        h.Feed(FrameBuilder.Tcp(DirectorMac, Rs1Mac, Rs1, RealPort, Client, ClientPort, TcpFlags.Ack | TcpFlags.Psh, 200, sequence: ServerIsn + 1, acknowledgment: ClientIsn + 101));
        var sent = Assert.Single(h.Device.Sent);
        Assert.Equal(ClientMac, MacAddress.Read(sent));
        var ip = IndependentDecoder.Ipv4(sent);
        var toClient = IndependentDecoder.Tcp(ip);
        Assert.Equal(IndependentDecoder.Address(Vip), ip.SourceAddress);
        Assert.Equal((cookie + 1, ClientIsn + 101, (ushort)80), (toClient.SequenceNumber, toClient.AcknowledgmentNumber, toClient.SourcePort));
        Assert.Equal(Core.Connections.ConnectionState.Established, h.Processor.Table[FindIndex(h)].State);
    }

    [Fact]
    public void DataBeforeTheServerAnswers_IsHeldAndSentAfterTheServerHalfOpens()
    {
        var h = Harness();
        var cookie = CookieFor(h);
        h.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Client, ClientPort, Vip, 80, TcpFlags.Ack, sequence: ClientIsn + 1, acknowledgment: cookie + 1));
        h.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Client, ClientPort, Vip, 80, TcpFlags.Ack | TcpFlags.Psh, 50, sequence: ClientIsn + 1, acknowledgment: cookie + 1));
        Assert.Single(h.Device.Sent);
        h.Device.Sent.Clear();

        h.Feed(FrameBuilder.Tcp(DirectorMac, Rs1Mac, Rs1, RealPort, Client, ClientPort, TcpFlags.Syn | TcpFlags.Ack, sequence: ServerIsn, acknowledgment: ClientIsn + 1));

        Assert.Equal(2, h.Device.Sent.Count);
        var ack = IndependentDecoder.Tcp(h.Device.Sent[0]);
        var data = IndependentDecoder.Tcp(h.Device.Sent[1]);
        Assert.True(ack.Acknowledgment && !ack.Synchronize && ack.PayloadData.Length == 0);
        Assert.Equal((ClientIsn + 1, ServerIsn + 1), (ack.SequenceNumber, ack.AcknowledgmentNumber));
        Assert.Equal((ClientIsn + 1, ServerIsn + 1, 50), (data.SequenceNumber, data.AcknowledgmentNumber, data.PayloadData.Length));
    }

    [Fact]
    public void AckWithoutAValidCookie_CreatesNothing()
    {
        var h = Harness();
        var cookie = CookieFor(h);
        h.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Client, ClientPort, Vip, 80, TcpFlags.Ack, sequence: ClientIsn + 1, acknowledgment: cookie + 9));
        h.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Client, ClientPort, Vip, 80, TcpFlags.Ack, sequence: ClientIsn + 2, acknowledgment: cookie + 1));
        h.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Client, (ushort)(ClientPort + 1), Vip, 80, TcpFlags.Ack, sequence: ClientIsn + 1, acknowledgment: cookie + 1));

        Assert.Empty(h.Device.Sent);
        Assert.Equal(3, h.Processor.Counters[DropReason.SynCookieInvalid]);
        Assert.Equal(0, h.Processor.Table.Count);
    }

    [Fact]
    public void CookieOfTheSlotBeforeTheLast_IsRefused()
    {
        var h = Harness();
        var cookie = CookieFor(h);
        h.Advance(TimeSpan.FromSeconds(129));
        h.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Client, ClientPort, Vip, 80, TcpFlags.Ack, sequence: ClientIsn + 1, acknowledgment: cookie + 1));

        Assert.Equal(1, h.Processor.Counters[DropReason.SynCookieInvalid]);
        Assert.Equal(0, h.Processor.Table.Count);
    }

    [Fact]
    public void SpoofedSynFlood_TakesNoEntry_AndNothingReachesTheServers()
    {
        var h = Harness();
        for (var i = 0; i < 1000; i++)
        {
            h.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Ipv4Address.Parse("198.51.100.0") + (uint)i, (ushort)(1024 + i), Vip, 80, TcpFlags.Syn, sequence: (uint)i));
        }

        Assert.Equal(1000, h.Device.Sent.Count);
        Assert.All(h.Device.Sent, f => Assert.Equal(ClientMac, MacAddress.Read(f)));
        Assert.Equal(0, h.Processor.Table.Count);
    }

    [Fact]
    public void ServerResets_TheClientGetsAResetInItsSequenceSpace()
    {
        var h = Harness();
        var cookie = CookieFor(h);
        h.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Client, ClientPort, Vip, 80, TcpFlags.Ack, sequence: ClientIsn + 1, acknowledgment: cookie + 1));
        h.Device.Sent.Clear();
        h.Feed(FrameBuilder.Tcp(DirectorMac, Rs1Mac, Rs1, RealPort, Client, ClientPort, TcpFlags.Rst | TcpFlags.Ack, sequence: 0, acknowledgment: ClientIsn + 1));

        var ip = IndependentDecoder.Ipv4(Assert.Single(h.Device.Sent));
        var rst = IndependentDecoder.Tcp(ip);
        Assert.Equal(IndependentDecoder.Address(Vip), ip.SourceAddress);
        Assert.True(rst.Reset);
        Assert.Equal(cookie + 1, rst.SequenceNumber);
        Assert.Equal(0, h.Processor.Table.Count);
    }

    [Fact]
    public void SplicedFlows_AllocateNothingPerPacket()
    {
        var h = Harness();
        h.Device.Record = false;
        var frames = new List<byte[]>();
        for (var i = 0; i < 100; i++)
        {
            var port = (ushort)(20000 + i);
            h.Device.Record = true;
            h.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Client, port, Vip, 80, TcpFlags.Syn, sequence: ClientIsn));
            var cookie = (uint)IndependentDecoder.Tcp(h.Device.Sent[^1]).SequenceNumber;
            h.Device.Sent.Clear();
            h.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Client, port, Vip, 80, TcpFlags.Ack, sequence: ClientIsn + 1, acknowledgment: cookie + 1));
            h.Feed(FrameBuilder.Tcp(DirectorMac, Rs1Mac, Rs1, RealPort, Client, port, TcpFlags.Syn | TcpFlags.Ack, sequence: ServerIsn, acknowledgment: ClientIsn + 1));
            h.Device.Sent.Clear();
            h.Device.Record = false;
            frames.Add(FrameBuilder.Tcp(DirectorMac, ClientMac, Client, port, Vip, 80, TcpFlags.Ack | TcpFlags.Psh, 512, sequence: ClientIsn + 1, acknowledgment: cookie + 1));
            frames.Add(FrameBuilder.Tcp(DirectorMac, Rs1Mac, Rs1, RealPort, Client, port, TcpFlags.Ack | TcpFlags.Psh, 512, sequence: ServerIsn + 1, acknowledgment: ClientIsn + 513));
        }

        for (var i = 0; i < 10_000; i++)
        {
            h.Feed(frames[i % frames.Count]);
        }

        var sentBefore = h.Device.Count;
        var before = AllocationMeter.Start();
        for (var i = 0; i < 50_000; i++)
        {
            if (i % 64 == 0)
            {
                h.Processor.BeginBatch();
            }

            var frame = frames[i % frames.Count];
            h.Processor.OnFrame(frame, frame.Length);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(50_000, h.Device.Count - sentBefore);
    }

    [Fact]
    public void SpoofedSynFlood_EveryCookieAnswer_AllocatesNothingPerPacket()
    {
        // A flood's SYNs from spoofed sources and ports (198.18.0.0/15), each answered with a cookie
        // SYN-ACK; the batch boundaries of the capture loop included.
        var h = Harness();
        h.Device.Record = false;
        var frames = new List<byte[]>();
        for (var i = 0; i < 256; i++)
        {
            var source = Ipv4Address.Parse($"198.18.{i}.{(i * 7) % 250 + 1}");
            frames.Add(FrameBuilder.Tcp(DirectorMac, ClientMac, source, (ushort)(1024 + (i * 131)), Vip, 80, TcpFlags.Syn, sequence: ClientIsn + (uint)i));
        }

        for (var i = 0; i < 10_000; i++)
        {
            h.Feed(frames[i % frames.Count]);
        }

        var sentBefore = h.Device.Count;
        var cookiesBefore = h.Processor.Counters.SynCookiesSent;
        var before = AllocationMeter.Start();
        for (var i = 0; i < 50_000; i++)
        {
            if (i % 64 == 0)
            {
                h.Processor.BeginBatch();
            }

            var frame = frames[i % frames.Count];
            h.Processor.OnFrame(frame, frame.Length);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(50_000, h.Device.Count - sentBefore);
        Assert.Equal(50_000, h.Processor.Counters.SynCookiesSent - cookiesBefore);
        Assert.Equal(0, h.Processor.Table.Count);
    }

    [Fact]
    public void FullNat_TheServerHalfOpensFromTheLocalAddress_WithToaInTheDirectorsAck()
    {
        var local = Ipv4Address.Parse("10.77.0.50");
        var h = new DataPathHarness(c => EditService(c, s => s with
        {
            SynProxy = true,
            Toa = true,
            LocalAddresses = [local],
            RealServers = [new RealServerConfig { Address = Rs1, Port = RealPort, Weight = 1, Method = ForwardingMethod.FullNat }],
        }));
        h.ResolveRealServers();
        Forwarding.FullNatForwardingTests.ResolveClient(h);
        var cookie = CookieFor(h);
        h.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Client, ClientPort, Vip, 80, TcpFlags.Ack, sequence: ClientIsn + 1, acknowledgment: cookie + 1));

        var synIp = IndependentDecoder.Ipv4(Assert.Single(h.Device.Sent));
        var syn = IndependentDecoder.Tcp(synIp);
        Assert.Equal((IndependentDecoder.Address(local), IndependentDecoder.Address(Rs1)), (synIp.SourceAddress, synIp.DestinationAddress));
        Assert.Equal((RealPort, ClientIsn), (syn.DestinationPort, syn.SequenceNumber));
        var localPort = syn.SourcePort;
        h.Device.Sent.Clear();

        h.Feed(FrameBuilder.Tcp(DirectorMac, Rs1Mac, Rs1, RealPort, local, localPort, TcpFlags.Syn | TcpFlags.Ack, sequence: ServerIsn, acknowledgment: ClientIsn + 1));
        var ackIp = IndependentDecoder.Ipv4(Assert.Single(h.Device.Sent));
        var ack = IndependentDecoder.Tcp(ackIp);
        Assert.Equal(IndependentDecoder.Address(local), ackIp.SourceAddress);
        Assert.Equal((localPort, ClientIsn + 1, ServerIsn + 1), (ack.SourcePort, ack.SequenceNumber, ack.AcknowledgmentNumber));

        // TOA (kind 254, length 8, the client's port, then its address) first in the ACK's options.
        Assert.Equal([254, 8, 0x9C, 0x40, 10, 77, 0, 10], ack.Options);
        h.Device.Sent.Clear();

        h.Feed(FrameBuilder.Tcp(DirectorMac, Rs1Mac, Rs1, RealPort, local, localPort, TcpFlags.Ack | TcpFlags.Psh, 10, sequence: ServerIsn + 1, acknowledgment: ClientIsn + 1));
        var toClientIp = IndependentDecoder.Ipv4(Assert.Single(h.Device.Sent));
        var toClient = IndependentDecoder.Tcp(toClientIp);
        Assert.Equal((IndependentDecoder.Address(Vip), IndependentDecoder.Address(Client)), (toClientIp.SourceAddress, toClientIp.DestinationAddress));
        Assert.Equal((cookie + 1, (ushort)80, ClientPort), (toClient.SequenceNumber, toClient.SourcePort, toClient.DestinationPort));
        h.Device.Sent.Clear();

        h.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Client, ClientPort, Vip, 80, TcpFlags.Ack, sequence: ClientIsn + 1, acknowledgment: cookie + 11));
        var toServer = IndependentDecoder.Tcp(Assert.Single(h.Device.Sent));
        Assert.Equal((localPort, ServerIsn + 11), (toServer.SourcePort, toServer.AcknowledgmentNumber));
    }

    private static DataPathHarness Harness()
    {
        var h = new DataPathHarness(c => EditService(c, s => s with
        {
            SynProxy = true,
            RealServers = [new RealServerConfig { Address = Rs1, Port = RealPort, Weight = 1, Method = ForwardingMethod.Nat }],
        }));
        h.ResolveRealServers();
        Forwarding.FullNatForwardingTests.ResolveClient(h);
        return h;
    }

    private static uint CookieFor(DataPathHarness h)
    {
        h.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Client, ClientPort, Vip, 80, TcpFlags.Syn, sequence: ClientIsn));
        var cookie = IndependentDecoder.Tcp(Assert.Single(h.Device.Sent)).SequenceNumber;
        h.Device.Sent.Clear();
        return cookie;
    }

    /// <summary>SYN, SYN-ACK with the cookie, the client's ACK (a SYN to the server), the server's SYN-ACK (an ACK to the server); returns the cookie.</summary>
    private static uint Handshake(DataPathHarness h)
    {
        var cookie = CookieFor(h);
        h.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Client, ClientPort, Vip, 80, TcpFlags.Ack, sequence: ClientIsn + 1, acknowledgment: cookie + 1));
        var synFrame = Assert.Single(h.Device.Sent);
        Assert.Equal(Rs1Mac, MacAddress.Read(synFrame));
        var synIp = IndependentDecoder.Ipv4(synFrame);
        var syn = IndependentDecoder.Tcp(synIp);
        Assert.Equal((IndependentDecoder.Address(Client), IndependentDecoder.Address(Rs1)), (synIp.SourceAddress, synIp.DestinationAddress));
        Assert.Equal((ClientPort, RealPort, ClientIsn), (syn.SourcePort, syn.DestinationPort, syn.SequenceNumber));
        Assert.True(syn.Synchronize && !syn.Acknowledgment);
        Assert.Equal(1, h.Processor.Table.Count);
        h.Device.Sent.Clear();

        // The server's SYN-ACK never reaches the client; the director completes the server's half.
        h.Feed(FrameBuilder.Tcp(DirectorMac, Rs1Mac, Rs1, RealPort, Client, ClientPort, TcpFlags.Syn | TcpFlags.Ack, sequence: ServerIsn, acknowledgment: ClientIsn + 1));
        var ackFrame = Assert.Single(h.Device.Sent);
        Assert.Equal(Rs1Mac, MacAddress.Read(ackFrame));
        var ack = IndependentDecoder.Tcp(ackFrame);
        Assert.True(ack.Acknowledgment && !ack.Synchronize);
        Assert.Equal((ClientIsn + 1, ServerIsn + 1), (ack.SequenceNumber, ack.AcknowledgmentNumber));
        h.Device.Sent.Clear();
        return cookie;
    }

    private static int FindIndex(DataPathHarness h) =>
        h.Processor.Table.Find(new Core.Connections.ConnectionKey(IpProtocol.Tcp, Client, ClientPort, Vip, 80));
}
