using System.Buffers.Binary;
using LvsNet.Core.Configuration;
using LvsNet.Core.DataPath;
using LvsNet.Packets;
using LvsNet.Testing;
using Xunit;
using static LvsNet.Core.Tests.DataPath.DataPathHarness;

namespace LvsNet.Core.Tests.DataPath.Fragments;

/// <summary>
/// Fragmented datagrams: held until complete, then forwarded fragment by fragment to the
/// connection's real server (or back to the client). Expected bytes come from PacketDotNet: the
/// forwarded fragments, put back together, must equal the datagram PacketDotNet builds for the
/// rewritten addresses and ports (its checksum included). Refusals follow the kernel's defrag
/// (overlap kills the datagram, malformed fragments are refused alone) and RFC 1858 (tiny first
/// fragment).
/// </summary>
public class FragmentForwardingTests
{
    private const ushort ServicePort = 53;
    private const ushort NatPort = 5353;
    private const ushort ClientPort = 40000;
    private const ushort Id = 0x5151;
    private const int DataLength = 3000;

    public static TheoryData<ForwardingMethod> Methods => new() { ForwardingMethod.DirectRouting, ForwardingMethod.Nat, ForwardingMethod.FullNat };

    [Theory]
    [MemberData(nameof(Methods))]
    public void UdpDatagram_InThreeFragments_ReachesTheRealServerWhole(ForwardingMethod method)
    {
        var h = Harness(method);
        var fragments = Fragmenter.Split(ClientDatagram(), 1480, 2960);
        foreach (var fragment in fragments)
        {
            h.Feed(fragment);
        }

        AssertForwardedToServer(h, method);
    }

    [Fact]
    public void Fragments_InReverseOrder_AreForwardedInOffsetOrder()
    {
        var h = Harness(ForwardingMethod.Nat);
        var fragments = Fragmenter.Split(ClientDatagram(), 1480, 2960);
        h.Feed(fragments[2]);
        h.Feed(fragments[1]);
        Assert.Empty(h.Device.Sent);
        h.Feed(fragments[0]);

        Assert.Equal([0, 1480, 2960], h.Device.Sent.Select(f => (BinaryPrimitives.ReadUInt16BigEndian(f.AsSpan(20)) & 0x1FFF) * 8));
        AssertForwardedToServer(h, ForwardingMethod.Nat);
    }

    [Fact]
    public void NatReply_InFragments_GoesBackToTheClientFromTheVip()
    {
        var h = Harness(ForwardingMethod.Nat);
        ResolveClient(h);
        h.Feed(FrameBuilder.UdpDatagram(DirectorMac, ClientMac, Client, ClientPort, Vip, ServicePort, 100, 1));
        Assert.Single(h.Device.Sent);
        h.Device.Sent.Clear();

        var reply = FrameBuilder.UdpDatagram(DirectorMac, Rs1Mac, Rs1, NatPort, Client, ClientPort, DataLength, Id);
        foreach (var fragment in Fragmenter.Split(reply, 1480, 2960))
        {
            h.Feed(fragment);
        }

        Assert.Equal(3, h.Device.Sent.Count);
        Assert.All(h.Device.Sent, f => Assert.Equal(ClientMac, MacAddress.Read(f)));
        var whole = Fragmenter.Reassemble(h.Device.Sent);
        var expected = FrameBuilder.UdpDatagram(ClientMac, DirectorMac, Vip, ServicePort, Client, ClientPort, DataLength, Id);
        Assert.Equal(TransportBytes(expected), TransportBytes(whole));
        IndependentDecoder.Udp(whole);
        Assert.Equal(1, h.Processor.Counters.FragmentedDatagrams);
    }

    [Fact]
    public void OverlappingFragment_DropsTheWholeDatagram()
    {
        var h = Harness(ForwardingMethod.Nat);
        var datagram = ClientDatagram();
        h.Feed(Fragmenter.Fragment(datagram, 0, 1480, more: true));
        h.Feed(Fragmenter.Fragment(datagram, 1472, 1480, more: true));
        Assert.Equal(2, h.Processor.Counters[DropReason.FragmentOverlap]);

        // The datagram is gone: its last fragment alone starts a new one that never completes.
        h.Feed(Fragmenter.Fragment(datagram, 2960, DataLength + 8 - 2960, more: false));
        Assert.Empty(h.Device.Sent);
        Assert.Equal(0, h.Processor.Table.Count);
    }

    [Fact]
    public void TinyFirstFragment_DropsTheDatagram_NoConnection()
    {
        var h = Harness(ForwardingMethod.Nat);
        var syn = FrameBuilder.Tcp(DirectorMac, ClientMac, Client, ClientPort, Vip, 80, TcpFlags.Syn, payloadLength: 40);

        // The first fragment has the ports and the sequence number, not the flags (RFC 1858).
        h.Feed(Fragmenter.Fragment(syn, 0, 8, more: true));
        h.Feed(Fragmenter.Fragment(syn, 8, 52, more: false));

        Assert.Empty(h.Device.Sent);
        Assert.Equal(2, h.Processor.Counters[DropReason.FragmentTiny]);
        Assert.Equal(0, h.Processor.Table.Count);
    }

    [Fact]
    public void ConfiguredTimeout_FromTheSnapshot_AppliesToNewDatagrams()
    {
        // fragments.timeout 1 s: two seconds later the datagram is gone, where the default 5 s would hold it.
        var h = Harness(ForwardingMethod.Nat, c => c with { Fragments = new FragmentConfig { Timeout = TimeSpan.FromSeconds(1) } });
        var fragments = Fragmenter.Split(ClientDatagram(), 1480, 2960);
        h.Feed(fragments[0]);
        h.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(1, h.Processor.Counters[DropReason.FragmentTimeout]);
        Assert.Equal(new FragmentOccupancyView(0, 0), View(h.Processor.Fragments));

        // The default keeps it two seconds on.
        var standard = Harness(ForwardingMethod.Nat);
        standard.Feed(fragments[0]);
        standard.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(0, standard.Processor.Counters[DropReason.FragmentTimeout]);
        Assert.Equal(new FragmentOccupancyView(1, 1), View(standard.Processor.Fragments));
        Assert.Equal((1024, 256), (standard.Processor.Fragments.BufferCapacity, standard.Processor.Fragments.DatagramCapacity));
    }

    private readonly record struct FragmentOccupancyView(int Datagrams, int Buffers);

    private static FragmentOccupancyView View(LvsNet.Core.DataPath.Fragments.FragmentOccupancy o) => new(o.Datagrams, o.BuffersInUse);

    [Fact]
    public void IncompleteDatagram_TimesOut()
    {
        var h = Harness(ForwardingMethod.Nat);
        var fragments = Fragmenter.Split(ClientDatagram(), 1480, 2960);
        h.Feed(fragments[0]);
        h.Feed(fragments[1]);
        h.Advance(TimeSpan.FromSeconds(6));

        Assert.Equal(2, h.Processor.Counters[DropReason.FragmentTimeout]);
        h.Feed(fragments[2]);
        Assert.Empty(h.Device.Sent);
        Assert.Equal(0, h.Processor.Table.Count);
    }

    [Theory]
    [InlineData(1001, true)]
    [InlineData(0, false)]
    public void MalformedFragment_IsRefusedAlone(int length, bool more)
    {
        var h = Harness(ForwardingMethod.Nat);
        var datagram = ClientDatagram();
        h.Feed(Fragmenter.Fragment(datagram, 1480, length, more));

        Assert.Equal(1, h.Processor.Counters[DropReason.FragmentMalformed]);
        foreach (var fragment in Fragmenter.Split(datagram, 1480, 2960))
        {
            h.Feed(fragment);
        }

        Assert.Equal(3, h.Device.Sent.Count);
    }

    [Fact]
    public void LastFragmentEndingPast65535_IsMalformed()
    {
        var h = Harness(ForwardingMethod.Nat);
        var datagram = FrameBuilder.UdpDatagram(DirectorMac, ClientMac, Client, ClientPort, Vip, ServicePort, 1000, Id);
        var fragment = Fragmenter.Fragment(datagram, 0, 1008, more: false);
        BinaryPrimitives.WriteUInt16BigEndian(fragment.AsSpan(20), 8190);
        FixIpChecksum(fragment);
        h.Feed(fragment);

        Assert.Equal(1, h.Processor.Counters[DropReason.FragmentMalformed]);
    }

    [Fact]
    public void DuplicateFragment_IsDroppedAlone()
    {
        var h = Harness(ForwardingMethod.Nat);
        var fragments = Fragmenter.Split(ClientDatagram(), 1480, 2960);
        h.Feed(fragments[0]);
        h.Feed(fragments[0]);
        h.Feed(fragments[1]);
        h.Feed(fragments[2]);

        Assert.Equal(1, h.Processor.Counters[DropReason.FragmentDuplicate]);
        AssertForwardedToServer(h, ForwardingMethod.Nat);
    }

    [Fact]
    public void DatagramForNoService_FirstCountedByItsReason_RestAsFragmentOfDropped()
    {
        var h = Harness(ForwardingMethod.Nat);
        var datagram = FrameBuilder.UdpDatagram(DirectorMac, ClientMac, Client, ClientPort, Vip, 54, DataLength, Id);
        foreach (var fragment in Fragmenter.Split(datagram, 1480, 2960))
        {
            h.Feed(fragment);
        }

        Assert.Empty(h.Device.Sent);
        Assert.Equal(1, h.Processor.Counters[DropReason.NoService]);
        Assert.Equal(2, h.Processor.Counters[DropReason.FragmentOfDropped]);
    }

    [Fact]
    public void FragmentOfAnotherProtocol_IsDropped()
    {
        var h = Harness(ForwardingMethod.Nat);
        var datagram = ClientDatagram();
        datagram[EthernetHeader.Length + 9] = (byte)IpProtocol.Icmp;
        h.Feed(Fragmenter.Fragment(datagram, 0, 1480, more: true));

        Assert.Equal(1, h.Processor.Counters[DropReason.Fragment]);
    }

    [Fact]
    public void Datagrams_InFragments_AllocateNothing()
    {
        var h = Harness(ForwardingMethod.Nat);
        h.Device.Record = false;
        var frames = new List<byte[]>();
        for (var i = 0; i < 64; i++)
        {
            var datagram = FrameBuilder.UdpDatagram(DirectorMac, ClientMac, Client, (ushort)(ClientPort + i), Vip, ServicePort, DataLength, (ushort)(Id + i));
            frames.AddRange(Fragmenter.Split(datagram, 1480, 2960));
        }

        // Warm up over as many frames as are measured, in the same batches, so that tiered
        // compilation finishes its work before the measured loop (a short warm-up left it to run there).
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

    private static DataPathHarness Harness(ForwardingMethod method, Func<LvsConfig, LvsConfig>? more = null)
    {
        var h = new DataPathHarness(c => (more ?? (x => x))(c with
        {
            VirtualServices =
            [
                .. c.VirtualServices,
                new VirtualServiceConfig
                {
                    Protocol = IpProtocol.Udp,
                    Address = Vip,
                    Port = ServicePort,
                    Scheduler = "rr",
                    LocalAddresses = method == ForwardingMethod.FullNat ? [LocalAddress] : [],
                    RealServers = [new RealServerConfig { Address = Rs1, Port = method == ForwardingMethod.DirectRouting ? ServicePort : NatPort, Weight = 1, Method = method }],
                },
            ],
        }));
        h.ResolveRealServers();
        return h;
    }

    private static readonly uint LocalAddress = Ipv4Address.Parse("10.77.0.50");

    private static byte[] ClientDatagram() =>
        FrameBuilder.UdpDatagram(DirectorMac, ClientMac, Client, ClientPort, Vip, ServicePort, DataLength, Id);

    private static void AssertForwardedToServer(DataPathHarness h, ForwardingMethod method)
    {
        Assert.Equal(3, h.Device.Sent.Count);
        foreach (var sent in h.Device.Sent)
        {
            Assert.Equal(Rs1Mac, MacAddress.Read(sent));
            var ip = IndependentDecoder.Ipv4(sent);
            Assert.Equal(63, ip.TimeToLive);
            Assert.Equal(Id, ip.Id);
        }

        var whole = Fragmenter.Reassemble(h.Device.Sent);
        var (source, sourcePort) = method == ForwardingMethod.FullNat ? (LocalAddress, LocalPortOf(h)) : (Client, ClientPort);
        var (destination, port) = method == ForwardingMethod.DirectRouting ? (Vip, ServicePort) : (Rs1, NatPort);
        var expected = FrameBuilder.UdpDatagram(Rs1Mac, DirectorMac, source, sourcePort, destination, port, DataLength, Id);
        Assert.Equal(TransportBytes(expected), TransportBytes(whole));
        Assert.Equal(IndependentDecoder.Address(destination), IndependentDecoder.Ipv4(whole).DestinationAddress);
        IndependentDecoder.Udp(whole);
        Assert.Equal(1, h.Processor.Counters.FragmentedDatagrams);
    }

    private static ushort LocalPortOf(DataPathHarness h)
    {
        var index = h.Processor.Table.Find(new Core.Connections.ConnectionKey(IpProtocol.Udp, Client, ClientPort, Vip, ServicePort));
        Assert.True(index >= 0);
        return h.Processor.Table[index].LocalPort;
    }

    private static byte[] TransportBytes(byte[] frame) => frame.AsSpan(EthernetHeader.Length + 20).ToArray();

    private static void ResolveClient(DataPathHarness h) => Forwarding.FullNatForwardingTests.ResolveClient(h);

    private static void FixIpChecksum(byte[] frame)
    {
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(EthernetHeader.Length + 10), 0);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(EthernetHeader.Length + 10), Packets.Checksums.InternetChecksum.Compute(frame.AsSpan(EthernetHeader.Length, 20)));
    }
}
