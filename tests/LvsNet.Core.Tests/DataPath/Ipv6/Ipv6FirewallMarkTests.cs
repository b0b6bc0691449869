using LvsNet.Core.Configuration;
using LvsNet.Core.DataPath;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;
using LvsNet.Testing;
using Xunit;
using static LvsNet.Core.Tests.DataPath.Ipv6.Ipv6Harness;

namespace LvsNet.Core.Tests.DataPath.Ipv6;

/// <summary>
/// IPv6 firewall-mark services (ipvsadm <c>-f N -6</c>), one-packet scheduling of IPv6 UDP services
/// and the sorry server of an IPv6 service, on frames built by PacketDotNet.
/// </summary>
public class Ipv6FirewallMarkTests
{
    private const string Head = """
        director:
          interface: fake0
          address: 10.77.0.2/24

        """;

    // Mark 5 covers TCP 80 and UDP 53 of the VIP; an address service for TCP 80 sends everything to rs2,
    // so a flow reaching rs1 first shows the mark service was found before it (ip_vs_service_find).
    private static Ipv6Harness Marked(string extra = "") => new(edit: _ => LvsConfigReader.Parse(Head + $$"""
        firewall_marks:
          - mark: 5
            destinations: [2001:db8::100]
            ports: [80, 53]
        virtual_services:
          - fwmark: 5
            family: inet6
            scheduler: rr{{extra}}
            real_servers:
              - address: 2001:db8::11
              - address: 2001:db8::12
          - protocol: tcp
            address: 2001:db8::100
            port: 80
            real_servers:
              - address: 2001:db8::12
          - protocol: tcp
            address: 2001:db8::100
            port: 8080
            real_servers:
              - address: 2001:db8::12
        """));

    [Fact]
    public void MarkedFlows_GoToTheIpv6MarkService_BeforeTheAddressService_UnmarkedPortsToTheirOwn()
    {
        var h = Marked();
        h.ResolveRealServers();
        h.Feed(Tcp(Client, 40000, TcpFlags.Syn, port: 80));
        Assert.Equal(Rs1Mac, DestinationMac(h.Device.Sent[^1]));
        h.Feed(Udp(Client, 5000, port: 53));
        Assert.Equal(Rs2Mac, DestinationMac(h.Device.Sent[^1]));
        h.Feed(Tcp(Client, 40001, TcpFlags.Syn, port: 80));
        Assert.Equal(Rs1Mac, DestinationMac(h.Device.Sent[^1]));

        // 8080 is not marked: its address service takes it.
        h.Feed(Tcp(Client, 40002, TcpFlags.Syn, port: 8080));
        Assert.Equal(Rs2Mac, DestinationMac(h.Device.Sent[^1]));

        // A dr server of a mark service receives the packet's own port; the hop limit goes down by one.
        var forwarded = h.Device.Sent[0];
        Assert.Equal(80, (forwarded[14 + 40 + 2] << 8) | forwarded[14 + 40 + 3]);
        Assert.Equal(63, forwarded[14 + 7]);
        var service = h.Runtime.Current!.ServicesByKey[ServiceKey.ForMark(5, ipv6: true)];
        Assert.Equal(3, service.Servers.Sum(s => s.Connections));
    }

    [Fact]
    public void IPv4DestinationsOfAMark_DoNotMarkIpv6Packets()
    {
        // The rule covers the IPv4 VIP only (an iptables rule, no ip6tables one): IPv6 packets to
        // port 80 keep no mark and reach the IPv6 address service (rs2), not the IPv6 mark service.
        var h = new Ipv6Harness(edit: _ => LvsConfigReader.Parse(Head + """
            firewall_marks:
              - mark: 5
                destinations: [10.77.0.100]
                ports: [80]
            virtual_services:
              - fwmark: 5
                family: inet6
                scheduler: rr
                real_servers:
                  - address: 2001:db8::11
              - protocol: tcp
                address: 2001:db8::100
                port: 80
                real_servers:
                  - address: 2001:db8::12
            """));
        h.ResolveRealServers();
        Assert.Null(h.Runtime.Current!.FirewallMarks6);
        h.Feed(Tcp(Client, 40000, TcpFlags.Syn, port: 80));
        h.Feed(Tcp(Client, 40001, TcpFlags.Syn, port: 80));
        Assert.Equal(new[] { Rs2Mac, Rs2Mac }, h.Device.Sent.Select(DestinationMac));
    }

    [Fact]
    public void MarkedDestination_IsAVipTheDirectorAnswersSolicitationsFor()
    {
        var h = Marked();
        var before = h.Processor.Counters.NeighborAdvertisementsSent;
        h.Feed(Solicitation(Vip, Client, ClientMac));
        Assert.Equal(before + 1, h.Processor.Counters.NeighborAdvertisementsSent);
        Assert.True(h.Runtime.Current!.IsVirtualAddress6(Vip));
    }

    [Fact]
    public void PersistentMarkService_HttpAndDnsOfOneClientShareAServer_TemplateKeyedAsTheKernelKeysIt()
    {
        var h = Marked("\n    persistence_timeout: 300\n    persistence_netmask: /64");
        h.ResolveRealServers();
        h.Feed(Tcp(Client, 40000, TcpFlags.Syn, port: 80));
        Assert.Equal(Rs1Mac, DestinationMac(h.Device.Sent[^1]));

        // Without persistence rr would pick rs2 now; the template holds every port and protocol of the mark.
        h.Feed(Udp(Client, 5000, port: 53));
        Assert.Equal(Rs1Mac, DestinationMac(h.Device.Sent[^1]));
        h.Feed(Tcp(Ipv6Address.Parse("2001:db8::77"), 40000, TcpFlags.Syn, port: 80));
        Assert.Equal(Rs1Mac, DestinationMac(h.Device.Sent[^1]));

        // Another /64 is scheduled: rs2.
        h.Feed(Tcp(Ipv6Address.Parse("2001:db8:0:1::10"), 40000, TcpFlags.Syn, port: 80));
        Assert.Equal(Rs2Mac, DestinationMac(h.Device.Sent[^1]));

        // ip_vs_sched_persist: protocol IPPROTO_IP, the masked client, vaddr { .ip = htonl(fwmark) } (first 32 bits), port 0.
        var markAddress = Ipv6Address.Parse("0:5::");
        Assert.True(h.Processor.Table6.FindTemplate(0, Ipv6Address.Parse("2001:db8::"), markAddress, 0) >= 0);
        Assert.True(h.Processor.Table6.FindTemplate(0, Ipv6Address.Parse("2001:db8:0:1::"), markAddress, 0) >= 0);
        Assert.True(h.Processor.Table6.FindTemplate(IpProtocol.Tcp, Ipv6Address.Parse("2001:db8::"), Vip, 0) < 0);
    }

    private static Ipv6Harness OnePacket(string method = "dr") => new(edit: _ => LvsConfigReader.Parse(Head + $$"""
        virtual_services:
          - protocol: udp
            address: 2001:db8::100
            port: 53
            scheduler: rr
            one_packet_scheduling: true
            real_servers:
              - address: 2001:db8::11
                method: {{method}}
              - address: 2001:db8::12
                method: {{method}}
        """));

    [Fact]
    public void OnePacketScheduling_Ipv6Udp_SchedulesEveryDatagram_KeepsNoEntry()
    {
        var h = OnePacket();
        h.ResolveRealServers();
        for (var i = 0; i < 4; i++)
        {
            h.Feed(Udp(Client, 5000, port: 53));
        }

        Assert.Equal(new[] { Rs1Mac, Rs2Mac, Rs1Mac, Rs2Mac }, h.Device.Sent.Select(DestinationMac));
        Assert.Equal(0, h.Processor.Table6.Count);
        Assert.Equal(4, h.Processor.Counters.ConnectionsCreated);
        Assert.All(h.Runtime.Current!.Services[0].Servers, s => Assert.Equal((2L, 0, 0), (s.Connections, s.ActiveConnections, s.InactiveConnections)));
    }

    [Fact]
    public void OnePacketScheduling_Ipv6Nat_RewritesEachDatagramToItsServer()
    {
        var h = OnePacket("nat");
        h.ResolveRealServers();
        h.Feed(Udp(Client, 5000, port: 53));
        h.Feed(Udp(Client, 5000, port: 53));
        Assert.Equal(2, h.Device.Sent.Count);
        Assert.Equal(Rs1, Ipv6Address.Read(h.Device.Sent[0].AsSpan(14 + 24)));
        Assert.Equal(Rs2, Ipv6Address.Read(h.Device.Sent[1].AsSpan(14 + 24)));
        Assert.Equal(0, h.Processor.Table6.Count);
    }

    [Fact]
    public void OnePacketScheduling_Ipv6_AllocatesNothingPerDatagram()
    {
        var h = OnePacket();
        h.ResolveRealServers();
        h.Device.Record = false;
        var frames = new List<byte[]>();
        for (var i = 0; i < 64; i++)
        {
            frames.Add(Udp(Client, (ushort)(10000 + i), port: 53));
        }

        for (var i = 0; i < 10_000; i++)
        {
            var frame = frames[i % frames.Count];
            h.Processor.OnFrame(frame, frame.Length);
        }

        var sentBefore = h.Device.Count;
        var before = AllocationMeter.Start();
        for (var i = 0; i < 100_000; i++)
        {
            var frame = frames[i % frames.Count];
            h.Processor.OnFrame(frame, frame.Length);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(100_000, h.Device.Count - sentBefore);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void EstablishedFlowsOfAnIpv6MarkService_AllocateNothingPerPacket()
    {
        var h = Marked();
        h.ResolveRealServers();
        h.Device.Record = false;
        var frames = new List<byte[]>();
        for (var i = 0; i < 256; i++)
        {
            var port = (ushort)(10000 + i);
            h.Feed(Tcp(Client, port, TcpFlags.Syn, port: 80));
            frames.Add(Tcp(Client, port, TcpFlags.Ack | TcpFlags.Psh, 256, port: 80));
        }

        for (var i = 0; i < 10_000; i++)
        {
            var frame = frames[i % frames.Count];
            h.Processor.OnFrame(frame, frame.Length);
        }

        var sentBefore = h.Device.Count;
        var before = AllocationMeter.Start();
        for (var i = 0; i < 100_000; i++)
        {
            var frame = frames[i % frames.Count];
            h.Processor.OnFrame(frame, frame.Length);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(100_000, h.Device.Count - sentBefore);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void SorryServer_Ipv6_TakesNewConnectionsWhenEveryServerIsDown()
    {
        var sorry = Ipv6Address.Parse("2001:db8::99");
        var sorryMac = MacAddress.Parse("02:00:00:00:00:99");
        var h = new Ipv6Harness(edit: _ => LvsConfigReader.Parse(Head + """
            virtual_services:
              - protocol: tcp
                address: 2001:db8::100
                port: 80
                scheduler: rr
                health_check:
                  checks:
                    - type: tcp
                sorry_server:
                  address: 2001:db8::99
                real_servers:
                  - address: 2001:db8::11
                  - address: 2001:db8::12
            """));
        h.ResolveRealServers();
        h.Feed(Tcp(Client, 40000, TcpFlags.Syn));
        Assert.Equal(Rs1Mac, DestinationMac(h.Device.Sent[^1]));

        var service = new ServiceKey(IpProtocol.Tcp, 0, 80, 0, Vip);
        h.Runtime.SetHealth(new RealServerKey(service, 0, 80, Rs1), Health.HealthFixtures.Down());
        h.Runtime.SetHealth(new RealServerKey(service, 0, 80, Rs2), Health.HealthFixtures.Down());
        Assert.True(h.Runtime.Current!.Services[0].Health!.SorryServerActive);
        h.Processor.BeginBatch();

        // The new SYN waits for the sorry server's neighbour advertisement, then goes to its MAC.
        h.Device.Sent.Clear();
        h.Feed(Tcp(Client, 40001, TcpFlags.Syn));
        h.Feed(Advertisement(sorry, sorryMac, solicited: true));
        Assert.Equal(sorryMac, DestinationMac(h.Device.Sent[^1]));
        Assert.Equal(Vip, Ipv6Address.Read(h.Device.Sent[^1].AsSpan(14 + 24)));
    }
}
