using System.Buffers.Binary;
using LvsNet.Core.DataPath;
using LvsNet.Core.Tests.DataPath.Ipv6;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;
using LvsNet.Testing;
using PacketDotNet;
using Xunit;
using static LvsNet.Core.Tests.DataPath.Ipv6.Ipv6Harness;
using static LvsNet.Core.Tests.DataPath.Ipv6.Nat64Tests;

namespace LvsNet.Core.Tests.DataPath.Fragments;

/// <summary>
/// Fragments through NAT64, translated one by one (RFC 7915 §5.1.1 for IPv6 → IPv4, §4.1 and §4 for
/// IPv4 → IPv6). The expected fragments are cut here from the whole translated datagram, which
/// <see cref="Nat64Bytes"/> writes with its own checksum: by RFC 791 (<see cref="Fragmenter"/>) or by
/// RFC 8200 §4.5 (<see cref="Ipv6Fragmenter"/>), with the identification, offsets and flags the RFC
/// prescribes; PacketDotNet checks the reassembled checksum.
/// </summary>
public class Nat64FragmentTests
{
    private const int Eth = 14;
    private const ushort ClientPort = 40000;
    private const uint Id = 0xC0FFEE01;
    private const int DataLength = 3000;

    [Fact]
    public void ClientDatagram_InIpv6Fragments_BecomesIpv4Fragments_Rfc7915_5_1_1_ByteForByte()
    {
        var h = Nat64();
        var fragments = Ipv6Fragmenter.Split(UdpBetween(Client, ClientPort, Vip, 53, Pattern(DataLength)), Id, 1400, 2800);
        h.Feed(fragments[0]);
        h.Feed(fragments[1]);
        Assert.Empty(h.Device.Sent);
        h.Feed(fragments[2]);

        Assert.Equal(3, h.Device.Sent.Count);
        var localPort = BinaryPrimitives.ReadUInt16BigEndian(h.Device.Sent[0].AsSpan(Eth + 20));
        Assert.InRange(localPort, 1024, 65535);

        // The datagram as the real server should reassemble it, with its checksum computed here;
        // cut as RFC 7915 §5.1.1 says: identification = the low 16 bits of 0xC0FFEE01, the IPv6
        // offsets (0, 1400, 2800) and M as MF, DF clear, TTL = hop limit − 1, TOS = traffic class 0.
        var whole = Nat64Bytes.Ipv4Frame(Rs1Mac, DirectorMac, 0, 0xEE01, dontFragment: false, ttl: 63, IpProtocol.Udp, Local4, Rs1v4,
            Nat64Bytes.UdpDatagram(localPort, NatUdpPort, Pattern(DataLength)));
        var expected = Fragmenter.Split(whole, 1400, 2800);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(Convert.ToHexString(expected[i]), Convert.ToHexString(h.Device.Sent[i]));
        }

        var reassembled = IndependentDecoder.Udp(Fragmenter.Reassemble(h.Device.Sent));
        Assert.Equal(Pattern(DataLength), reassembled.PayloadData);
        Assert.Equal(1, h.Processor.Counters.FragmentedDatagrams);
        Assert.Equal(0, h.Processor.Counters.TotalDropped);
    }

    [Fact]
    public void ClientTcpSegment_InFragments_FirstFragmentCarriesTheTranslatedPorts()
    {
        var h = Nat64();
        var syn = Nat64Bytes.Ipv6Frame(Client, Vip, IpProtocol.Tcp, Nat64Bytes.TcpSegment(ClientPort, 80, 1000, 0, 0x02, [], 2000));
        foreach (var fragment in Ipv6Fragmenter.Split(syn, Id, 1024))
        {
            h.Feed(fragment);
        }

        Assert.Equal(2, h.Device.Sent.Count);
        Assert.All(h.Device.Sent, f => Assert.Equal(Rs1Mac, MacAddress.Read(f)));
        var localPort = BinaryPrimitives.ReadUInt16BigEndian(h.Device.Sent[0].AsSpan(Eth + 20));
        var whole = Nat64Bytes.Ipv4Frame(Rs1Mac, DirectorMac, 0, 0xEE01, dontFragment: false, ttl: 63, IpProtocol.Tcp, Local4, Rs1v4,
            Nat64Bytes.TcpSegment(localPort, NatTcpPort, 1000, 0, 0x02, [], 2000));
        var expected = Fragmenter.Split(whole, 1024);
        Assert.Equal(Convert.ToHexString(expected[0]), Convert.ToHexString(h.Device.Sent[0]));
        Assert.Equal(Convert.ToHexString(expected[1]), Convert.ToHexString(h.Device.Sent[1]));
        Assert.True(IndependentDecoder.Tcp(Fragmenter.Reassemble(h.Device.Sent)).Synchronize);
    }

    [Fact]
    public void ServerReply_InIpv4Fragments_BecomesIpv6FragmentsOfAtMost1280Bytes_Rfc7915_4_1_ByteForByte()
    {
        var h = Nat64();
        h.Feed(UdpBetween(Client, ClientPort, Vip, 53, Pattern(100)));
        var localPort = BinaryPrimitives.ReadUInt16BigEndian(Assert.Single(h.Device.Sent).AsSpan(Eth + 20));
        h.Device.Sent.Clear();

        // The server's 3,008-byte datagram in three IPv4 fragments of 1,480, 1,480 and 48 bytes, TOS 0x20.
        var reply = Nat64Bytes.Ipv4Frame(DirectorMac, Rs1Mac, 0x20, 0x4321, dontFragment: false, ttl: 64, IpProtocol.Udp, Rs1v4, Local4,
            Nat64Bytes.UdpDatagram(NatUdpPort, localPort, Pattern(DataLength)));
        foreach (var fragment in Fragmenter.Split(reply, 1480, 2960))
        {
            h.Feed(fragment);
        }

        // RFC 7915 §4.1: a Fragment Header with identification 0x00004321, each IPv4 fragment cut
        // further so that no IPv6 packet exceeds 1,280 bytes (1,232 data bytes per fragment).
        var whole = Nat64Bytes.Ipv6Frame(Vip, Client, IpProtocol.Udp, Nat64Bytes.UdpDatagram(53, ClientPort, Pattern(DataLength)), hopLimit: 63, trafficClass: 0x20, source: DirectorMac, destination: ClientMac);
        (int Offset, int Length, bool More)[] cuts = [(0, 1232, true), (1232, 248, true), (1480, 1232, true), (2712, 248, true), (2960, 48, false)];
        Assert.Equal(cuts.Length, h.Device.Sent.Count);
        for (var i = 0; i < cuts.Length; i++)
        {
            var expected = Ipv6Fragmenter.Fragment(whole, 0x4321, cuts[i].Offset, cuts[i].Length, cuts[i].More);
            Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(h.Device.Sent[i]));
            Assert.True(h.Device.Sent[i].Length - Eth <= 1280);
        }

        var udp = Assert.IsType<UdpPacket>(Decode(Ipv6Fragmenter.Reassemble(h.Device.Sent)).PayloadPacket);
        Assert.True(udp.ValidUdpChecksum, "UDP checksum (PacketDotNet)");
        Assert.Equal(Pattern(DataLength), udp.PayloadData);
        Assert.Equal(0, h.Processor.Counters.TotalDropped);
    }

    [Fact]
    public void ServerReply_WithoutDf_LargerThan1280Translated_IsFragmented_WithDf_StaysWhole()
    {
        var h = Nat64();
        var localPort = OpenTcp(h, ClientPort);
        var segment = Nat64Bytes.TcpSegment(NatTcpPort, localPort, 5000, 1001, 0x10, [], 1400);
        h.Feed(Nat64Bytes.Ipv4Frame(DirectorMac, Rs1Mac, 0, 0x0777, dontFragment: false, ttl: 64, IpProtocol.Tcp, Rs1v4, Local4, segment));

        var whole = Nat64Bytes.Ipv6Frame(Vip, Client, IpProtocol.Tcp, Nat64Bytes.TcpSegment(80, ClientPort, 5000, 1001, 0x10, [], 1400), hopLimit: 63, source: DirectorMac, destination: ClientMac);
        Assert.Equal(2, h.Device.Sent.Count);
        Assert.Equal(Convert.ToHexString(Ipv6Fragmenter.Fragment(whole, 0x0777, 0, 1232, more: true)), Convert.ToHexString(h.Device.Sent[0]));
        Assert.Equal(Convert.ToHexString(Ipv6Fragmenter.Fragment(whole, 0x0777, 1232, 188, more: false)), Convert.ToHexString(h.Device.Sent[1]));
        Assert.True(Assert.IsType<TcpPacket>(Decode(Ipv6Fragmenter.Reassemble(h.Device.Sent)).PayloadPacket).ValidTcpChecksum);
        h.Device.Sent.Clear();

        // With DF, the same segment fits the 1,500-byte MTU and leaves whole (RFC 7915 §4: only DF-clear packets are fragmented).
        h.Feed(Nat64Bytes.Ipv4Frame(DirectorMac, Rs1Mac, 0, 0x0778, dontFragment: true, ttl: 64, IpProtocol.Tcp, Rs1v4, Local4, segment));
        Assert.Equal(Convert.ToHexString(whole), Convert.ToHexString(Assert.Single(h.Device.Sent)));
    }

    [Fact]
    public void ServerReply_FragmentedUdpWithoutChecksum_IsDroppedWhole_Rfc7915_4_5()
    {
        var h = Nat64();
        h.Feed(UdpBetween(Client, ClientPort, Vip, 53, Pattern(100)));
        var localPort = BinaryPrimitives.ReadUInt16BigEndian(Assert.Single(h.Device.Sent).AsSpan(Eth + 20));
        h.Device.Sent.Clear();
        var reply = Nat64Bytes.Ipv4Frame(DirectorMac, Rs1Mac, 0, 0x4322, dontFragment: false, ttl: 64, IpProtocol.Udp, Rs1v4, Local4,
            Nat64Bytes.UdpDatagram(NatUdpPort, localPort, Pattern(DataLength), withChecksum: false));
        foreach (var fragment in Fragmenter.Split(reply, 1480, 2960))
        {
            h.Feed(fragment);
        }

        Assert.Empty(h.Device.Sent);
        Assert.Equal(1, h.Processor.Counters[DropReason.Nat64FragmentUntranslatable]);
        Assert.Equal(2, h.Processor.Counters[DropReason.FragmentOfDropped]);
    }

    [Fact]
    public void ClientDatagram_WithExtensionHeadersAfterTheFragmentHeader_IsNotTranslated_EveryFragmentCounted()
    {
        var h = Nat64();
        // Destination options (8 bytes of PadN) in the fragmentable part, then UDP: the later
        // fragments' offsets count those 8 bytes, which IPv4 would not carry.
        var plain = UdpBetween(Client, ClientPort, Vip, 53, Pattern(DataLength));
        var withOptions = WithExtensionHeader(plain, 60, [0, 0, 1, 4, 0, 0, 0, 0]);
        var fragments = Ipv6Fragmenter.Split(withOptions, Id, 1400, 2800);
        foreach (var fragment in fragments)
        {
            h.Feed(fragment);
        }

        Assert.Empty(h.Device.Sent);
        Assert.Equal(3, h.Processor.Counters[DropReason.Nat64FragmentUntranslatable]);
    }

    [Fact]
    public void Nat64Fragments_BothDirections_AllocateNothing()
    {
        var h = Nat64();
        h.Device.Record = true;
        var frames = new List<byte[]>();
        for (var i = 0; i < 32; i++)
        {
            var port = (ushort)(ClientPort + i);
            h.Device.Sent.Clear();
            h.Feed(UdpBetween(Client, port, Vip, 53, Pattern(100)));
            var localPort = BinaryPrimitives.ReadUInt16BigEndian(Assert.Single(h.Device.Sent).AsSpan(Eth + 20));
            frames.AddRange(Ipv6Fragmenter.Split(UdpBetween(Client, port, Vip, 53, Pattern(DataLength)), Id + (uint)i, 1400, 2800));
            var reply = Nat64Bytes.Ipv4Frame(DirectorMac, Rs1Mac, 0, (ushort)(0x100 + i), dontFragment: false, ttl: 64, IpProtocol.Udp, Rs1v4, Local4,
                Nat64Bytes.UdpDatagram(NatUdpPort, localPort, Pattern(DataLength)));
            frames.AddRange(Fragmenter.Split(reply, 1480, 2960));
        }

        h.Device.Sent.Clear();
        h.Device.Record = false;
        for (var i = 0; i < 30_000; i++)
        {
            if (i % 64 == 0)
            {
                h.Processor.BeginBatch();
            }

            var frame = frames[i % frames.Count];
            h.Processor.OnFrame(frame, frame.Length);
        }

        // Each round of 6 frames (3 client fragments, 3 reply fragments) sends 3 + 5 frames.
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
        Assert.Equal(30_000 / 6 * 8, h.Device.Count - sentBefore);
        Assert.Equal(0, allocated);
        Assert.Equal(0, h.Processor.Counters.TotalDropped);
    }

    private static byte[] Pattern(int length) => Enumerable.Range(0, length).Select(i => (byte)(i * 7 % 251)).ToArray();

    private static IPv6Packet Decode(byte[] frame) =>
        Assert.IsType<IPv6Packet>(Assert.IsType<EthernetPacket>(Packet.ParsePacket(LinkLayers.Ethernet, frame)).PayloadPacket);
}
