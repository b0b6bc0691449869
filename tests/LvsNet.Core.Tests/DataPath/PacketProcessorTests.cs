using LvsNet.Core.Configuration;
using LvsNet.Core.Connections;
using LvsNet.Core.DataPath;
using LvsNet.Packets;
using LvsNet.Testing;
using Xunit;
using static LvsNet.Core.Tests.DataPath.DataPathHarness;

namespace LvsNet.Core.Tests.DataPath;

public class PacketProcessorTests
{
    [Fact]
    public void Start_SendsArpRequestsForRealServersAndGratuitousArpForVip()
    {
        var h = new DataPathHarness();
        var arps = h.Device.Sent.Select(f => (EthernetHeader.TryParse(f, out var e), f)).ToList();
        Assert.Equal(3, h.Device.Sent.Count);
        var targets = h.Device.Sent.Select(f => ParseArp(f)).ToList();
        Assert.Contains(targets, a => a.Op == ArpOperation.Request && a.TargetIp == Rs1 && a.SenderIp == Dip);
        Assert.Contains(targets, a => a.Op == ArpOperation.Request && a.TargetIp == Rs2 && a.SenderIp == Dip);
        Assert.Contains(targets, a => a.Op == ArpOperation.Request && a.TargetIp == Vip && a.SenderIp == Vip && a.SenderMac == DirectorMac);
        Assert.Equal(1, h.Processor.Counters.GratuitousArpsSent);
    }

    [Fact]
    public void ArpRequestForVip_IsAnsweredWithDirectorMac()
    {
        var h = new DataPathHarness();
        h.Device.Sent.Clear();
        h.Feed(FrameBuilder.Arp(ArpOperation.Request, ClientMac, Client, MacAddress.Zero, Vip));
        var reply = Assert.Single(h.Device.Sent);
        Assert.True(EthernetHeader.TryParse(reply, out var eth));
        Assert.Equal(ClientMac, eth.Destination);
        Assert.Equal(DirectorMac, eth.Source);
        var arp = ParseArp(reply);
        Assert.Equal(ArpOperation.Reply, arp.Op);
        Assert.Equal(Vip, arp.SenderIp);
        Assert.Equal(DirectorMac, arp.SenderMac);
        Assert.Equal(Client, arp.TargetIp);
        Assert.Equal(ClientMac, arp.TargetMac);
    }

    [Fact]
    public void ArpRequestForOtherAddress_IsNotAnswered()
    {
        var h = new DataPathHarness();
        h.Device.Sent.Clear();
        h.Feed(FrameBuilder.Arp(ArpOperation.Request, ClientMac, Client, MacAddress.Zero, Dip));
        h.Feed(FrameBuilder.Arp(ArpOperation.Request, ClientMac, Client, MacAddress.Zero, Rs1));
        Assert.Empty(h.Device.Sent);
    }

    [Fact]
    public void Syn_IsScheduledAndForwardedWithDrRewrite()
    {
        var h = new DataPathHarness();
        h.ResolveRealServers();
        var syn = h.ClientTcp(40000, TcpFlags.Syn, ttl: 64);
        h.Feed(syn);

        var sent = Assert.Single(h.Device.Sent);
        Assert.True(EthernetHeader.TryParse(sent, out var eth));
        Assert.Equal(Rs1Mac, eth.Destination);
        Assert.Equal(DirectorMac, eth.Source);
        Assert.True(Ipv4Header.TryParse(eth.Payload, out var ip));
        Assert.Equal(63, ip.Ttl);
        Assert.True(ip.IsChecksumValid);
        Assert.Equal(Client, ip.Source);
        Assert.Equal(Vip, ip.Destination);

        // Everything but the MACs, the TTL and the IP checksum is unchanged.
        Assert.Equal(syn.AsSpan(14 + 20).ToArray(), sent.AsSpan(14 + 20).ToArray());
        Assert.Equal(1, h.Processor.Table.Count);
        var rs1 = h.Runtime.Current!.Services[0].Servers[0];
        Assert.Equal(1, rs1.ActiveConnections);
        Assert.Equal(1, rs1.InPackets);
    }

    [Fact]
    public void RoundRobin_AlternatesNewConnectionsAndKeepsEstablishedOnes()
    {
        var h = new DataPathHarness();
        h.ResolveRealServers();
        for (ushort port = 1000; port < 1010; port++)
        {
            h.Feed(h.ClientTcp(port, TcpFlags.Syn));
        }

        var destinations = h.Device.Sent.Select(DestinationMac).ToList();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i % 2 == 0 ? Rs1Mac : Rs2Mac), destinations);

        // Every later packet of a connection follows its first.
        h.Device.Sent.Clear();
        for (ushort port = 1000; port < 1010; port++)
        {
            h.Feed(h.ClientTcp(port, TcpFlags.Ack, 100));
        }

        Assert.Equal(destinations, h.Device.Sent.Select(DestinationMac));
    }

    [Fact]
    public void NonSynWithoutConnection_IsDroppedAndCounted()
    {
        var h = new DataPathHarness();
        h.ResolveRealServers();
        h.Feed(h.ClientTcp(5555, TcpFlags.Ack));
        Assert.Empty(h.Device.Sent);
        Assert.Equal(1, h.Processor.Counters[DropReason.NoConnection]);
    }

    [Theory]
    [InlineData(TcpFlags.Ack, ConnectionState.Established)]
    [InlineData(TcpFlags.Ack | TcpFlags.Psh, ConnectionState.Established)]
    [InlineData(TcpFlags.Fin | TcpFlags.Ack, ConnectionState.Close)]
    public void SloppyTcp_MidStreamSegment_OpensAConnectionInTheKernelTablesState(TcpFlags flags, ConnectionState expected)
    {
        // ip_vs_proto_tcp.c tcp_states, INPUT from sNO: ack -> sES, fin -> sCL.
        var h = new DataPathHarness(c => c with { Connections = c.Connections with { SloppyTcp = true } });
        h.ResolveRealServers();
        h.Feed(h.ClientTcp(5555, flags, 100));
        Assert.Single(h.Device.Sent);
        Assert.Equal(0, h.Processor.Counters[DropReason.NoConnection]);
        var index = h.Processor.Table.Find(new ConnectionKey(IpProtocol.Tcp, Client, 5555, Vip, 80));
        Assert.True(index >= 0);
        Assert.Equal(expected, h.Processor.Table[index].State);
    }

    [Theory]
    [InlineData(TcpFlags.Rst)]
    [InlineData(TcpFlags.Rst | TcpFlags.Ack)]
    [InlineData(TcpFlags.Syn | TcpFlags.Ack)]
    public void SloppyTcp_NeverOpensOnRstOrOnASynThatCannotOpen(TcpFlags flags)
    {
        var h = new DataPathHarness(c => c with { Connections = c.Connections with { SloppyTcp = true } });
        h.ResolveRealServers();
        h.Feed(h.ClientTcp(5555, flags));
        Assert.Empty(h.Device.Sent);
        Assert.Equal(0, h.Processor.Table.Count);
    }

    [Fact]
    public void SloppyTcp_WithMaglev_ASecondDirectorSendsAMovedFlowToTheSameServer()
    {
        // Two directors with the same configuration: the first sees the SYN, the second only the
        // flow's later segments (ECMP moved it). Maglev picks the same server on both.
        static DataPathHarness Director() => new(c => c with { Connections = c.Connections with { SloppyTcp = true } }, "mh");
        var first = Director();
        var second = Director();
        first.ResolveRealServers();
        second.ResolveRealServers();
        var chosen = new HashSet<MacAddress>();
        for (uint i = 0; i < 20; i++)
        {
            var client = Client + 10 + i;
            first.Feed(first.TcpFrom(client, 2000, TcpFlags.Syn));
            second.Feed(second.TcpFrom(client, 2000, TcpFlags.Ack));
            Assert.Equal(first.LastDestination, second.LastDestination);
            chosen.Add(second.LastDestination);
        }

        Assert.Equal(2, chosen.Count);
        Assert.Equal(20, second.Processor.Table.Count);
        Assert.Equal(0, second.Processor.Counters[DropReason.NoConnection]);
    }

    [Fact]
    public void NoAvailableServer_SendsIcmpPortUnreachable()
    {
        var h = new DataPathHarness("rr", 1024, (Rs1, 0), (Rs2, 0));
        h.ResolveRealServers();
        h.Feed(h.ClientTcp(6000, TcpFlags.Syn));
        var icmp = Assert.Single(h.Device.Sent);
        Assert.True(EthernetHeader.TryParse(icmp, out var eth));
        Assert.Equal(ClientMac, eth.Destination);
        Assert.True(Ipv4Header.TryParse(eth.Payload, out var ip));
        Assert.Equal(IpProtocol.Icmp, ip.Protocol);
        Assert.Equal(Vip, ip.Source);
        Assert.Equal(Client, ip.Destination);
        Assert.True(IcmpHeader.TryParse(ip.Payload, out var message));
        Assert.Equal(IcmpHeader.TypeDestinationUnreachable, message.Type);
        Assert.Equal(IcmpHeader.CodePortUnreachable, message.Code);
        Assert.Equal(1, h.Processor.Counters[DropReason.NoDestination]);
    }

    [Fact]
    public void UnresolvedRealServer_HoldsFrameUntilArpReply()
    {
        var h = new DataPathHarness();
        h.Device.Sent.Clear();
        h.Feed(h.ClientTcp(7000, TcpFlags.Syn));
        Assert.Empty(h.Device.Sent);
        h.Feed(FrameBuilder.Arp(ArpOperation.Reply, Rs1Mac, Rs1, DirectorMac, Dip));
        var released = Assert.Single(h.Device.Sent);
        Assert.Equal(Rs1Mac, DestinationMac(released));
    }

    [Fact]
    public void TtlOne_IsDropped()
    {
        var h = new DataPathHarness();
        h.ResolveRealServers();
        h.Feed(h.ClientTcp(8000, TcpFlags.Syn, ttl: 1));

        // Not forwarded; the only frame out is the ICMP time exceeded a router sends (InputValidationTests checks it).
        Assert.DoesNotContain(h.Device.Sent, f => f[EthernetHeader.Length + 9] != (byte)IpProtocol.Icmp);
        Assert.Equal(1, h.Processor.Counters[DropReason.TtlExceeded]);
    }

    [Fact]
    public void FrameForAnotherMac_IsIgnored()
    {
        var h = new DataPathHarness();
        h.ResolveRealServers();
        var frame = FrameBuilder.Tcp(Rs1Mac, ClientMac, Client, 9000, Vip, 80, TcpFlags.Syn);
        h.Feed(frame);
        Assert.Empty(h.Device.Sent);
        Assert.Equal(0, h.Processor.Table.Count);
    }

    [Fact]
    public void MalformedFrames_AreCountedByReason()
    {
        var h = new DataPathHarness();
        h.ResolveRealServers();
        h.Feed(new byte[5]);
        var badIhl = h.ClientTcp(1, TcpFlags.Syn);
        badIhl[14] = 0x44;
        h.Feed(badIhl);
        var badChecksum = h.ClientTcp(2, TcpFlags.Syn);
        badChecksum[14 + 10] ^= 0xFF;
        h.Feed(badChecksum);
        var badTcp = h.ClientTcp(3, TcpFlags.Syn);
        badTcp[14 + 20 + 12] = 0x20;
        h.Feed(badTcp);
        Assert.Equal(1, h.Processor.Counters[DropReason.MalformedEthernet]);
        Assert.Equal(1, h.Processor.Counters[DropReason.MalformedIpv4]);
        Assert.Equal(1, h.Processor.Counters[DropReason.BadIpv4Checksum]);
        Assert.Equal(1, h.Processor.Counters[DropReason.MalformedTcp]);
        Assert.Empty(h.Device.Sent);
    }

    [Fact]
    public void TruncatedCapture_IsDropped()
    {
        var h = new DataPathHarness();
        h.ResolveRealServers();
        var frame = h.ClientTcp(1, TcpFlags.Syn, 100);
        h.Processor.OnFrame(frame, frame.Length + 500);
        Assert.Equal(1, h.Processor.Counters[DropReason.Truncated]);
    }

    [Fact]
    public void ConnectionLifecycle_FollowsInputOnlyTableAndExpires()
    {
        var h = new DataPathHarness();
        h.ResolveRealServers();
        h.Feed(h.ClientTcp(4000, TcpFlags.Syn));
        var index = h.Processor.Table.Find(new ConnectionKey(IpProtocol.Tcp, Client, 4000, Vip, 80));
        Assert.Equal(ConnectionState.SynRecv, h.Processor.Table[index].State);
        h.Feed(h.ClientTcp(4000, TcpFlags.Ack));
        Assert.Equal(ConnectionState.Established, h.Processor.Table[index].State);
        h.Feed(h.ClientTcp(4000, TcpFlags.Fin | TcpFlags.Ack));
        Assert.Equal(ConnectionState.FinWait, h.Processor.Table[index].State);
        var server = h.Runtime.Current!.Services[0].Servers[0];
        Assert.Equal(0, server.ActiveConnections);
        Assert.Equal(1, server.InactiveConnections);

        h.Advance(TimeSpan.FromSeconds(119));
        Assert.Equal(1, h.Processor.Table.Count);
        h.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(0, h.Processor.Table.Count);
        Assert.Equal(0, server.InactiveConnections);
    }

    [Fact]
    public void SynOnClosedTuple_IsRescheduledAtOnce()
    {
        var h = new DataPathHarness();
        h.ResolveRealServers();
        h.Feed(h.ClientTcp(4100, TcpFlags.Syn));
        h.Feed(h.ClientTcp(4100, TcpFlags.Ack));
        h.Feed(h.ClientTcp(4100, TcpFlags.Rst));
        h.Device.Sent.Clear();
        h.Feed(h.ClientTcp(4100, TcpFlags.Syn));
        Assert.Single(h.Device.Sent);
        Assert.Equal(Rs2Mac, DestinationMac(h.Device.Sent[0]));
        Assert.Equal(1, h.Processor.Counters.ConnectionsReused);
        Assert.Equal(1, h.Processor.Table.Count);
    }

    [Fact]
    public void RemovedServer_DropsItsConnectionsButKeepsOthers()
    {
        var h = new DataPathHarness();
        h.ResolveRealServers();
        h.Feed(h.ClientTcp(1, TcpFlags.Syn));
        h.Feed(h.ClientTcp(2, TcpFlags.Syn));
        h.Runtime.Apply(Config("rr", (Rs2, 1)));
        h.Processor.BeginBatch();
        h.Device.Sent.Clear();
        h.Feed(h.ClientTcp(1, TcpFlags.Ack));
        h.Feed(h.ClientTcp(2, TcpFlags.Ack));
        var sent = Assert.Single(h.Device.Sent);
        Assert.Equal(Rs2Mac, DestinationMac(sent));
        Assert.Equal(1, h.Processor.Counters[DropReason.ServerRemoved]);
    }

    [Fact]
    public void TableFull_DropsNewFlowsOnly()
    {
        var h = new DataPathHarness("rr", 4);
        h.ResolveRealServers();
        for (ushort port = 1; port <= 6; port++)
        {
            h.Feed(h.ClientTcp(port, TcpFlags.Syn));
        }

        Assert.Equal(4, h.Processor.Table.Count);
        Assert.Equal(2, h.Processor.Counters[DropReason.TableFull]);
        h.Device.Sent.Clear();
        for (ushort port = 1; port <= 4; port++)
        {
            h.Feed(h.ClientTcp(port, TcpFlags.Ack));
        }

        Assert.Equal(4, h.Device.Sent.Count);
    }

    [Theory]
    [InlineData(ForwardingMethod.DirectRouting)]
    [InlineData(ForwardingMethod.Nat)]
    [InlineData(ForwardingMethod.Tunnel)]
    [InlineData(ForwardingMethod.FullNat)]
    public void EstablishedFlows_AllocateNothingPerPacket(ForwardingMethod method)
    {
        var h = new DataPathHarness(
            c => EditService(c, s => s with
            {
                LocalAddresses = method == ForwardingMethod.FullNat ? [Ipv4Address.Parse("10.77.0.50")] : [],
                RealServers = [.. s.RealServers.Select(r => r with { Method = method })],
            }),
            "wrr",
            1 << 16);
        h.ResolveRealServers();
        Forwarding.FullNatForwardingTests.ResolveClient(h);
        h.Device.Record = false;
        const int Flows = 1000;
        var frames = new List<byte[]>(2 * Flows);
        for (var i = 0; i < Flows; i++)
        {
            var port = (ushort)(10000 + i);
            h.Feed(h.ClientTcp(port, TcpFlags.Syn));
            frames.Add(h.ClientTcp(port, TcpFlags.Ack | TcpFlags.Psh, 512));
            if (method is ForwardingMethod.Nat or ForwardingMethod.FullNat)
            {
                // The reply direction too: the real server answers the client (NAT) or the local address (FULLNAT).
                ref readonly var entry = ref h.Processor.Table[h.Processor.Table.Find(new ConnectionKey(IpProtocol.Tcp, Client, port, Vip, 80))];
                var server = entry.RealServerId == h.Runtime.Current!.Services[0].Servers[0].Id ? (Rs1, Rs1Mac) : (Rs2, Rs2Mac);
                frames.Add(method == ForwardingMethod.Nat
                    ? FrameBuilder.Tcp(DirectorMac, server.Item2, server.Item1, 80, Client, port, TcpFlags.Ack | TcpFlags.Psh, 512)
                    : FrameBuilder.Tcp(DirectorMac, server.Item2, server.Item1, 80, entry.LocalAddress, entry.LocalPort, TcpFlags.Ack | TcpFlags.Psh, 512));
            }
        }

        // Warm up (tiering, first-call paths), then measure 100,000 frames.
        for (var i = 0; i < 20_000; i++)
        {
            var frame = frames[i % frames.Count];
            h.Processor.OnFrame(frame, frame.Length);
        }

        var sentBefore = h.Device.Count;
        var before = AllocationMeter.Start();
        for (var i = 0; i < 100_000; i++)
        {
            if (i % 64 == 0)
            {
                h.Processor.BeginBatch();
            }

            var frame = frames[i % frames.Count];
            h.Processor.OnFrame(frame, frame.Length);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(100_000, h.Device.Count - sentBefore);
        Assert.Equal(0, allocated);
    }

    private static MacAddress DestinationMac(byte[] frame) => MacAddress.Read(frame);

    private static (ArpOperation Op, MacAddress SenderMac, uint SenderIp, MacAddress TargetMac, uint TargetIp) ParseArp(byte[] frame)
    {
        Assert.True(EthernetHeader.TryParse(frame, out var eth));
        Assert.Equal(EtherType.Arp, eth.EtherType);
        Assert.True(ArpPacket.TryParse(eth.Payload, out var arp));
        return (arp.Operation, arp.SenderMac, arp.SenderIp, arp.TargetMac, arp.TargetIp);
    }
}
