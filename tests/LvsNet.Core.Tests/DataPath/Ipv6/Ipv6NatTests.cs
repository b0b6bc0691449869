using System.Buffers.Binary;
using LvsNet.Core.Connections;
using LvsNet.Core.DataPath;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;
using LvsNet.Testing;
using Xunit;
using static LvsNet.Core.Tests.DataPath.Ipv6.Ipv6Harness;

namespace LvsNet.Core.Tests.DataPath.Ipv6;

public class Ipv6NatTests
{
    private const int Ip = 14;
    private const int L4 = 14 + 40;

    [Fact]
    public void Syn_IsRewrittenToTheRealServerAndPort_ChecksumRecomputedIndependently_HopLimitDecremented()
    {
        var h = new Ipv6Harness(nat: true);
        h.ResolveRealServers();
        var syn = Tcp(Client, 40000, TcpFlags.Syn, payload: 7, hopLimit: 64);
        h.Feed(syn);

        var sent = Assert.Single(h.Device.Sent);
        Assert.Equal(Rs1Mac, MacAddress.Read(sent));
        Assert.Equal(DirectorMac, MacAddress.Read(sent.AsSpan(6)));
        Assert.Equal(63, sent[Ip + 7]);
        Assert.Equal(Client, Ipv6Address.Read(sent.AsSpan(Ip + 8)));
        Assert.Equal(Rs1, Ipv6Address.Read(sent.AsSpan(Ip + 24)));
        Assert.Equal(40000, BinaryPrimitives.ReadUInt16BigEndian(sent.AsSpan(L4)));
        Assert.Equal(NatTcpPort, BinaryPrimitives.ReadUInt16BigEndian(sent.AsSpan(L4 + 2)));
        Assert.Equal(syn.Length, sent.Length);

        // Everything else is as the client sent it (sequence numbers, flags, payload).
        Assert.True(syn.AsSpan(L4 + 4, 12).SequenceEqual(sent.AsSpan(L4 + 4, 12)));
        Assert.True(syn.AsSpan(L4 + 18).SequenceEqual(sent.AsSpan(L4 + 18)));
        Assert.Equal(Checksum(sent), BinaryPrimitives.ReadUInt16BigEndian(sent.AsSpan(L4 + 16)));
        Assert.True(Verifies(sent));
    }

    [Fact]
    public void ExtensionHeader_PortAndChecksumAreRewrittenBehindIt_TheHeaderStaysAsItCame()
    {
        var h = new Ipv6Harness(nat: true);
        h.ResolveRealServers();

        // Destination options (next header 60) with PadN, 8 bytes, between the fixed header and TCP.
        var padded = WithExtensionHeader(Tcp(Client, 41000, TcpFlags.Syn, payload: 3), 60, [0, 0, 1, 4, 0, 0, 0, 0]);
        h.Feed(padded);
        var sent = Assert.Single(h.Device.Sent);
        Assert.Equal(60, sent[Ip + 6]);
        Assert.True(padded.AsSpan(L4, 8).SequenceEqual(sent.AsSpan(L4, 8)));
        Assert.Equal(Rs1, Ipv6Address.Read(sent.AsSpan(Ip + 24)));
        Assert.Equal(NatTcpPort, BinaryPrimitives.ReadUInt16BigEndian(sent.AsSpan(L4 + 8 + 2)));
        Assert.Equal(0xFFFF, OnesSum(sent, L4 + 8, 6));
    }

    [Fact]
    public void Reply_IsFoundRewrittenToTheVipAndSentToTheOnLinkClient()
    {
        var h = new Ipv6Harness(nat: true);
        h.ResolveRealServers();
        h.Feed(Tcp(Client, 40000, TcpFlags.Syn));
        h.Device.Sent.Clear();

        // The client is not resolved yet: the reply waits for its advertisement, then leaves.
        var synAck = TcpReply(Rs1, Rs1Mac, Client, 40000, TcpFlags.Syn | TcpFlags.Ack, hopLimit: 64);
        h.Feed(synAck);
        var solicitation = Assert.Single(h.Device.Sent);
        Assert.Equal(135, solicitation[L4]);
        Assert.Equal(Client, Ipv6Address.Read(solicitation.AsSpan(L4 + 8)));
        Assert.Equal(1, h.Processor.Counters.Held);
        h.Device.Sent.Clear();
        h.Feed(Advertisement(Client, ClientMac, solicited: true));

        var sent = Assert.Single(h.Device.Sent);
        Assert.Equal(ClientMac, MacAddress.Read(sent));
        Assert.Equal(DirectorMac, MacAddress.Read(sent.AsSpan(6)));
        Assert.Equal(63, sent[Ip + 7]);
        Assert.Equal(Vip, Ipv6Address.Read(sent.AsSpan(Ip + 8)));
        Assert.Equal(Client, Ipv6Address.Read(sent.AsSpan(Ip + 24)));
        Assert.Equal(80, BinaryPrimitives.ReadUInt16BigEndian(sent.AsSpan(L4)));
        Assert.Equal(40000, BinaryPrimitives.ReadUInt16BigEndian(sent.AsSpan(L4 + 2)));
        Assert.True(Verifies(sent));

        // Later replies go at once.
        h.Device.Sent.Clear();
        h.Feed(TcpReply(Rs1, Rs1Mac, Client, 40000, TcpFlags.Ack, payload: 100));
        Assert.True(Verifies(Assert.Single(h.Device.Sent)));
        Assert.Equal(0, h.Processor.Counters.TotalDropped);
    }

    [Fact]
    public void Reply_OffLinkClientGoesToTheGateway_OnLinkClientDirectly()
    {
        var gateway = Ipv6Address.Parse("fe80::1");
        var gatewayMac = MacAddress.Parse("02:00:00:00:00:01");
        var remote = Ipv6Address.Parse("2001:db8:1::10");
        var h = new Ipv6Harness(nat: true, address6: Ipv6Address.Parse("2001:db8::2"), prefixLength6: 64, gateway6: gateway);
        h.ResolveRealServers();
        h.Feed(Advertisement(gateway, gatewayMac, solicited: true));
        h.Device.Sent.Clear();

        h.Feed(Tcp(remote, 40000, TcpFlags.Syn));
        h.Feed(TcpReply(h.Device.Sent.Count > 0 && MacAddress.Read(h.Device.Sent[0]) == Rs1Mac ? Rs1 : Rs2, Rs1Mac, remote, 40000, TcpFlags.Syn | TcpFlags.Ack));
        var toRemote = h.Device.Sent[^1];
        Assert.Equal(gatewayMac, MacAddress.Read(toRemote));
        Assert.Equal(remote, Ipv6Address.Read(toRemote.AsSpan(Ip + 24)));
        Assert.True(Verifies(toRemote));

        // An on-link client is solicited itself, not sent to the gateway.
        h.Device.Sent.Clear();
        h.Feed(Tcp(Client, 40001, TcpFlags.Syn));
        var server = MacAddress.Read(h.Device.Sent[0]) == Rs1Mac ? Rs1 : Rs2;
        h.Device.Sent.Clear();
        h.Feed(TcpReply(server, Rs1Mac, Client, 40001, TcpFlags.Syn | TcpFlags.Ack));
        var solicitation = Assert.Single(h.Device.Sent);
        Assert.Equal(Client, Ipv6Address.Read(solicitation.AsSpan(L4 + 8)));
    }

    [Fact]
    public void TcpStates_FollowTheInputAndOutputTables()
    {
        var h = new Ipv6Harness(nat: true);
        h.ResolveRealServers();
        ResolveClient(h);
        var table = h.Processor.Table6;

        // Expected states: ipvs-semantics §3.5, the normal table (INPUT for the client, OUTPUT for the server).
        var steps = new (bool FromServer, TcpFlags Flags, ConnectionState Expected)[]
        {
            (false, TcpFlags.Syn, ConnectionState.SynRecv),                   // IN syn NO → SR
            (true, TcpFlags.Syn | TcpFlags.Ack, ConnectionState.SynRecv),     // OUT syn SR → SR
            (false, TcpFlags.Ack, ConnectionState.Established),               // IN ack SR → ES
            (false, TcpFlags.Fin | TcpFlags.Ack, ConnectionState.CloseWait),  // IN fin ES → CW (IN-ONLY would be FW)
            (true, TcpFlags.Ack, ConnectionState.CloseWait),                  // OUT ack CW → CW
            (true, TcpFlags.Fin | TcpFlags.Ack, ConnectionState.TimeWait),    // OUT fin CW → TW
        };
        foreach (var (fromServer, flags, expected) in steps)
        {
            h.Feed(fromServer ? TcpReply(Rs1, Rs1Mac, Client, 40000, flags) : Tcp(Client, 40000, flags));
            var index = table.Find(new Ipv6ConnectionKey(IpProtocol.Tcp, Client, 40000, Vip, 80));
            Assert.True(index >= 0);
            Assert.Equal(expected, table[index].State);
        }

        Assert.Equal(0, h.Processor.Counters.TotalDropped);
        Assert.Equal(6, h.Processor.Counters.Forwarded);
    }

    [Fact]
    public void Established_CountsTheServerActiveAndTheReplyDirection()
    {
        var h = new Ipv6Harness(nat: true);
        h.ResolveRealServers();
        ResolveClient(h);
        h.Feed(Tcp(Client, 40000, TcpFlags.Syn));
        h.Feed(TcpReply(Rs1, Rs1Mac, Client, 40000, TcpFlags.Syn | TcpFlags.Ack));
        h.Feed(Tcp(Client, 40000, TcpFlags.Ack));
        var server = h.Runtime.Current!.Services[0].Servers[0];
        Assert.Equal(1, server.ActiveConnections);
        Assert.Equal(0, server.InactiveConnections);
    }

    [Fact]
    public void Udp_BothDirections_ChecksumsVerify_AndAComputedZeroIsSentAsFfff()
    {
        var h = new Ipv6Harness(nat: true);
        h.ResolveRealServers();
        ResolveClient(h);

        // A payload word chosen so that the datagram as the server receives it sums to 0xFFFF:
        // its checksum computes as 0, which IPv6 UDP may not carry (RFC 8200 §8.1).
        var payload = new byte[10];
        var probe = UdpBetween(Client, 5000, Rs1, NatUdpPort, payload);
        probe[L4 + 6] = 0;
        probe[L4 + 7] = 0;
        var word = (ushort)~OnesSum(probe);
        BinaryPrimitives.WriteUInt16BigEndian(payload, word);
        var request = UdpBetween(Client, 5000, Vip, 53, payload);
        Assert.NotEqual(0, BinaryPrimitives.ReadUInt16BigEndian(request.AsSpan(L4 + 6)));
        h.Feed(request);

        var sent = Assert.Single(h.Device.Sent);
        Assert.Equal(Rs1, Ipv6Address.Read(sent.AsSpan(Ip + 24)));
        Assert.Equal(NatUdpPort, BinaryPrimitives.ReadUInt16BigEndian(sent.AsSpan(L4 + 2)));
        Assert.Equal(0xFFFF, BinaryPrimitives.ReadUInt16BigEndian(sent.AsSpan(L4 + 6)));
        Assert.Equal(0, Checksum(sent));
        Assert.True(Verifies(sent));

        h.Device.Sent.Clear();
        h.Feed(UdpBetween(Rs1, NatUdpPort, Client, 5000, [1, 2, 3, 4, 5], Rs1Mac));
        var reply = Assert.Single(h.Device.Sent);
        Assert.Equal(Vip, Ipv6Address.Read(reply.AsSpan(Ip + 8)));
        Assert.Equal(53, BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(L4)));
        Assert.True(Verifies(reply));
    }

    [Fact]
    public void UdpWithoutChecksum_IsDropped()
    {
        var h = new Ipv6Harness(nat: true);
        h.ResolveRealServers();
        var datagram = Udp(Client, 5000);
        datagram[L4 + 6] = 0;
        datagram[L4 + 7] = 0;
        h.Feed(datagram);
        Assert.Empty(h.Device.Sent);
        Assert.Equal(1, h.Processor.Counters[DropReason.MalformedUdp]);
    }

    [Fact]
    public void ReplyWithoutConnection_IsDropped_AndFramesToTheDirectorOrFromOthersAreLeftAlone()
    {
        var director = Ipv6Address.Parse("2001:db8::2");
        var h = new Ipv6Harness(nat: true, address6: director);
        h.ResolveRealServers();
        h.Feed(TcpReply(Rs1, Rs1Mac, Client, 40000, TcpFlags.Ack));
        Assert.Equal(1, h.Processor.Counters[DropReason.NoConnection]);

        // To the director's own address (its kernel's health check), or from a host that is no NAT server.
        h.Feed(TcpReply(Rs1, Rs1Mac, director, 40000, TcpFlags.Ack));
        h.Feed(TcpReply(Ipv6Address.Parse("2001:db8::99"), Rs1Mac, Client, 40000, TcpFlags.Ack));
        Assert.Equal(1, h.Processor.Counters.TotalDropped);
        Assert.Empty(h.Device.Sent);

        // A reply from the other server, or from the right server's other port, is not the connection's.
        ResolveClient(h);
        h.Feed(Tcp(Client, 40000, TcpFlags.Syn));
        h.Feed(TcpReply(Rs2, Rs2Mac, Client, 40000, TcpFlags.Syn | TcpFlags.Ack));
        h.Feed(TcpReply(Rs1, Rs1Mac, Client, 40000, TcpFlags.Syn | TcpFlags.Ack, serverPort: 80));
        Assert.Equal(3, h.Processor.Counters[DropReason.NoConnection]);
    }

    [Fact]
    public void MalformedOrTruncatedReplies_AreDroppedByReason_NeverThrown()
    {
        var h = new Ipv6Harness(nat: true);
        h.ResolveRealServers();
        ResolveClient(h);
        h.Feed(Tcp(Client, 40000, TcpFlags.Syn));
        h.Device.Sent.Clear();

        // A TCP header cut to 12 bytes (payload length says 12), and a data offset below 5.
        var reply = TcpReply(Rs1, Rs1Mac, Client, 40000, TcpFlags.Ack);
        var cut = reply.AsSpan(0, L4 + 12).ToArray();
        cut[Ip + 4] = 0;
        cut[Ip + 5] = 12;
        h.Feed(cut);
        var badOffset = (byte[])reply.Clone();
        badOffset[L4 + 12] = 0x40;
        h.Feed(badOffset);
        Assert.Equal(2, h.Processor.Counters[DropReason.MalformedTcp]);

        // Captured shorter than it was on the wire (snap length): not forwarded half.
        h.Processor.OnFrame(reply, reply.Length + 100);
        Assert.Equal(1, h.Processor.Counters[DropReason.Truncated]);
        Assert.Empty(h.Device.Sent);

        // Every truncation of a valid reply: dropped or ignored, never an exception.
        for (var length = 0; length < reply.Length; length++)
        {
            h.Feed(reply.AsSpan(0, length).ToArray());
        }

        Assert.Empty(h.Device.Sent);
    }

    [Fact]
    public void ReplyWithHopLimitOne_IsNotForwarded()
    {
        var h = new Ipv6Harness(nat: true);
        h.ResolveRealServers();
        ResolveClient(h);
        h.Feed(Tcp(Client, 40000, TcpFlags.Syn));
        h.Device.Sent.Clear();
        h.Feed(TcpReply(Rs1, Rs1Mac, Client, 40000, TcpFlags.Syn | TcpFlags.Ack, hopLimit: 1));
        Assert.Empty(h.Device.Sent);
        Assert.Equal(1, h.Processor.Counters[DropReason.TtlExceeded]);
    }

    [Fact]
    public void EstablishedIpv6NatFlows_AllocateNothingPerPacket_BothDirections()
    {
        var h = new Ipv6Harness("wrr", 1 << 16, nat: true);
        h.ResolveRealServers();
        ResolveClient(h);
        h.Device.Record = false;
        const int Flows = 1000;
        var frames = new List<byte[]>(2 * Flows);
        for (var i = 0; i < Flows; i++)
        {
            var port = (ushort)(10000 + i);
            h.Feed(Tcp(Client, port, TcpFlags.Syn));
            frames.Add(Tcp(Client, port, TcpFlags.Ack | TcpFlags.Psh, 512));

            // wrr over two equal servers alternates: even flows on rs1, odd on rs2.
            var (server, mac) = i % 2 == 0 ? (Rs1, Rs1Mac) : (Rs2, Rs2Mac);
            frames.Add(TcpReply(server, mac, Client, port, TcpFlags.Ack | TcpFlags.Psh, 512));
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

    // The director asks for the client (as a reply would make it) and the client answers.
    private static void ResolveClient(Ipv6Harness h)
    {
        h.Processor.Neighbours6.TryResolve(Client, h.Processor.Now, out _);
        h.Feed(Advertisement(Client, ClientMac, solicited: true));
        h.Device.Sent.Clear();
    }

    // An independent check of the transport checksum: the ones'-complement sum over the IPv6
    // pseudo-header (RFC 8200 §8.1: source, destination, upper-layer length, next header) and the
    // whole segment, checksum field included, is 0xFFFF for a correct one.
    private static bool Verifies(byte[] frame) => OnesSum(frame) == 0xFFFF;

    // The checksum the segment should carry: the complement of the sum with the field as zero.
    private static ushort Checksum(byte[] frame)
    {
        var copy = (byte[])frame.Clone();
        var field = copy[Ip + 6] == 6 ? L4 + 16 : L4 + 6;
        copy[field] = 0;
        copy[field + 1] = 0;
        return (ushort)~OnesSum(copy);
    }

    // upperLayer: where the TCP or UDP header starts (behind any extension headers), protocol: its number.
    private static ushort OnesSum(byte[] frame, int upperLayer = L4, byte? protocol = null)
    {
        var length = ((frame[Ip + 4] << 8) | frame[Ip + 5]) - (upperLayer - L4);
        ulong sum = 0;
        for (var i = Ip + 8; i < Ip + 40; i += 2)
        {
            sum += (uint)((frame[i] << 8) | frame[i + 1]);
        }

        sum += (uint)length;
        sum += protocol ?? frame[Ip + 6];
        for (var i = 0; i < length; i += 2)
        {
            var high = frame[upperLayer + i];
            var low = i + 1 < length ? frame[upperLayer + i + 1] : 0;
            sum += (uint)((high << 8) | low);
        }

        while (sum > 0xFFFF)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)sum;
    }
}
