using LvsNet.Core.DataPath;
using LvsNet.Core.Neighbours;
using LvsNet.Packets;
using LvsNet.Testing;
using Xunit;
using static LvsNet.Core.Tests.DataPath.DataPathHarness;

namespace LvsNet.Core.Tests.DataPath;

/// <summary>A frame that waits for its next hop's ARP counts as forwarded only when it leaves.</summary>
public class HeldFrameAccountingTests
{
    [Fact]
    public void HeldFrame_IsCountedAsHeld_AndAsForwardedOnlyWhenTheArpReplyReleasesIt()
    {
        var h = new DataPathHarness();
        h.Device.Sent.Clear();
        h.Feed(h.ClientTcp(7000, TcpFlags.Syn));

        Assert.Empty(h.Device.Sent);
        Assert.Equal(1, h.Processor.Counters.Held);
        Assert.Equal(0, h.Processor.Counters.Forwarded);

        h.Feed(FrameBuilder.Arp(ArpOperation.Reply, Rs1Mac, Rs1, DirectorMac, Dip));

        Assert.Single(h.Device.Sent);
        Assert.Equal(1, h.Processor.Counters.Forwarded);
        Assert.Equal(0, h.Processor.Counters.TotalDropped);
    }

    [Fact]
    public void HeldFrame_ReleasedByAnotherWorkersArp_IsCountedAsForwarded()
    {
        var h = new DataPathHarness();
        h.Device.Sent.Clear();
        h.Feed(h.ClientTcp(7000, TcpFlags.Syn));

        h.Processor.LearnNeighbour(new ArpObservation(ArpOperation.Reply, Rs1Mac, Rs1, DirectorMac, Dip));

        Assert.Equal(Rs1Mac, MacAddress.Read(Assert.Single(h.Device.Sent)));
        Assert.Equal(1, h.Processor.Counters.Forwarded);
    }

    [Fact]
    public void HeldFrame_WhoseNeighbourNeverAnswers_IsCountedAsDropped_NotForwarded()
    {
        var h = new DataPathHarness();
        h.Feed(h.ClientTcp(7000, TcpFlags.Syn));
        h.Device.Sent.Clear();

        // Three broadcast requests a second apart, then the neighbour table gives up.
        for (var i = 0; i < 5; i++)
        {
            h.Advance(TimeSpan.FromSeconds(1.1));
        }

        Assert.All(h.Device.Sent, f => Assert.True(EthernetHeader.TryParse(f, out var e) && e.EtherType == EtherType.Arp));
        Assert.Equal(0, h.Processor.Counters.Forwarded);
        Assert.Equal(1, h.Processor.Counters[DropReason.NeighbourUnresolved]);
    }

    [Fact]
    public void HeldFrame_WhoseSlotGoesToAnotherAddress_IsCountedAsDropped_NotForwarded()
    {
        var h = new DataPathHarness();
        h.Feed(h.ClientTcp(7000, TcpFlags.Syn));
        Assert.Equal(1, h.Processor.Counters.Held);

        // 4,096 other addresses while rs1 is still being resolved: the oldest attempt (rs1's) gives its slot up first.
        for (var k = 0u; k < 4096; k++)
        {
            h.Processor.Neighbours.TryResolve(Ipv4Address.Parse("10.79.0.0") + k, 0, out _);
        }

        h.Advance(TimeSpan.FromSeconds(0.3));
        Assert.True(h.Processor.Neighbours.Reclaimed >= 1);
        Assert.Equal(0, h.Processor.Counters.Forwarded);
        Assert.Equal(1, h.Processor.Counters[DropReason.NeighbourUnresolved]);
    }
}
