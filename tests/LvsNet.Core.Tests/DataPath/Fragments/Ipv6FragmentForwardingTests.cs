using System.Buffers.Binary;
using LvsNet.Core.Configuration;
using LvsNet.Core.DataPath;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;
using LvsNet.Testing;
using PacketDotNet;
using LvsNet.Core.Tests.DataPath.Ipv6;
using Xunit;
using static LvsNet.Core.Tests.DataPath.Ipv6.Ipv6Harness;

namespace LvsNet.Core.Tests.DataPath.Fragments;

/// <summary>
/// Fragmented IPv6 datagrams (RFC 8200 §4.5), cut by <see cref="Ipv6Fragmenter"/> from datagrams
/// PacketDotNet builds: held until complete, then forwarded fragment by fragment. Expected bytes:
/// the forwarded fragments, put back together by the RFC's rules, must equal the datagram
/// PacketDotNet builds for the rewritten addresses and ports, and its checksum must verify in
/// PacketDotNet. Refusals: overlap kills the datagram (RFC 5722), a first fragment without the
/// whole header chain is dropped (RFC 7112), an atomic fragment is an unfragmented packet (RFC 6946).
/// </summary>
public class Ipv6FragmentForwardingTests
{
    private const int Ip = 14;
    private const ushort ClientPort = 40000;
    private const uint Id = 0xC0FFEE01;
    private const int DataLength = 3000;
    private static readonly Ipv6Address Director6 = Ipv6Address.Parse("2001:db8::2");
    private static readonly Ipv6Address Local = Ipv6Address.Parse("2001:db8::50");

    public static TheoryData<string> Methods => new() { "dr", "nat", "fullnat", "tun" };

    [Theory]
    [MemberData(nameof(Methods))]
    public void UdpDatagram_InThreeFragments_ReachesTheRealServerWhole(string method)
    {
        var h = Harness(method);
        var fragments = Ipv6Fragmenter.Split(ClientUdp(), Id, 1400, 2800);
        foreach (var fragment in fragments)
        {
            h.Feed(fragment);
        }

        AssertForwardedToServer(h, method, fragments.Count, IpProtocol.Udp);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void TcpSegment_InTwoFragments_ReachesTheRealServerWhole(string method)
    {
        var h = Harness(method);
        var syn = Tcp(Client, ClientPort, TcpFlags.Syn, payload: 2000);
        var fragments = Ipv6Fragmenter.Split(syn, Id, 1400);
        h.Feed(fragments[0]);
        Assert.Empty(h.Device.Sent);
        Assert.Equal(0, h.Processor.Table6.Count);
        h.Feed(fragments[1]);

        AssertForwardedToServer(h, method, 2, IpProtocol.Tcp);
    }

    [Fact]
    public void Fragments_InReverseOrder_AreForwardedInOffsetOrder()
    {
        var h = Harness("nat");
        var fragments = Ipv6Fragmenter.Split(ClientUdp(), Id, 1400, 2800);
        h.Feed(fragments[2]);
        h.Feed(fragments[1]);
        Assert.Empty(h.Device.Sent);
        Assert.Equal(2, h.Processor.Counters.FragmentsHeld);
        h.Feed(fragments[0]);

        Assert.Equal([0, 1400, 2800], h.Device.Sent.Select(f => Ipv6Fragmenter.Header(f).Offset));
        AssertForwardedToServer(h, "nat", 3, IpProtocol.Udp);
    }

    [Theory]
    [InlineData("nat")]
    [InlineData("fullnat")]
    public void Reply_InFragments_GoesBackToTheClientFromTheVip(string method)
    {
        var h = Harness(method);
        ResolveClient(h);
        h.Feed(Udp(Client, ClientPort, payload: 100));
        var sent = Assert.Single(h.Device.Sent);
        var toAddress = method == "fullnat" ? Local : Client;
        var toPort = BinaryPrimitives.ReadUInt16BigEndian(sent.AsSpan(Ip + 40));
        h.Device.Sent.Clear();

        var reply = UdpBetween(Rs1, NatUdpPort, toAddress, toPort, Pattern(DataLength), Rs1Mac);
        foreach (var fragment in Ipv6Fragmenter.Split(reply, Id, 1400, 2800))
        {
            h.Feed(fragment);
        }

        Assert.Equal(3, h.Device.Sent.Count);
        Assert.All(h.Device.Sent, f => Assert.Equal(ClientMac, MacAddress.Read(f)));
        Assert.All(h.Device.Sent, f => Assert.Equal(63, f[Ip + 7]));
        var whole = Ipv6Fragmenter.Reassemble(h.Device.Sent);
        var expected = UdpBetween(Vip, 53, Client, ClientPort, Pattern(DataLength));
        Assert.Equal(expected.AsSpan(Ip + 8).ToArray(), whole.AsSpan(Ip + 8).ToArray());
        Assert.True(Assert.IsType<UdpPacket>(Decode(whole).PayloadPacket).ValidUdpChecksum);
        Assert.Equal(1, h.Processor.Counters.FragmentedDatagrams);
    }

    [Fact]
    public void OverlappingFragment_DropsTheWholeDatagram_Rfc5722()
    {
        var h = Harness("nat");
        var datagram = ClientUdp();
        h.Feed(Ipv6Fragmenter.Fragment(datagram, Id, 0, 1448, more: true));
        h.Feed(Ipv6Fragmenter.Fragment(datagram, Id, 1440, 1448, more: true));
        Assert.Equal(2, h.Processor.Counters[DropReason.FragmentOverlap]);

        // The datagram is gone: the remaining fragments start a new one that never completes.
        h.Feed(Ipv6Fragmenter.Fragment(datagram, Id, 1448, 1448, more: true));
        h.Feed(Ipv6Fragmenter.Fragment(datagram, Id, 2896, DataLength + 8 - 2896, more: false));
        Assert.Empty(h.Device.Sent);
        Assert.Equal(0, h.Processor.Table6.Count);
    }

    [Fact]
    public void FirstFragmentWithoutTheUpperLayerHeader_IsDropped_Rfc7112()
    {
        var h = Harness("nat");

        // Destination options (8 bytes of PadN) in the fragmentable part; the first fragment ends
        // right after them, so its chain does not reach the TCP header.
        var syn = WithExtensionHeader(Tcp(Client, ClientPort, TcpFlags.Syn, payload: 100), 60, [0, 0, 1, 4, 0, 0, 0, 0]);
        var first = Ipv6Fragmenter.Fragment(syn, Id, 0, 8, more: true);
        var rest = Ipv6Fragmenter.Fragment(syn, Id, 8, syn.Length - Ip - 40 - 8, more: false);
        h.Feed(first);
        h.Feed(rest);

        Assert.Equal(1, h.Processor.Counters[DropReason.Ipv6ExtensionHeaders]);
        Assert.Empty(h.Device.Sent);
        Assert.Equal(0, h.Processor.Table6.Count);

        // The later fragment waits for a first fragment that never comes, then times out.
        h.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(1, h.Processor.Counters[DropReason.FragmentTimeout]);
    }

    [Fact]
    public void FirstFragmentCuttingTheTcpOptions_DropsTheDatagram_NoConnection()
    {
        var h = Harness("nat");

        // A SYN with 40 bytes of options (NOPs, data offset 15): the first fragment holds 32 of its 60 header bytes.
        var syn = Tcp(Client, ClientPort, TcpFlags.Syn, payload: 40);
        var tcp = syn.AsSpan(Ip + 40);
        tcp[12] = 15 << 4;
        tcp.Slice(20).Fill(1);
        var fragments = Ipv6Fragmenter.Split(syn, Id, 32);
        h.Feed(fragments[0]);
        h.Feed(fragments[1]);

        Assert.Empty(h.Device.Sent);
        Assert.Equal(2, h.Processor.Counters[DropReason.FragmentTiny]);
        Assert.Equal(0, h.Processor.Table6.Count);
    }

    [Fact]
    public void AtomicFragment_IsForwardedAsAnUnfragmentedPacket_Rfc6946()
    {
        var h = Harness("nat");
        var datagram = UdpBetween(Client, ClientPort, Vip, 53, Pattern(100));
        var atomic = Ipv6Fragmenter.Fragment(datagram, Id, 0, datagram.Length - Ip - 40, more: false);
        h.Feed(atomic);

        var sent = Assert.Single(h.Device.Sent);
        Assert.Equal(0, h.Processor.Counters.FragmentsHeld);
        Assert.Equal(44, sent[Ip + 6]);
        Assert.Equal((0, false, Id), Ipv6Fragmenter.Header(sent));
        var whole = Ipv6Fragmenter.Reassemble([sent]);
        var expected = UdpBetween(Client, ClientPort, Rs1, NatUdpPort, Pattern(100));
        Assert.Equal(expected.AsSpan(Ip + 8).ToArray(), whole.AsSpan(Ip + 8).ToArray());
    }

    [Fact]
    public void DuplicateFragment_IsDroppedAlone_TheDatagramGoesOn()
    {
        var h = Harness("nat");
        var fragments = Ipv6Fragmenter.Split(ClientUdp(), Id, 1400, 2800);
        h.Feed(fragments[0]);
        h.Feed(fragments[0]);
        h.Feed(fragments[1]);
        h.Feed(fragments[2]);

        Assert.Equal(1, h.Processor.Counters[DropReason.FragmentDuplicate]);
        AssertForwardedToServer(h, "nat", 3, IpProtocol.Udp);
    }

    [Fact]
    public void SameIdentification_FromAnotherSource_IsAnotherDatagram()
    {
        var h = Harness("nat");
        var other = Ipv6Address.Parse("2001:db8::20");
        var mine = Ipv6Fragmenter.Split(ClientUdp(), Id, 1400, 2800);
        var theirs = Ipv6Fragmenter.Split(UdpBetween(other, ClientPort, Vip, 53, Pattern(DataLength)), Id, 1400, 2800);
        var dropped = h.Processor.Counters.TotalDropped;
        h.Feed(mine[0]);
        h.Feed(theirs[1]);
        h.Feed(mine[1]);
        h.Feed(theirs[2]);
        h.Feed(mine[2]);
        Assert.Equal(3, h.Device.Sent.Count);
        h.Feed(theirs[0]);
        Assert.Equal(6, h.Device.Sent.Count);
        Assert.Equal(2, h.Processor.Counters.FragmentedDatagrams);
        Assert.Equal(dropped, h.Processor.Counters.TotalDropped);
    }

    [Fact]
    public void IncompleteDatagram_TimesOut_AndItsBuffersReturn()
    {
        var h = Harness("nat");
        var fragments = Ipv6Fragmenter.Split(ClientUdp(), Id, 1400, 2800);
        h.Feed(fragments[0]);
        h.Feed(fragments[2]);
        Assert.Equal(2, h.Processor.Fragments.BuffersInUse);
        h.Advance(TimeSpan.FromSeconds(6));

        Assert.Equal(2, h.Processor.Counters[DropReason.FragmentTimeout]);
        Assert.Equal(0, h.Processor.Fragments.BuffersInUse);
        Assert.Equal(0, h.Processor.Fragments.Datagrams);
        h.Feed(fragments[1]);
        Assert.Empty(h.Device.Sent);
    }

    [Fact]
    public void FirstFragmentWithHopLimitOne_IsAnsweredWithTimeExceeded_LaterOnesDropped()
    {
        var h = Harness("nat");
        ResolveClient(h);
        var datagram = ClientUdp();
        datagram[Ip + 7] = 1;
        var fragments = Ipv6Fragmenter.Split(datagram, Id, 1400);
        h.Feed(fragments[0]);
        h.Feed(fragments[1]);

        var error = Assert.Single(h.Device.Sent);
        Assert.Equal(58, error[Ip + 6]);
        Assert.Equal(Icmpv6.TimeExceeded, error[Ip + 40]);
        Assert.Equal(2, h.Processor.Counters[DropReason.TtlExceeded]);
        Assert.Equal(0, h.Processor.Fragments.Datagrams);
    }

    [Fact]
    public void FragmentOfAnotherProtocol_IsDropped()
    {
        var h = Harness("nat");
        var echo = Icmpv6Message(Client, Icmpv6.EchoRequest, 0, 0x00010001, Pattern(2000));
        var fragments = Ipv6Fragmenter.Split(echo, Id, 1400);
        h.Feed(fragments[0]);
        Assert.Equal(1, h.Processor.Counters[DropReason.Fragment]);
        Assert.Equal(0, h.Processor.Fragments.Datagrams);
    }

    [Fact]
    public void Datagrams_InFragments_AllocateNothing()
    {
        var h = Harness("nat");
        h.Device.Record = false;
        var frames = new List<byte[]>();
        for (var i = 0; i < 64; i++)
        {
            var datagram = UdpBetween(Client, (ushort)(ClientPort + i), Vip, 53, Pattern(DataLength));
            frames.AddRange(Ipv6Fragmenter.Split(datagram, Id + (uint)i, 1400, 2800));
        }

        // Warm up over as many frames as are measured, so that tiered compilation is done before the measured loop.
        for (var i = 0; i < 30_000; i++)
        {
            if (i % 64 == 0)
            {
                h.Processor.BeginBatch();
            }

            var frame = frames[i % frames.Count];
            h.Processor.OnFrame(frame, frame.Length);
        }

        var sentBefore = h.Device.Count;
        var before = AllocationMeter.Start();
        for (var i = 0; i < 30_000; i++)
        {
            if (i % 64 == 0)
            {
                h.Processor.BeginBatch();
            }

            var frame = frames[i % frames.Count];
            h.Processor.OnFrame(frame, frame.Length);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(30_000, h.Device.Count - sentBefore);
        Assert.Equal(0, allocated);
    }

    private static Ipv6Harness Harness(string method)
    {
        var server = method switch
        {
            "dr" => string.Empty,
            "tun" => "\n        method: tun",
            _ => $"\n        port: {{0}}\n        method: {method}",
        };
        var locals = method == "fullnat" ? $"\n    local_addresses: [{Local}]" : string.Empty;
        var config = LvsConfigReader.Parse($"""
            director:
              interface: fake0
              address: 10.77.0.2/24
              address6: {Director6}/64
            virtual_services:
              - protocol: udp
                address: {Vip}
                port: 53
                scheduler: rr{locals}
                real_servers:
                  - address: {Rs1}{string.Format(server, NatUdpPort)}
              - protocol: tcp
                address: {Vip}
                port: 80
                scheduler: rr{locals}
                real_servers:
                  - address: {Rs1}{string.Format(server, NatTcpPort)}
            """);
        var h = new Ipv6Harness(edit: _ => config, address6: Director6);
        h.ResolveRealServers();
        return h;
    }

    private static void ResolveClient(Ipv6Harness h)
    {
        h.Processor.Neighbours6.TryResolve(Client, h.Processor.Now, out _);
        h.Feed(Advertisement(Client, ClientMac, solicited: true));
        h.Device.Sent.Clear();
    }

    private static byte[] Pattern(int length) => Enumerable.Range(0, length).Select(i => (byte)(i * 7 % 251)).ToArray();

    private static byte[] ClientUdp() => UdpBetween(Client, ClientPort, Vip, 53, Pattern(DataLength));

    private static IPv6Packet Decode(byte[] frame) =>
        Assert.IsType<IPv6Packet>(Assert.IsType<EthernetPacket>(Packet.ParsePacket(LinkLayers.Ethernet, frame)).PayloadPacket);

    /// <summary>
    /// Every fragment reached Rs1 with hop limit 63 and the client's identification; put back
    /// together they are the datagram PacketDotNet builds for the method's addresses and ports.
    /// TUN: each fragment travels inside IPv6 (next header 41) from the director to Rs1, itself unchanged but for the hop limit.
    /// </summary>
    private static void AssertForwardedToServer(Ipv6Harness h, string method, int count, IpProtocol protocol)
    {
        Assert.Equal(count, h.Device.Sent.Count);
        var inner = method == "tun" ? Ip + 40 : Ip;
        foreach (var sent in h.Device.Sent)
        {
            Assert.Equal(Rs1Mac, MacAddress.Read(sent));
            Assert.Equal(63, sent[inner + 7]);
            Assert.Equal(Id, Ipv6Fragmenter.Header(sent, inner).Id);
            if (method == "tun")
            {
                Assert.Equal(41, sent[Ip + 6]);
                Assert.Equal(Director6, Ipv6Address.Read(sent.AsSpan(Ip + 8)));
                Assert.Equal(Rs1, Ipv6Address.Read(sent.AsSpan(Ip + 24)));
            }
        }

        var whole = Ipv6Fragmenter.Reassemble(h.Device.Sent, inner);
        var ip = Decode(whole);
        var sourcePort = BinaryPrimitives.ReadUInt16BigEndian(whole.AsSpan(Ip + 40));
        var (source, expectedSourcePort) = method == "fullnat" ? (Local, sourcePort) : (Client, ClientPort);
        var natted = method is "nat" or "fullnat";
        var destination = natted ? Rs1 : Vip;
        Assert.Equal(source.ToIPAddress(), ip.SourceAddress);
        Assert.Equal(destination.ToIPAddress(), ip.DestinationAddress);
        Assert.Equal(expectedSourcePort, sourcePort);
        if (protocol == IpProtocol.Udp)
        {
            var udp = Assert.IsType<UdpPacket>(ip.PayloadPacket);
            Assert.Equal(natted ? NatUdpPort : (ushort)53, udp.DestinationPort);
            Assert.Equal(Pattern(DataLength), udp.PayloadData);
            Assert.True(udp.ValidUdpChecksum, "UDP checksum (PacketDotNet)");
        }
        else
        {
            var tcp = Assert.IsType<TcpPacket>(ip.PayloadPacket);
            Assert.Equal(natted ? NatTcpPort : (ushort)80, tcp.DestinationPort);
            Assert.True(tcp.Synchronize);
            Assert.Equal(2000, tcp.PayloadData.Length);
            Assert.True(tcp.ValidTcpChecksum, "TCP checksum (PacketDotNet)");
        }

        Assert.Equal(1, h.Processor.Counters.FragmentedDatagrams);
    }
}
