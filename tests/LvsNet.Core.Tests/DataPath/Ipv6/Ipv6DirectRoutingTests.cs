using LvsNet.Core.DataPath;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;
using LvsNet.Testing;
using PacketDotNet;
using Xunit;
using static LvsNet.Core.Tests.DataPath.Ipv6.Ipv6Harness;

namespace LvsNet.Core.Tests.DataPath.Ipv6;

public class Ipv6DirectRoutingTests
{
    [Fact]
    public void Start_SolicitsEachRealServerAndAnnouncesTheVip()
    {
        var h = new Ipv6Harness();
        var ipv6 = h.Device.Sent.Where(f => f[12] == 0x86 && f[13] == 0xDD).ToList();

        // RFC 4861 §7.2.2: to the target's solicited-node group ff02::1:ffXX:XXXX, MAC 33:33:ff:XX:XX:XX, hop limit 255.
        var solicitations = ipv6.Where(f => f[14 + 40] == 135).ToList();
        Assert.Equal(2, solicitations.Count);
        foreach (var (frame, target, group, mac) in new[] { (solicitations[0], Rs1, "ff02::1:ff00:11", "33:33:ff:00:00:11"), (solicitations[1], Rs2, "ff02::1:ff00:12", "33:33:ff:00:00:12") })
        {
            var ip = Decode(frame);
            Assert.Equal(MacAddress.Parse(mac), MacAddress.Read(frame));
            Assert.Equal(DirectorMac, MacAddress.Read(frame.AsSpan(6)));
            Assert.Equal(255, ip.HopLimit);
            Assert.Equal(DirectorLinkLocal.ToIPAddress(), ip.SourceAddress);
            Assert.Equal(Ipv6Address.Parse(group).ToIPAddress(), ip.DestinationAddress);
            Assert.Equal(target, Ipv6Address.Read(frame.AsSpan(14 + 40 + 8)));

            // Source link-layer address option: type 1, length 1 (8 bytes), the director's MAC.
            Assert.Equal(1, frame[14 + 40 + 24]);
            Assert.Equal(DirectorMac, MacAddress.Read(frame.AsSpan(14 + 40 + 26)));
        }

        // RFC 4861 §7.2.6: unsolicited advertisement to all nodes, override set, solicited clear.
        var announcement = Assert.Single(ipv6, f => f[14 + 40] == 136);
        Assert.Equal(MacAddress.Parse("33:33:00:00:00:01"), MacAddress.Read(announcement));
        Assert.Equal(Vip, Ipv6Address.Read(announcement.AsSpan(14 + 8)));
        Assert.Equal(Ipv6Address.AllNodes, Ipv6Address.Read(announcement.AsSpan(14 + 24)));
        Assert.Equal(0x20, announcement[14 + 40 + 4]);
        Assert.Equal(1, h.Processor.Counters.UnsolicitedAdvertisementsSent);
    }

    [Fact]
    public void SolicitationForVip_MulticastOrUnicast_IsAnsweredWithASolicitedAdvertisement()
    {
        var h = new Ipv6Harness();
        foreach (var multicast in new[] { true, false })
        {
            h.Device.Sent.Clear();
            h.Feed(Solicitation(Vip, Client, ClientMac, multicast));
            var reply = Assert.Single(h.Device.Sent);
            Assert.Equal(ClientMac, MacAddress.Read(reply));
            Assert.Equal(DirectorMac, MacAddress.Read(reply.AsSpan(6)));
            var ip = Decode(reply);
            Assert.Equal(255, ip.HopLimit);
            Assert.Equal(Vip.ToIPAddress(), ip.SourceAddress);
            Assert.Equal(Client.ToIPAddress(), ip.DestinationAddress);
            var icmp = reply.AsSpan(14 + 40);
            Assert.Equal(136, icmp[0]);
            Assert.Equal(0x60, icmp[4]); // S and O, not R (RFC 4861 §4.4)
            Assert.Equal(Vip, Ipv6Address.Read(icmp.Slice(8)));
            Assert.Equal(2, icmp[24]); // target link-layer address option
            Assert.Equal(DirectorMac, MacAddress.Read(icmp.Slice(26)));
            Assert.True(Icmpv6.Verifies(Vip, Client, 58, icmp));
        }

        Assert.Equal(2, h.Processor.Counters.NeighborAdvertisementsSent);
    }

    [Fact]
    public void SolicitationForOtherAddressOrWithWrongHopLimit_IsNotAnswered()
    {
        var h = new Ipv6Harness();
        h.Device.Sent.Clear();
        h.Feed(Solicitation(Rs1, Client, ClientMac));
        var forged = Solicitation(Vip, Client, ClientMac);
        forged[14 + 7] = 254; // not from the link (RFC 4861 §7.1.1)
        h.Feed(forged);
        Assert.Empty(h.Device.Sent);
        Assert.Equal(1, h.Processor.Counters[DropReason.NeighborDiscoveryInvalid]);
    }

    [Fact]
    public void UnsolicitedOrForeignAdvertisements_AreNotLearnt()
    {
        var h = new Ipv6Harness();

        // Unsolicited (S clear), to all nodes, claiming the VIP, or with the director's own MAC: all refused.
        h.Feed(Advertisement(Rs1, MacAddress.Parse("02:66:66:66:66:66"), solicited: false, to: MacAddress.Parse("33:33:00:00:00:01"), destination: Ipv6Address.AllNodes));
        h.Feed(Advertisement(Rs1, MacAddress.Parse("02:66:66:66:66:66"), solicited: false));
        h.Feed(Advertisement(Vip, MacAddress.Parse("02:66:66:66:66:66"), solicited: true));
        h.Feed(Advertisement(Rs1, DirectorMac, solicited: true));
        Assert.Equal(4, h.Processor.Counters[DropReason.NeighborAdvertisementRefused]);
        Assert.True(h.Processor.Neighbours6.MacOf(Rs1).IsZero);

        // The real answer is learnt; a later forged solicited answer, with no question outstanding, is not.
        h.Feed(Advertisement(Rs1, Rs1Mac, solicited: true));
        Assert.Equal(Rs1Mac, h.Processor.Neighbours6.MacOf(Rs1));
        h.Feed(Advertisement(Rs1, MacAddress.Parse("02:66:66:66:66:66"), solicited: true));
        Assert.Equal(Rs1Mac, h.Processor.Neighbours6.MacOf(Rs1));
    }

    [Fact]
    public void Syn_IsScheduledAndForwardedByMacRewriteWithHopLimitDecremented()
    {
        var h = new Ipv6Harness();
        h.ResolveRealServers();
        var syn = Tcp(Client, 40000, TcpFlags.Syn, hopLimit: 64);
        h.Feed(syn);

        var sent = Assert.Single(h.Device.Sent);
        Assert.Equal(Rs1Mac, DestinationMac(sent));
        Assert.Equal(DirectorMac, MacAddress.Read(sent.AsSpan(6)));
        var ip = Decode(sent);
        Assert.Equal(63, ip.HopLimit);
        Assert.Equal(Client.ToIPAddress(), ip.SourceAddress);
        Assert.Equal(Vip.ToIPAddress(), ip.DestinationAddress);
        var tcp = Assert.IsType<TcpPacket>(ip.PayloadPacket);
        Assert.True(tcp.ValidTcpChecksum);

        // Everything but the MACs and the hop limit is unchanged.
        Assert.Equal(syn.AsSpan(12, 21 - 12).ToArray(), sent.AsSpan(12, 21 - 12).ToArray());
        Assert.Equal(syn.AsSpan(22).ToArray(), sent.AsSpan(22).ToArray());
        Assert.Equal(1, h.Processor.Table6.Count);
        Assert.Equal(0, h.Processor.Table.Count);
        var rs1 = h.Runtime.Current!.Services[0].Servers[0];
        Assert.Equal(1, rs1.ActiveConnections);
    }

    [Fact]
    public void RoundRobin_AlternatesAndEstablishedFlowsFollowTheirServer_TcpAndUdp()
    {
        var h = new Ipv6Harness();
        h.ResolveRealServers();
        for (ushort port = 1000; port < 1006; port++)
        {
            h.Feed(Tcp(Client, port, TcpFlags.Syn));
        }

        var destinations = h.Device.Sent.Select(DestinationMac).ToList();
        Assert.Equal(Enumerable.Range(0, 6).Select(i => i % 2 == 0 ? Rs1Mac : Rs2Mac), destinations);
        h.Device.Sent.Clear();
        for (ushort port = 1000; port < 1006; port++)
        {
            h.Feed(Tcp(Client, port, TcpFlags.Ack | TcpFlags.Psh, 100));
        }

        Assert.Equal(destinations, h.Device.Sent.Select(DestinationMac));

        h.Device.Sent.Clear();
        h.Feed(Udp(Client, 5000));
        h.Feed(Udp(Client, 5001));
        h.Feed(Udp(Client, 5000));
        Assert.Equal([Rs1Mac, Rs2Mac, Rs1Mac], h.Device.Sent.Select(DestinationMac));
        Assert.Equal(3 + 3 + 2, h.Processor.Table6.Count);
    }

    [Fact]
    public void SegmentBeforeResolution_IsHeldAndLeavesWhenTheServerAnswers()
    {
        var h = new Ipv6Harness();
        h.Device.Sent.Clear();
        h.Feed(Tcp(Client, 40000, TcpFlags.Syn));
        Assert.Empty(h.Device.Sent);
        Assert.Equal(1, h.Processor.Counters.Held);

        h.Feed(Advertisement(Rs1, Rs1Mac, solicited: true));
        var sent = Assert.Single(h.Device.Sent);
        Assert.Equal(Rs1Mac, DestinationMac(sent));
        Assert.Equal(1, h.Processor.Counters.Forwarded);
    }

    [Fact]
    public void UnansweredSolicitations_AreRetriedThreeTimesThenHeldFramesDropped()
    {
        var h = new Ipv6Harness();
        h.Feed(Tcp(Client, 40000, TcpFlags.Syn));
        h.Device.Sent.Clear();
        for (var i = 0; i < 8; i++)
        {
            h.Advance(TimeSpan.FromSeconds(1));
        }

        // Two more solicitations per server after the first (RFC 4861 MAX_MULTICAST_SOLICIT = 3), then nothing.
        Assert.Equal(4, h.Device.Sent.Count(f => f[12] == 0x86 && f[14 + 40] == 135));
        Assert.Equal(2, h.Processor.Neighbours6.Failures);
        Assert.Equal(1, h.Processor.Neighbours6.PendingDropped);

        // The held segment was counted as held; it counts as a drop now, never as forwarded.
        Assert.Equal(1, h.Processor.Counters.Held);
        Assert.Equal(1, h.Processor.Counters[DropReason.NeighbourUnresolved]);
        Assert.Equal(0, h.Processor.Counters.Forwarded);
    }

    [Fact]
    public void ExtensionHeaders_AreWalked_PaddingPassesAndADiscardOptionIsDropped()
    {
        var h = new Ipv6Harness();
        h.ResolveRealServers();

        // Destination options with PadN (type 1): skipped by every node; the frame is forwarded as it came.
        var padded = WithExtensionHeader(Tcp(Client, 41000, TcpFlags.Syn), 60, [0, 0, 1, 4, 0, 0, 0, 0]);
        h.Feed(padded);
        var sent = Assert.Single(h.Device.Sent);
        Assert.Equal(padded.AsSpan(22).ToArray(), sent.AsSpan(22).ToArray());

        // Option type 0x80: its two high bits (10) say "discard" to a node that does not know it (RFC 8200 §4.2).
        h.Feed(WithExtensionHeader(Tcp(Client, 41001, TcpFlags.Syn), 60, [0, 0, 0x80, 4, 0, 0, 0, 0]));
        Assert.Equal(1, h.Processor.Counters[DropReason.Ipv6ExtensionHeaders]);

        // A later fragment (offset 8, no M): held for the rest of its datagram, nothing forwarded yet.
        h.Feed(WithExtensionHeader(Tcp(Client, 41002, TcpFlags.Ack), 44, [0, 0, 0, 8, 0, 0, 0, 1]));
        Assert.Equal(1, h.Processor.Counters.FragmentsHeld);
        Assert.Single(h.Device.Sent);
    }

    [Fact]
    public void HopLimitOne_IsNotForwarded()
    {
        var h = new Ipv6Harness();
        h.ResolveRealServers();
        h.Feed(Tcp(Client, 40000, TcpFlags.Syn, hopLimit: 1));

        // Only the ICMPv6 time exceeded goes out (back to the client; Icmpv6HandlingTests checks it).
        var sent = Assert.Single(h.Device.Sent);
        Assert.Equal(ClientMac, MacAddress.Read(sent));
        Assert.Equal(Icmpv6.TimeExceeded, sent[14 + 40]);
        Assert.Equal(1, h.Processor.Counters[DropReason.TtlExceeded]);
        Assert.Equal(0, h.Processor.Table6.Count);
    }

    [Fact]
    public void SourceHash_HashesTheFoldedAddress_AsTheKernelDoesForIpv6()
    {
        // ip_vs_sh_hashkey: for IPv6 the four words are XORed and the result hashed like an IPv4
        // address. So an IPv6 client must land where an IPv4 client with its folded address lands,
        // in a service with the same servers in the same order.
        var h = new Ipv6Harness("sh");
        h.ResolveRealServers();
        var v4 = new DataPathHarness("sh");
        v4.ResolveRealServers();
        for (var i = 1; i <= 40; i++)
        {
            var client = Ipv6Address.Parse($"2001:db8:{i:x}::{(i * 7919) % 65536:x}");
            h.Device.Sent.Clear();
            v4.Device.Sent.Clear();
            h.Feed(Tcp(client, 40000, TcpFlags.Syn));
            v4.Feed(v4.TcpFrom(client.Fold(), 40000, TcpFlags.Syn));
            var six = DestinationMac(Assert.Single(h.Device.Sent)) == Rs1Mac ? 0 : 1;
            var four = DestinationMac(Assert.Single(v4.Device.Sent)) == DataPathHarness.Rs1Mac ? 0 : 1;
            Assert.Equal(four, six);
        }
    }

    [Fact]
    public void EstablishedIpv6DrFlows_AllocateNothingPerPacket()
    {
        var h = new Ipv6Harness("wrr", 1 << 16);
        h.ResolveRealServers();
        h.Device.Record = false;
        const int Flows = 1000;
        var frames = new List<byte[]>(Flows);
        for (var i = 0; i < Flows; i++)
        {
            var port = (ushort)(10000 + i);
            h.Feed(Tcp(Client, port, TcpFlags.Syn));
            frames.Add(Tcp(Client, port, TcpFlags.Ack | TcpFlags.Psh, 512));
        }

        for (var i = 0; i < 20_000; i++)
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

    private static IPv6Packet Decode(byte[] frame) =>
        Assert.IsType<IPv6Packet>(Assert.IsType<EthernetPacket>(Packet.ParsePacket(LinkLayers.Ethernet, frame)).PayloadPacket);
}
