using LvsNet.Core.Tests.DataPath;
using LvsNet.Core.DataPath;
using LvsNet.Packets;
using LvsNet.Testing;
using Xunit;
using static LvsNet.Core.Tests.DataPath.DataPathHarness;

namespace LvsNet.Core.Tests.Neighbours;

/// <summary>The neighbour rules seen through the data path: what reaches the wire and what the counters show.</summary>
public class ArpPoisoningTests
{
    private static readonly MacAddress Attacker = MacAddress.Parse("02:66:66:66:66:66");

    [Fact]
    public void PoisoningFrame_TrafficKeepsGoingToTheRealServer_AndTheDropIsCounted()
    {
        var h = new DataPathHarness("rr", servers: [(Rs1, 1)]);
        h.ResolveRealServers();
        h.Time.Advance(TimeSpan.FromSeconds(5));
        h.Processor.BeginBatch();

        h.Feed(FrameBuilder.Arp(ArpOperation.Request, Attacker, Rs1, MacAddress.Zero, Vip));
        Assert.Equal(1, h.Processor.Counters[DropReason.ArpUnsolicited]);

        // The director checked the known MAC with a unicast request instead of believing the claim.
        Assert.Contains(h.Device.Sent, f => MacAddress.Read(f) == Rs1Mac && IsArpRequestFor(f, Rs1));

        h.Feed(h.TcpFrom(Client, 40000, TcpFlags.Syn));
        Assert.Equal(Rs1Mac, h.LastDestination);
    }

    [Theory]
    [InlineData("00:00:00:00:00:00", DropReason.ArpInvalidSenderMac)]
    [InlineData("01:00:5e:00:00:01", DropReason.ArpInvalidSenderMac)]
    [InlineData("02:00:00:00:00:02", DropReason.ArpOwnSenderMac)]
    public void HostileSenderMac_IsCountedAndNotAnswered(string mac, DropReason reason)
    {
        var h = new DataPathHarness();
        h.ResolveRealServers();
        h.Feed(FrameBuilder.Arp(ArpOperation.Request, MacAddress.Parse(mac), Client, MacAddress.Zero, Vip));
        Assert.Equal(1, h.Processor.Counters[reason]);
        Assert.Empty(h.Device.Sent);
        Assert.Equal(0, h.Processor.Counters.ArpRepliesSent);
    }

    [Fact]
    public void ClaimOfTheVip_IsAnAddressConflict()
    {
        var h = new DataPathHarness();
        h.ResolveRealServers();
        h.Feed(FrameBuilder.Arp(ArpOperation.Request, Attacker, Vip, MacAddress.Zero, Rs1));
        h.Feed(FrameBuilder.Arp(ArpOperation.Reply, Attacker, Dip, DirectorMac, Dip));
        Assert.Equal(2, h.Processor.Counters[DropReason.ArpAddressConflict]);
        Assert.Empty(h.Device.Sent);
    }

    [Fact]
    public void ClientAskingForTheVip_IsAnsweredAndNothingIsCounted()
    {
        var h = new DataPathHarness();
        h.ResolveRealServers();
        h.Feed(FrameBuilder.Arp(ArpOperation.Request, ClientMac, Client, MacAddress.Zero, Vip));
        Assert.Equal(1, h.Processor.Counters.ArpRepliesSent);
        Assert.Equal(0, h.Processor.Counters.TotalDropped);
    }

    [Fact]
    public void ConfiguredMac_IsUsedWithoutArp()
    {
        var h = new DataPathHarness(c => EditService(c, s => s with { RealServers = [s.RealServers[0] with { Mac = Rs1Mac }] }), servers: [(Rs1, 1)]);
        Assert.DoesNotContain(h.Device.Sent, f => IsArpRequestFor(f, Rs1));
        h.Device.Sent.Clear();
        h.Feed(FrameBuilder.Arp(ArpOperation.Reply, Attacker, Rs1, DirectorMac, Dip));
        Assert.Equal(1, h.Processor.Counters[DropReason.ArpStaticEntry]);
        h.Feed(h.TcpFrom(Client, 40000, TcpFlags.Syn));
        Assert.Equal(Rs1Mac, h.LastDestination);
    }

    [Fact]
    public void HostileArpFlood_AllocatesNothingPerFrame()
    {
        var h = new DataPathHarness();
        h.ResolveRealServers();
        h.Device.Record = false;
        byte[][] frames =
        [
            FrameBuilder.Arp(ArpOperation.Request, Attacker, Rs1, MacAddress.Zero, Vip),
            FrameBuilder.Arp(ArpOperation.Reply, Attacker, Rs2, DirectorMac, Dip),
            FrameBuilder.Arp(ArpOperation.Request, MacAddress.Broadcast, Client, MacAddress.Zero, Vip),
            FrameBuilder.Arp(ArpOperation.Request, Attacker, Vip, MacAddress.Zero, Vip),
            FrameBuilder.Arp(ArpOperation.Request, ClientMac, Client, MacAddress.Zero, Vip),
        ];
        // Warm up (tiering, first-call paths) as the data path's allocation test does, then measure.
        for (var i = 0; i < 20_000; i++)
        {
            var frame = frames[i % frames.Length];
            h.Processor.OnFrame(frame, frame.Length);
        }

        var before = AllocationMeter.Start();
        for (var i = 0; i < 20_000; i++)
        {
            var frame = frames[i % frames.Length];
            h.Processor.OnFrame(frame, frame.Length);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(h.Processor.Counters[DropReason.ArpUnsolicited] >= 8_000);
        Assert.True(h.Processor.Counters[DropReason.ArpAddressConflict] >= 4_000);
    }

    private static bool IsArpRequestFor(byte[] frame, uint address) =>
        EthernetHeader.TryParse(frame, out var eth)
        && eth.EtherType == EtherType.Arp
        && ArpPacket.TryParse(eth.Payload, out var arp)
        && arp.Operation == ArpOperation.Request
        && arp.TargetIp == address;
}
