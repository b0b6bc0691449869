using System.Buffers.Binary;
using LvsNet.Core.Configuration;
using LvsNet.Core.DataPath;
using LvsNet.Packets;
using LvsNet.Testing;
using Xunit;
using static LvsNet.Core.Tests.DataPath.DataPathHarness;

namespace LvsNet.Core.Tests.DataPath;

/// <summary>
/// A director on one VLAN of a trunk port (<c>director.vlan</c>): only frames tagged with that VLAN
/// are handled, and every frame sent carries its tag. The expected tags are IEEE 802.1Q's layout:
/// after the two MACs, TPID 0x8100, then the TCI (priority 3 bits, DEI 1 bit, VLAN id 12 bits), then
/// the EtherType of the untagged frame.
/// </summary>
public sealed class VlanTests
{
    private const ushort Vlan = 100;

    private static DataPathHarness Harness(ForwardingMethod method = ForwardingMethod.DirectRouting) =>
        new(Vlan, c => EditService(c, s => s with { RealServers = [.. s.RealServers.Select(r => r with { Method = method })] }));

    // The 802.1Q tag inserted after the MACs; tci carries the priority bits and the VLAN id.
    private static byte[] Tagged(byte[] untagged, ushort tci) => FrameBuilder.WithVlanTag(untagged, tci);

    // The frame's tag (TPID, VLAN id) and the frame without it.
    private static (ushort Tpid, ushort VlanId, byte[] Inner) Untag(byte[] frame)
    {
        var tpid = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12));
        var tci = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(14));
        var inner = new byte[frame.Length - 4];
        frame.AsSpan(0, 12).CopyTo(inner);
        frame.AsSpan(16).CopyTo(inner.AsSpan(12));
        return (tpid, (ushort)(tci & 0x0FFF), inner);
    }

    private static void ResolveTagged(DataPathHarness h)
    {
        h.Feed(Tagged(FrameBuilder.Arp(ArpOperation.Reply, Rs1Mac, Rs1, DirectorMac, Dip), Vlan));
        h.Feed(Tagged(FrameBuilder.Arp(ArpOperation.Reply, Rs2Mac, Rs2, DirectorMac, Dip), Vlan));
        h.Device.Sent.Clear();
    }

    [Fact]
    public void ArpRequestsAtStart_AreTagged()
    {
        var h = Harness();
        Assert.NotEmpty(h.Device.Sent);
        foreach (var frame in h.Device.Sent)
        {
            var (tpid, vlan, inner) = Untag(frame);
            Assert.Equal(0x8100, tpid);
            Assert.Equal(Vlan, vlan);
            Assert.True(EthernetHeader.TryParse(inner, out var eth));
            Assert.Equal(EtherType.Arp, eth.EtherType);
        }
    }

    [Fact]
    public void TaggedWhoHasForTheVip_IsAnsweredTagged()
    {
        var h = Harness();
        ResolveTagged(h);
        h.Feed(Tagged(FrameBuilder.Arp(ArpOperation.Request, ClientMac, Client, default, Vip), (3 << 13) | Vlan));

        var (tpid, vlan, inner) = Untag(Assert.Single(h.Device.Sent));
        Assert.Equal(0x8100, tpid);
        Assert.Equal(Vlan, vlan);
        Assert.True(EthernetHeader.TryParse(inner, out var eth));
        Assert.False(eth.HasVlanTag);
        Assert.Equal(ClientMac, eth.Destination);
        Assert.True(ArpPacket.TryParse(eth.Payload, out var arp));
        Assert.Equal(ArpOperation.Reply, arp.Operation);
        Assert.Equal(Vip, arp.SenderIp);
        Assert.Equal(DirectorMac, arp.SenderMac);
    }

    [Theory]
    [InlineData(ForwardingMethod.DirectRouting)]
    [InlineData(ForwardingMethod.Nat)]
    public void TaggedSyn_IsForwardedTagged_AndTheRestOfTheFrameIsAsUntagged(ForwardingMethod method)
    {
        // The same SYN through a director on an untagged segment gives the expected inner frame.
        var plain = new DataPathHarness(c => EditService(c, s => s with { RealServers = [.. s.RealServers.Select(r => r with { Method = method })] }));
        plain.ResolveRealServers();
        plain.Feed(plain.ClientTcp(40000, TcpFlags.Syn));
        var expected = Assert.Single(plain.Device.Sent);

        var h = Harness(method);
        ResolveTagged(h);
        h.Feed(Tagged(h.ClientTcp(40000, TcpFlags.Syn), Vlan));

        var (tpid, vlan, inner) = Untag(Assert.Single(h.Device.Sent));
        Assert.Equal(0x8100, tpid);
        Assert.Equal(Vlan, vlan);
        Assert.Equal(expected, inner);
        Assert.Equal(1, h.Processor.Table.Count);
    }

    [Fact]
    public void UntaggedFrames_AreTheNativeVlan_AndDropped()
    {
        var h = Harness();
        ResolveTagged(h);
        h.Feed(h.ClientTcp(40000, TcpFlags.Syn));
        h.Feed(FrameBuilder.Arp(ArpOperation.Request, ClientMac, Client, default, Vip));

        Assert.Empty(h.Device.Sent);
        Assert.Equal(2, h.Processor.Counters[DropReason.VlanUntagged]);
        Assert.Equal(0, h.Processor.Table.Count);
    }

    [Theory]
    [InlineData(200)]
    [InlineData(0)]
    [InlineData(4095)]
    public void AnotherVlansFrames_AreDropped(ushort tci)
    {
        var h = Harness();
        ResolveTagged(h);
        h.Feed(Tagged(h.ClientTcp(40000, TcpFlags.Syn), tci));

        Assert.Empty(h.Device.Sent);
        Assert.Equal(1, h.Processor.Counters[DropReason.VlanTagged]);
        Assert.Equal(0, h.Processor.Table.Count);
    }

    [Fact]
    public void ASecondTagInside_IsDropped()
    {
        var h = Harness();
        ResolveTagged(h);
        h.Feed(Tagged(Tagged(h.ClientTcp(40000, TcpFlags.Syn), Vlan), Vlan));

        Assert.Empty(h.Device.Sent);
        Assert.Equal(1, h.Processor.Counters[DropReason.VlanTagged]);
    }

    [Fact]
    public void TruncatedTag_IsMalformed()
    {
        var h = Harness();
        h.Device.Sent.Clear();
        var frame = Tagged(h.ClientTcp(40000, TcpFlags.Syn), Vlan).AsSpan(0, 17).ToArray();
        h.Feed(frame);

        Assert.Empty(h.Device.Sent);
        Assert.Equal(1, h.Processor.Counters[DropReason.MalformedEthernet] + h.Processor.Counters[DropReason.VlanTagged]);
    }

    [Fact]
    public void TaggedEstablishedFlows_AllocateNothingPerPacket()
    {
        var h = Harness();
        ResolveTagged(h);
        h.Device.Record = false;
        var frames = new List<byte[]>();
        for (var i = 0; i < 500; i++)
        {
            var port = (ushort)(10000 + i);
            h.Feed(Tagged(h.ClientTcp(port, TcpFlags.Syn), Vlan));
            frames.Add(Tagged(h.ClientTcp(port, TcpFlags.Ack | TcpFlags.Psh, 512), Vlan));
        }

        for (var i = 0; i < 10_000; i++)
        {
            h.Processor.OnFrame(frames[i % frames.Count], frames[i % frames.Count].Length);
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

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(50_000, h.Device.Count - sentBefore);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void WithoutAVlan_TaggedFramesAreStillDropped()
    {
        var h = new DataPathHarness();
        h.ResolveRealServers();
        h.Feed(Tagged(h.ClientTcp(40000, TcpFlags.Syn), Vlan));

        Assert.Empty(h.Device.Sent);
        Assert.Equal(1, h.Processor.Counters[DropReason.VlanTagged]);
    }
}
