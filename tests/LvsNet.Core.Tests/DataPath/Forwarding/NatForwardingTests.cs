using LvsNet.Core.Configuration;
using LvsNet.Core.Connections;
using LvsNet.Core.DataPath;
using LvsNet.Packets;
using LvsNet.Packets.Checksums;
using LvsNet.Testing;
using Xunit;
using static LvsNet.Core.Tests.DataPath.DataPathHarness;

namespace LvsNet.Core.Tests.DataPath.Forwarding;

public class NatForwardingTests
{
    private static DataPathHarness Nat(ushort realPort = 8080) => new(c => EditService(c, s => s with
    {
        RealServers = [.. s.RealServers.Select(r => r with { Method = ForwardingMethod.Nat, Port = realPort })],
    }));

    private static void AssertChecksumsValid(byte[] frame)
    {
        Assert.True(EthernetHeader.TryParse(frame, out var eth));
        Assert.True(Ipv4Header.TryParse(eth.Payload, out var ip));
        Assert.True(ip.IsChecksumValid);
        Assert.Equal(0, InternetChecksum.Fold(InternetChecksum.Sum(ip.Payload, TransportChecksum.PseudoHeaderSum(ip.Source, ip.Destination, ip.Protocol, ip.Payload.Length))));
    }

    [Fact]
    public void Inbound_IsDnatedToRealServerAndPort_WithValidChecksums()
    {
        var h = Nat();
        h.ResolveRealServers();
        h.Feed(h.ClientTcp(40000, TcpFlags.Syn, 100));
        var sent = Assert.Single(h.Device.Sent);
        Assert.True(EthernetHeader.TryParse(sent, out var eth));
        Assert.Equal(Rs1Mac, eth.Destination);
        Assert.True(Ipv4Header.TryParse(eth.Payload, out var ip));
        Assert.Equal(Client, ip.Source);
        Assert.Equal(Rs1, ip.Destination);
        Assert.Equal(63, ip.Ttl);
        Assert.True(TcpHeader.TryParse(ip.Payload, out var tcp));
        Assert.Equal(40000, tcp.SourcePort);
        Assert.Equal(8080, tcp.DestinationPort);
        AssertChecksumsValid(sent);
    }

    [Fact]
    public void Reply_IsSnatedBackToVip_AndSentToTheClient()
    {
        var h = Nat();
        h.ResolveRealServers();
        h.Feed(h.ClientTcp(40000, TcpFlags.Syn));
        h.Device.Sent.Clear();

        // The first reply makes the director resolve the client; the frame waits for the answer.
        var reply = FrameBuilder.Tcp(DirectorMac, Rs1Mac, Rs1, 8080, Client, 40000, TcpFlags.Syn | TcpFlags.Ack, 20);
        h.Feed(reply);
        var request = Assert.Single(h.Device.Sent);
        Assert.Equal(MacAddress.Broadcast, MacAddress.Read(request));
        h.Device.Sent.Clear();
        h.Feed(FrameBuilder.Arp(ArpOperation.Reply, ClientMac, Client, DirectorMac, Dip));
        var sent = Assert.Single(h.Device.Sent);
        Assert.True(EthernetHeader.TryParse(sent, out var eth));
        Assert.Equal(ClientMac, eth.Destination);
        Assert.Equal(DirectorMac, eth.Source);
        Assert.True(Ipv4Header.TryParse(eth.Payload, out var ip));
        Assert.Equal(Vip, ip.Source);
        Assert.Equal(Client, ip.Destination);
        Assert.True(TcpHeader.TryParse(ip.Payload, out var tcp));
        Assert.Equal(80, tcp.SourcePort);
        Assert.Equal(40000, tcp.DestinationPort);
        AssertChecksumsValid(sent);
        var server = h.Runtime.Current!.Services[0].Servers[0];
        Assert.Equal(1, server.OutPackets);
    }

    [Fact]
    public void TwoWayStates_FollowTheNatTable()
    {
        var h = Nat();
        h.ResolveRealServers();
        h.Feed(FrameBuilder.Arp(ArpOperation.Reply, ClientMac, Client, DirectorMac, Dip));
        h.Feed(h.ClientTcp(40000, TcpFlags.Syn));
        h.Feed(FrameBuilder.Tcp(DirectorMac, Rs1Mac, Rs1, 8080, Client, 40000, TcpFlags.Syn | TcpFlags.Ack));
        h.Feed(h.ClientTcp(40000, TcpFlags.Ack));
        var index = h.Processor.Table.Find(new ConnectionKey(IpProtocol.Tcp, Client, 40000, Vip, 80));
        Assert.Equal(ConnectionState.Established, h.Processor.Table[index].State);
        h.Feed(FrameBuilder.Tcp(DirectorMac, Rs1Mac, Rs1, 8080, Client, 40000, TcpFlags.Fin | TcpFlags.Ack));
        Assert.Equal(ConnectionState.FinWait, h.Processor.Table[index].State);
        h.Feed(h.ClientTcp(40000, TcpFlags.Fin | TcpFlags.Ack));
        Assert.Equal(ConnectionState.TimeWait, h.Processor.Table[index].State);
    }

    [Fact]
    public void ReplyWithoutConnection_IsDroppedAndCounted()
    {
        var h = Nat();
        h.ResolveRealServers();
        h.Feed(FrameBuilder.Tcp(DirectorMac, Rs1Mac, Rs1, 8080, Client, 12345, TcpFlags.Ack));
        Assert.Empty(h.Device.Sent);
        Assert.Equal(1, h.Processor.Counters[DropReason.NoConnection]);
    }

    [Fact]
    public void Udp_ZeroChecksum_GetsAFullChecksumAfterNat()
    {
        var h = new DataPathHarness(c => c with
        {
            VirtualServices = [c.VirtualServices[0] with { Protocol = IpProtocol.Udp, Port = 53, RealServers = [.. c.VirtualServices[0].RealServers.Select(r => r with { Port = 5353, Method = ForwardingMethod.Nat })] }],
        });
        h.ResolveRealServers();
        var datagram = FrameBuilder.Udp(DirectorMac, ClientMac, Client, 3333, Vip, 53);
        datagram[14 + 20 + 6] = 0;
        datagram[14 + 20 + 7] = 0;
        h.Feed(datagram);
        var sent = Assert.Single(h.Device.Sent);
        AssertChecksumsValid(sent);
        Assert.True(EthernetHeader.TryParse(sent, out var eth));
        Assert.True(Ipv4Header.TryParse(eth.Payload, out var ip));
        Assert.True(UdpHeader.TryParse(ip.Payload, out var udp));
        Assert.NotEqual(0, udp.Checksum);
        Assert.Equal(5353, udp.DestinationPort);
    }

    [Fact]
    public void TrafficFromANatServerToTheDirectorItself_IsLeftToTheKernel()
    {
        var h = Nat();
        h.ResolveRealServers();
        var ignored = h.Processor.Counters.Ignored;
        h.Feed(FrameBuilder.Tcp(DirectorMac, Rs1Mac, Rs1, 8080, Dip, 45000, TcpFlags.Syn | TcpFlags.Ack));
        Assert.Empty(h.Device.Sent);
        Assert.Equal(0, h.Processor.Counters.TotalDropped);
        Assert.Equal(ignored + 1, h.Processor.Counters.Ignored);
    }
}
