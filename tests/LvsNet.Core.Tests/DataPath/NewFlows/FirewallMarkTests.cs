using LvsNet.Core.Configuration;
using LvsNet.Core.Connections;
using LvsNet.Core.DataPath;
using LvsNet.Packets;
using LvsNet.Testing;
using Xunit;
using static LvsNet.Core.Tests.DataPath.DataPathHarness;

namespace LvsNet.Core.Tests.DataPath.NewFlows;

/// <summary>
/// Firewall-mark services on the data path: the rules mark a new flow, the mark's service takes it
/// before any address:port service (ip_vs_service_find looks at the fwmark table first when the skb
/// carries a mark), and a persistent mark service keeps one client on one server across all the
/// ports and protocols of the mark (the template is keyed by protocol 0 and the mark, ipvs-semantics.md 3.6).
/// </summary>
public class FirewallMarkTests
{
    private static readonly uint Vip2 = Ipv4Address.Parse("10.77.0.101");

    // Mark 1: TCP to the VIP on 80 and 443; mark 2: anything to 10.77.0.128/30. The harness's own
    // service TCP VIP:80 stays (rr, Rs1 then Rs2), so ordering between the two is visible.
    private static DataPathHarness Harness(TimeSpan? persistence, bool keepAddressService = true, string scheduler = "rr", int tableCapacity = 1024) => new(
        c => c with
    {
        FirewallMarks =
        [
            new FirewallMarkRule { Mark = 1, Protocol = IpProtocol.Tcp, Destinations = [new AddressPrefix(Vip, 32)], Ports = [new PortRange(80, 80), new PortRange(443, 443)] },
            new FirewallMarkRule { Mark = 2, Destinations = [new AddressPrefix(Ipv4Address.Parse("10.77.0.128"), 30)] },
            new FirewallMarkRule { Mark = 3, Destinations = [new AddressPrefix(Vip2, 32)] },
        ],
        VirtualServices =
        [
            .. keepAddressService ? c.VirtualServices : [],
            new VirtualServiceConfig
            {
                Protocol = 0, Address = 0, Port = 0, FirewallMark = 1, Scheduler = scheduler, PersistenceTimeout = persistence,
                RealServers = [new RealServerConfig { Address = Rs1, Port = 0 }, new RealServerConfig { Address = Rs2, Port = 0 }],
            },
            new VirtualServiceConfig
            {
                Protocol = 0, Address = 0, Port = 0, FirewallMark = 2, Scheduler = "rr",
                RealServers = [new RealServerConfig { Address = Rs2, Port = 0 }],
            },
        ],
    },
        scheduler,
        tableCapacity);

    private static ushort DestinationPort(byte[] frame) => (ushort)((frame[14 + 20 + 2] << 8) | frame[14 + 20 + 3]);

    [Fact]
    public void PersistentMark_BothPortsOfOneClient_GoToOneServer()
    {
        var h = Harness(TimeSpan.FromSeconds(360));
        h.ResolveRealServers();
        var clients = new[] { Client, Client + 1, Client + 2, Client + 3 };
        var chosen = new Dictionary<uint, MacAddress>();
        foreach (var client in clients)
        {
            h.Feed(h.TcpFrom(client, 1000, TcpFlags.Syn, port: 80));
            chosen[client] = h.LastDestination;
        }

        // rr over two servers: the four clients alternate, so stickiness below is not luck.
        Assert.Equal(2, chosen.Values.Distinct().Count());
        foreach (var client in clients)
        {
            for (ushort port = 2000; port < 2005; port++)
            {
                h.Feed(h.TcpFrom(client, port, TcpFlags.Syn, port: 443));
                Assert.Equal(chosen[client], h.LastDestination);

                // DR keeps the packet's port: 443 reaches the server's 443.
                Assert.Equal(443, DestinationPort(h.Device.Sent[^1]));
            }
        }

        // One template per client, as the kernel lists it: protocol IP (0), the mark as 0.0.0.1, port 0.
        var templates = h.Processor.ListConnections().Where(c => c.IsTemplate).ToList();
        Assert.Equal(4, templates.Count);
        Assert.All(templates, t => Assert.Equal(((IpProtocol)0, 1u, (ushort)0, (ushort)0), (t.Protocol, t.VirtualAddress, t.VirtualPort, t.ClientPort)));
    }

    [Fact]
    public void WithoutPersistence_EachFlowIsScheduled()
    {
        var h = Harness(persistence: null);
        h.ResolveRealServers();
        h.Feed(h.TcpFrom(Client, 1000, TcpFlags.Syn, port: 80));
        var first = h.LastDestination;
        h.Feed(h.TcpFrom(Client, 1001, TcpFlags.Syn, port: 443));
        Assert.NotEqual(first, h.LastDestination);
        Assert.DoesNotContain(h.Processor.ListConnections(), c => c.IsTemplate);
    }

    [Fact]
    public void MarkedPacket_TakesTheMarkService_BeforeTheAddressService()
    {
        // The address service VIP:80 is rr too; the mark service has persistence, so a second SYN
        // from the client lands on the same server only if the mark service took both.
        var h = Harness(TimeSpan.FromSeconds(360));
        h.ResolveRealServers();
        h.Feed(h.TcpFrom(Client, 1000, TcpFlags.Syn, port: 80));
        var first = h.LastDestination;
        h.Feed(h.TcpFrom(Client, 1001, TcpFlags.Syn, port: 80));
        Assert.Equal(first, h.LastDestination);
        Assert.Equal(2, h.Runtime.Current!.Services[1].Counters.Connections);
        Assert.Equal(0, h.Runtime.Current!.Services[0].Counters.Connections);
    }

    [Fact]
    public void UnmarkedPort_FallsBackToAddressServices_OrIsNoService()
    {
        var h = Harness(TimeSpan.FromSeconds(360), keepAddressService: false);
        h.ResolveRealServers();
        h.Feed(h.TcpFrom(Client, 1000, TcpFlags.Syn, port: 8080));
        Assert.Empty(h.Device.Sent);
        Assert.Equal(1, h.Processor.Counters[DropReason.NoService]);

        // UDP to the VIP: mark 1 is TCP only.
        h.Feed(FrameBuilder.Udp(DirectorMac, ClientMac, Client, 1000, Vip, 80));
        Assert.Empty(h.Device.Sent);
        Assert.Equal(2, h.Processor.Counters[DropReason.NoService]);
    }

    [Fact]
    public void PrefixDestination_EveryAddressIsAVip_AndAnyProtocolMatches()
    {
        var h = Harness(TimeSpan.FromSeconds(360));
        h.ResolveRealServers();
        var snapshot = h.Runtime.Current!;
        for (var i = 128u; i < 132; i++)
        {
            Assert.True(snapshot.IsVirtualAddress(Ipv4Address.Parse("10.77.0.0") + i));
        }

        Assert.False(snapshot.IsVirtualAddress(Ipv4Address.Parse("10.77.0.132")));

        // Mark 3 has no service: its address is no VIP (the kernel would hand such a packet to the stack).
        Assert.False(snapshot.IsVirtualAddress(Vip2));

        var target = Ipv4Address.Parse("10.77.0.130");
        h.Feed(FrameBuilder.Udp(DirectorMac, ClientMac, Client, 5353, target, 53));
        Assert.Equal(Rs2Mac, h.LastDestination);
        h.Feed(FrameBuilder.Tcp(DirectorMac, ClientMac, Client, 5000, target, 22, TcpFlags.Syn));
        Assert.Equal(Rs2Mac, h.LastDestination);
    }

    /// <summary>
    /// The per-packet path with a mark service allocates nothing: new flows (the rules walked, the
    /// template found or made, the entry inserted) and established packets on both ports.
    /// </summary>
    [Fact]
    public void MarkedFlows_AllocateNothingPerPacket()
    {
        var h = Harness(TimeSpan.FromSeconds(360), keepAddressService: false, tableCapacity: 1 << 16);
        h.ResolveRealServers();
        h.Device.Record = false;
        const int Clients = 64;
        var first = Ipv4Address.Parse("198.51.100.1");
        var established = new List<byte[]>();
        for (var i = 0u; i < Clients; i++)
        {
            foreach (var port in new ushort[] { 80, 443 })
            {
                h.Feed(h.TcpFrom(first + i, (ushort)(10000 + port), TcpFlags.Syn, port));
                established.Add(h.TcpFrom(first + i, (ushort)(10000 + port), TcpFlags.Ack | TcpFlags.Psh, port));
            }
        }

        // New flows: every SYN from a new client port of an existing client (template hit) or a new client (template made).
        var syns = new List<byte[]>();
        for (var i = 0; i < 20_000; i++)
        {
            syns.Add(h.TcpFrom(first + (uint)(i % (2 * Clients)), (ushort)(20000 + (i / (2 * Clients))), TcpFlags.Syn, (ushort)(i % 2 == 0 ? 80 : 443)));
        }

        for (var i = 0; i < 20_000; i++)
        {
            var frame = established[i % established.Count];
            h.Processor.OnFrame(frame, frame.Length);
        }

        h.Processor.OnFrame(syns[0], syns[0].Length);
        var sentBefore = h.Device.Count;
        var before = AllocationMeter.Start();
        for (var i = 1; i < syns.Count; i++)
        {
            if (i % 64 == 0)
            {
                h.Processor.BeginBatch();
            }

            h.Processor.OnFrame(syns[i], syns[i].Length);
            var frame = established[i % established.Count];
            h.Processor.OnFrame(frame, frame.Length);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(2 * (syns.Count - 1), h.Device.Count - sentBefore);
        Assert.Equal(0, allocated);
    }
}
