using System.Buffers.Binary;
using LvsNet.Core.Configuration;
using LvsNet.Core.DataPath;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;
using LvsNet.Testing;
using PacketDotNet;
using Xunit;
using static LvsNet.Core.Tests.DataPath.Ipv6.Ipv6Harness;

namespace LvsNet.Core.Tests.DataPath.Ipv6;

public class Icmpv6HandlingTests
{
    private static readonly Ipv6Address Router = Ipv6Address.Parse("2001:db8::1");

    [Fact]
    public void EchoRequestToVip_IsAnsweredFromTheVip_WithAValidChecksum()
    {
        var h = new Ipv6Harness();
        h.Device.Sent.Clear();
        var data = new byte[4 + 32];
        data[0] = 0x4C;
        data[3] = 9;
        new Random(3).NextBytes(data.AsSpan(4));
        h.Feed(Icmpv6Message(Client, Icmpv6.EchoRequest, 0, 0x4C00_0009, data[4..]));

        var reply = Assert.Single(h.Device.Sent);
        Assert.Equal(ClientMac, MacAddress.Read(reply));
        Assert.Equal(DirectorMac, MacAddress.Read(reply.AsSpan(6)));
        var ip = Decode(reply);
        Assert.Equal(Vip.ToIPAddress(), ip.SourceAddress);
        Assert.Equal(Client.ToIPAddress(), ip.DestinationAddress);
        Assert.Equal(64, ip.HopLimit);
        var icmp = Assert.IsType<IcmpV6Packet>(ip.PayloadPacket);
        Assert.Equal(IcmpV6Type.EchoReply, icmp.Type);
        Assert.True(icmp.ValidIcmpChecksum, "ICMPv6 checksum (PacketDotNet)");
        Assert.Equal(data, reply.AsSpan(14 + 40 + 4).ToArray());
        Assert.Equal(1, h.Processor.Counters.Icmpv6EchoRepliesSent);
    }

    [Fact]
    public void EchoRequestWithABadChecksumOrTruncated_IsDroppedUnanswered()
    {
        var h = new Ipv6Harness();
        h.Device.Sent.Clear();
        var request = Icmpv6Message(Client, Icmpv6.EchoRequest, 0, 1, new byte[8]);
        request[^1] ^= 0x40;
        h.Feed(request);
        var shortOne = Icmpv6Message(Client, Icmpv6.EchoRequest, 0, 1, []);
        shortOne[14 + 5] = 4; // payload length 4: the echo header is cut
        h.Feed(shortOne.AsSpan(0, 14 + 44).ToArray());

        Assert.Empty(h.Device.Sent);
        Assert.Equal(2, h.Processor.Counters[DropReason.MalformedIcmpv6]);
    }

    [Fact]
    public void NewFlowWithNoAvailableServer_GetsPortUnreachable_QuotingTheSegment()
    {
        var h = new Ipv6Harness(edit: c => DataPathHarness.EditService(c, s => s with { RealServers = [.. s.RealServers.Select(r => r with { Weight = 0 })] }));
        h.ResolveRealServers();
        var syn = Tcp(Client, 40000, TcpFlags.Syn);
        h.Feed(syn);
        h.Feed(Udp(Client, 40001));

        Assert.Equal(2, h.Device.Sent.Count);
        foreach (var (error, offending) in h.Device.Sent.Zip(new[] { syn, Udp(Client, 40001) }))
        {
            Assert.Equal(ClientMac, MacAddress.Read(error));
            var ip = Decode(error);
            Assert.Equal(Vip.ToIPAddress(), ip.SourceAddress);
            Assert.Equal(Client.ToIPAddress(), ip.DestinationAddress);
            var icmp = Assert.IsType<IcmpV6Packet>(ip.PayloadPacket);
            Assert.Equal(IcmpV6Type.DestinationUnreachable, icmp.Type);
            Assert.Equal(4, icmp.Code); // port unreachable, as ip_vs_leave sends for IPv6
            Assert.True(icmp.ValidIcmpChecksum, "ICMPv6 checksum (PacketDotNet)");
            Assert.Equal(offending.AsSpan(14).ToArray(), error.AsSpan(14 + 48).ToArray());
        }

        Assert.Equal(2, h.Processor.Counters[DropReason.NoDestination]);
        Assert.Equal(2, h.Processor.Counters.Icmpv6UnreachableSent);
        Assert.Equal(0, h.Processor.Table6.Count);
    }

    [Fact]
    public void HopLimitOne_GetsTimeExceeded_AndNoConnection()
    {
        var h = new Ipv6Harness();
        h.ResolveRealServers();
        var syn = Tcp(Client, 40000, TcpFlags.Syn, hopLimit: 1);
        h.Feed(syn);

        var error = Assert.Single(h.Device.Sent);
        var icmp = Assert.IsType<IcmpV6Packet>(Decode(error).PayloadPacket);
        Assert.Equal(IcmpV6Type.TimeExceeded, icmp.Type);
        Assert.Equal(0, icmp.Code);
        Assert.True(icmp.ValidIcmpChecksum, "ICMPv6 checksum (PacketDotNet)");
        Assert.Equal(syn.AsSpan(14).ToArray(), error.AsSpan(14 + 48).ToArray());
        Assert.Equal(1, h.Processor.Counters[DropReason.TtlExceeded]);
        Assert.Equal(1, h.Processor.Counters.Icmpv6TimeExceededSent);
        Assert.Equal(0, h.Processor.Table6.Count);
    }

    [Fact]
    public void PacketLargerThanTheMtu_GetsPacketTooBigWithTheMtu_QuotedUpTo1280Bytes()
    {
        var h = new Ipv6Harness(mtu: 1400);
        h.ResolveRealServers();
        h.Feed(Tcp(Client, 40000, TcpFlags.Syn));
        h.Device.Sent.Clear();
        var big = Tcp(Client, 40000, TcpFlags.Ack, payload: 1400 - 40 - 20 + 1);
        h.Feed(big);
        h.Feed(Tcp(Client, 40000, TcpFlags.Ack, payload: 1400 - 40 - 20));

        Assert.Equal(2, h.Device.Sent.Count);
        var error = h.Device.Sent[0];
        Assert.Equal(14 + 1280, error.Length);
        var icmp = Assert.IsType<IcmpV6Packet>(Decode(error).PayloadPacket);
        Assert.Equal(IcmpV6Type.PacketTooBig, icmp.Type);
        Assert.True(icmp.ValidIcmpChecksum, "ICMPv6 checksum (PacketDotNet)");
        Assert.Equal(1400u, BinaryPrimitives.ReadUInt32BigEndian(error.AsSpan(14 + 40 + 4)));
        Assert.Equal(big.AsSpan(14, 1280 - 48).ToArray(), error.AsSpan(14 + 48).ToArray());
        Assert.Equal(Rs1Mac, MacAddress.Read(h.Device.Sent[1])); // exactly the MTU still goes
        Assert.Equal(1, h.Processor.Counters[DropReason.Ipv6PacketTooBig]);
        Assert.Equal(1, h.Processor.Counters.Icmpv6PacketTooBigSent);
    }

    [Fact]
    public void Errors_ShareTheIcmpBudgetPerTick_TheRestIsSuppressed()
    {
        var h = new Ipv6Harness();
        h.Device.Sent.Clear();
        var expired = Udp(Client, 40000);
        expired[14 + 7] = 1;

        // 1,000 errors a second = 250 a quarter-second tick.
        for (var i = 0; i < 300; i++)
        {
            h.Feed(expired);
        }

        Assert.Equal(250, h.Device.Sent.Count);
        Assert.Equal(50, h.Processor.Counters.Icmpv6ErrorsSuppressed);
        h.Advance(TimeSpan.FromMilliseconds(300));
        h.Feed(expired);
        Assert.Equal(251, h.Device.Sent.Count);
        Assert.Equal(301, h.Processor.Counters[DropReason.TtlExceeded]);
    }

    [Fact]
    public void ErrorAboutATrackedConnection_IsForwardedUnchangedToItsRealServer()
    {
        var h = new Ipv6Harness();
        h.ResolveRealServers();
        h.Feed(Tcp(Client, 40000, TcpFlags.Syn));
        h.Feed(Tcp(Client, 40001, TcpFlags.Syn));
        h.Device.Sent.Clear();

        // A router on the client's side: the server's 1,500-byte segment (VIP:80 -> client:40001) does not fit 1,400.
        var quote = Tcp(Vip, 80, TcpFlags.Ack, payload: 600).AsSpan(14).ToArray();
        Vip.WriteTo(quote.AsSpan(8));
        Client.WriteTo(quote.AsSpan(24));
        BinaryPrimitives.WriteUInt16BigEndian(quote.AsSpan(40), 80);
        BinaryPrimitives.WriteUInt16BigEndian(quote.AsSpan(42), 40001);
        var ptb = Icmpv6Message(Router, Icmpv6.PacketTooBig, 0, 1400, quote);
        h.Feed(ptb);

        var forwarded = Assert.Single(h.Device.Sent);
        Assert.Equal(Rs2Mac, MacAddress.Read(forwarded)); // rr: 40000 went to rs1, 40001 to rs2
        Assert.Equal(DirectorMac, MacAddress.Read(forwarded.AsSpan(6)));
        Assert.Equal(63, forwarded[14 + 7]);
        var expected = (byte[])ptb.Clone();
        expected[14 + 7] = 63;
        Assert.Equal(expected.AsSpan(12).ToArray(), forwarded.AsSpan(12).ToArray());
        Assert.Equal(1, h.Processor.Counters.Icmpv6ErrorsForwarded);

        // About no connection: dropped. With hop limit 1: dropped, and no error about an error.
        BinaryPrimitives.WriteUInt16BigEndian(quote.AsSpan(42), 40002);
        h.Feed(Icmpv6Message(Router, Icmpv6.DestinationUnreachable, 1, 0, quote));
        BinaryPrimitives.WriteUInt16BigEndian(quote.AsSpan(42), 40000);
        h.Feed(Icmpv6Message(Router, Icmpv6.PacketTooBig, 0, 1400, quote, hopLimit: 1));
        Assert.Single(h.Device.Sent);
        Assert.Equal(1, h.Processor.Counters[DropReason.NoConnection]);
        Assert.Equal(1, h.Processor.Counters[DropReason.TtlExceeded]);
        Assert.Equal(0, h.Processor.Counters.Icmpv6TimeExceededSent);
    }

    [Fact]
    public void IcmpPaths_AllocateNothingPerPacket()
    {
        var h = new Ipv6Harness("wrr", 1 << 12);
        h.ResolveRealServers();
        h.Device.Record = false;
        h.Feed(Tcp(Client, 40001, TcpFlags.Syn));
        var quote = new byte[48];
        Ipv6Writer.WriteHeader(quote, 20, 6, 64, Vip, Client);
        BinaryPrimitives.WriteUInt16BigEndian(quote.AsSpan(40), 80);
        BinaryPrimitives.WriteUInt16BigEndian(quote.AsSpan(42), 40001);
        var expired = Tcp(Client, 40002, TcpFlags.Syn, hopLimit: 1);
        byte[][] frames =
        [
            Icmpv6Message(Client, Icmpv6.EchoRequest, 0, 0x0001_0001, new byte[56]),
            Icmpv6Message(Router, Icmpv6.PacketTooBig, 0, 1400, quote),
            expired,
        ];
        for (var i = 0; i < 20_000; i++)
        {
            h.Processor.OnFrame(frames[i % 3], frames[i % 3].Length);
            if (i % 300 == 0)
            {
                h.Advance(TimeSpan.FromMilliseconds(250));
            }
        }

        var before = AllocationMeter.Start();
        for (var i = 0; i < 30_000; i++)
        {
            h.Processor.OnFrame(frames[i % 3], frames[i % 3].Length);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(h.Processor.Counters.Icmpv6EchoRepliesSent >= 16_000);
        Assert.True(h.Processor.Counters.Icmpv6ErrorsForwarded >= 16_000);
        Assert.True(h.Processor.Counters.Icmpv6TimeExceededSent > 0 && h.Processor.Counters.Icmpv6ErrorsSuppressed > 0);
        Assert.Equal(0, allocated);
    }

    private static IPv6Packet Decode(byte[] frame) =>
        Assert.IsType<IPv6Packet>(Assert.IsType<EthernetPacket>(Packet.ParsePacket(LinkLayers.Ethernet, frame)).PayloadPacket);
}
