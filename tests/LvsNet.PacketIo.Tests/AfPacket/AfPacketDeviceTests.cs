using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using LvsNet.PacketIo.AfPacket;
using LvsNet.PacketIo.Pcap;
using LvsNet.PacketIo.Tests.Infrastructure;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.PacketIo.Tests.AfPacket;

/// <summary>The AF_PACKET device on the veth pair of a namespace each test creates; nothing is sent anywhere else.</summary>
[Trait("Category", "Lab")]
public sealed class AfPacketDeviceTests
{
    private static readonly TimeSpan ReceiveLimit = TimeSpan.FromSeconds(20);

    [RequiresRootTheory]
    [InlineData(AfPacketRingVersion.V2)]
    [InlineData(AfPacketRingVersion.V3)]
    public void Dispatch_FramesSentOnPeer_AreHandedOverAsSpansIntoTheRing(AfPacketRingVersion ring)
    {
        const int count = 300;
        using var lab = VethLab.Create();
        using var device = lab.Open(() => new AfPacketDevice(Options(VethLab.CaptureInterface) with { Filter = "ether proto 0x88b5", RingVersion = ring }));
        using var peer = lab.Open(() => new LiveInjectionDevice(VethLab.InjectionInterface));

        for (var i = 0; i < count; i++)
        {
            Assert.True(peer.Send(TestFrames.Experimental(i, 60 + (i % 1400))));
        }

        var handler = new RingCheckingHandler(device);
        Assert.True(CaptureLoop.ReceiveUntil(device, handler, () => handler.Count >= count, ReceiveLimit));

        Assert.Equal(count, handler.Count);
        Assert.Equal(0, handler.OutsideRing);
        Assert.Equal(0, handler.OutOfOrder);
        Assert.Equal(0, handler.WrongLength);
        var statistics = device.GetStatistics();
        Assert.True(statistics.Received >= count, $"received {statistics.Received}");
        Assert.Equal(0, statistics.Dropped);
    }

    [RequiresRootTheory]
    [InlineData(AfPacketRingVersion.V2)]
    [InlineData(AfPacketRingVersion.V3)]
    public void Dispatch_Vlan8021QFrame_IsHandedOverWithItsTagAsOnTheWire(AfPacketRingVersion ring)
    {
        // The kernel moves a received 802.1Q tag into the ring header; the device must put it back.
        using var lab = VethLab.Create();
        using var device = lab.Open(() => new AfPacketDevice(Options(VethLab.CaptureInterface) with { Filter = "ether proto 0x88b5", RingVersion = ring }));
        using var peer = lab.Open(() => new LiveInjectionDevice(VethLab.InjectionInterface));

        var untagged = TestFrames.Experimental(7, 100);
        var tagged = new byte[untagged.Length + 4];
        untagged.AsSpan(0, 12).CopyTo(tagged);
        BinaryPrimitives.WriteUInt16BigEndian(tagged.AsSpan(12), 0x8100);
        BinaryPrimitives.WriteUInt16BigEndian(tagged.AsSpan(14), 0x6000 | 42); // PCP 3, VID 42
        untagged.AsSpan(12).CopyTo(tagged.AsSpan(16));
        Assert.True(peer.Send(tagged));
        Assert.True(peer.Send(untagged));

        var handler = new CopyingHandler();
        Assert.True(CaptureLoop.ReceiveUntil(device, handler, () => handler.Frames.Count >= 2, ReceiveLimit));
        Assert.Equal(Convert.ToHexString(tagged), Convert.ToHexString(handler.Frames[0].Frame));
        Assert.Equal(tagged.Length, handler.Frames[0].WireLength);
        Assert.Equal(Convert.ToHexString(untagged), Convert.ToHexString(handler.Frames[1].Frame));
        Assert.Equal(untagged.Length, handler.Frames[1].WireLength);
    }

    private sealed class CopyingHandler : IFrameHandler
    {
        public List<(byte[] Frame, int WireLength)> Frames { get; } = [];

        public void OnFrame(ReadOnlySpan<byte> frame, int wireLength) => Frames.Add((frame.ToArray(), wireLength));
    }

    [RequiresRootFact]
    public void Dispatch_ManyTimesTheRingSize_ReturnsEveryBlockToTheKernel()
    {
        // Two 64 KiB blocks hold about 450 200-byte frames; 3,000 only get through if each block goes
        // back to the kernel once read. The block timeout is long so that blocks retire when full, not
        // while this thread is still sending (with 1 ms, a 2-block ring overflows after a 2 ms stall).
        const int rounds = 10;
        const int perRound = 300;
        using var lab = VethLab.Create();
        using var device = lab.Open(() => new AfPacketDevice(Options(VethLab.CaptureInterface) with
        {
            RingVersion = AfPacketRingVersion.V3,
            BlockCount = 2,
            BlockTimeout = TimeSpan.FromMilliseconds(100),
            Filter = "ether proto 0x88b5",
        }));
        using var peer = lab.Open(() => new LiveInjectionDevice(VethLab.InjectionInterface));
        var handler = new CountingFrameHandler();

        for (var round = 0; round < rounds; round++)
        {
            for (var i = 0; i < perRound; i++)
            {
                Assert.True(peer.Send(TestFrames.Experimental(i, 200)));
            }

            var expected = (round + 1) * perRound;
            Assert.True(CaptureLoop.ReceiveUntil(device, handler, () => handler.Count >= expected, ReceiveLimit), $"round {round}: {handler.Count}");
        }

        Assert.Equal(rounds * perRound, handler.Count);
        Assert.Equal(new CaptureStatistics(rounds * perRound, 0, 0), device.GetStatistics());
    }

    [RequiresRootFact]
    public void Dispatch_V2ManyTimesTheRingSize_ReturnsEverySlotToTheKernel()
    {
        // Four 64 KiB blocks are 128 slots of 2 KiB; 3,000 frames in rounds of 100 only get through if each
        // slot goes back to the kernel once read, and the ring wraps more than twenty times.
        const int rounds = 30;
        const int perRound = 100;
        using var lab = VethLab.Create();
        using var device = lab.Open(() => new AfPacketDevice(Options(VethLab.CaptureInterface) with
        {
            RingVersion = AfPacketRingVersion.V2,
            BlockCount = 4,
            Filter = "ether proto 0x88b5",
        }));
        using var peer = lab.Open(() => new LiveInjectionDevice(VethLab.InjectionInterface));
        var handler = new RingCheckingHandler(device);

        for (var round = 0; round < rounds; round++)
        {
            for (var i = 0; i < perRound; i++)
            {
                Assert.True(peer.Send(TestFrames.Experimental((round * perRound) + i, 200)));
            }

            var expected = (round + 1) * perRound;
            Assert.True(CaptureLoop.ReceiveUntil(device, handler, () => handler.Count >= expected, ReceiveLimit), $"round {round}: {handler.Count}");
        }

        Assert.Equal(rounds * perRound, handler.Count);
        Assert.Equal(0, handler.OutsideRing);
        Assert.Equal(0, handler.OutOfOrder);
        Assert.Equal(new CaptureStatistics(rounds * perRound, 0, 0), device.GetStatistics());
    }

    [RequiresRootFact]
    public void Wait_V2OneFrame_IsReadableWithoutWaitingForABlockTimer()
    {
        // With a 30 s block timeout a TPACKET_V3 ring would keep a lone frame for up to 30 s; the V2 ring
        // must wake the reader for it (the kernel calls sk_data_ready per frame).
        using var lab = VethLab.Create();
        using var device = lab.Open(() => new AfPacketDevice(Options(VethLab.CaptureInterface) with
        {
            RingVersion = AfPacketRingVersion.V2,
            BlockTimeout = TimeSpan.FromSeconds(30),
            Filter = "ether proto 0x88b5",
        }));
        using var peer = lab.Open(() => new LiveInjectionDevice(VethLab.InjectionInterface));
        var handler = new CountingFrameHandler();
        Assert.Equal(WaitResult.Timeout, device.Wait(TimeSpan.FromMilliseconds(20)));

        var start = Stopwatch.GetTimestamp();
        Assert.True(peer.Send(TestFrames.Experimental(1, 100)));
        var result = device.Wait(TimeSpan.FromSeconds(10));
        var waited = Stopwatch.GetElapsedTime(start);

        Assert.Equal(WaitResult.Readable, result);
        Assert.True(waited < TimeSpan.FromSeconds(3), $"waited {waited.TotalMilliseconds} ms");
        Assert.Equal(1, device.Dispatch(handler, 64));
        Assert.Equal(1, handler.Count);
    }

    [RequiresRootTheory]
    [InlineData(AfPacketRingVersion.V2)]
    [InlineData(AfPacketRingVersion.V3)]
    public void Wait_BusyPoll_TimesOutWhenIdleAndFindsAFrameThatArrives(AfPacketRingVersion ring)
    {
        using var lab = VethLab.Create();
        using var device = lab.Open(() => new AfPacketDevice(Options(VethLab.CaptureInterface) with
        {
            RingVersion = ring,
            BusyPollTime = TimeSpan.FromMilliseconds(2),
            Filter = "ether proto 0x88b5",
        }));
        using var peer = lab.Open(() => new LiveInjectionDevice(VethLab.InjectionInterface));
        var handler = new CountingFrameHandler();

        var start = Stopwatch.GetTimestamp();
        Assert.Equal(WaitResult.Timeout, device.Wait(TimeSpan.FromMilliseconds(30)));
        Assert.True(Stopwatch.GetElapsedTime(start) >= TimeSpan.FromMilliseconds(25));

        Assert.True(peer.Send(TestFrames.Experimental(1, 100)));
        Assert.True(CaptureLoop.ReceiveUntil(device, handler, () => handler.Count >= 1, ReceiveLimit));
        Assert.Equal(1, handler.Count);
    }

    [RequiresRootFact]
    public void Dispatch_WithFilter_DropsNonMatchingFramesInTheKernel()
    {
        const int count = 100;
        using var lab = VethLab.Create();
        using var device = lab.Open(() => new AfPacketDevice(Options(VethLab.CaptureInterface) with { Filter = "ether proto 0x88b5" }));
        using var peer = lab.Open(() => new LiveInjectionDevice(VethLab.InjectionInterface));

        for (var i = 0; i < count; i++)
        {
            Assert.True(peer.Send(TestFrames.Experimental(i, 100, TestFrames.OtherExperimentalEtherType)));
            Assert.True(peer.Send(TestFrames.Experimental(i, 100)));
        }

        var handler = new EtherTypeCountingHandler();
        Assert.True(CaptureLoop.ReceiveUntil(device, handler, () => handler.Matching >= count, ReceiveLimit));

        // The frames were interleaved, so every non-matching frame came before the last matching one.
        Assert.Equal(count, handler.Matching);
        Assert.Equal(0, handler.Other);
        Assert.Equal(count, device.GetStatistics().Received);
    }

    [RequiresRootFact]
    public void Send_Batched_ReachesPeerWithOneSystemCallPerBatch()
    {
        const int count = 200;
        using var lab = VethLab.Create();
        using var witness = lab.Open(() => new LiveCaptureDevice(
            new DeviceConfiguration(VethLab.CaptureInterface) { SnapLength = 2048, BufferSizeBytes = 4 << 20, Filter = "ether proto 0x88b5" }));
        using var device = lab.Open(() => new AfPacketDevice(Options(VethLab.InjectionInterface) with { TransmitBatchSize = 64 }));

        for (var i = 0; i < count; i++)
        {
            Assert.True(device.Send(TestFrames.Experimental(i, 64 + i)));
        }

        // 3 full batches went out on their own; 8 frames wait for the flush.
        Assert.Equal(count % 64, device.PendingFrames);
        device.Flush();
        Assert.Equal(0, device.PendingFrames);
        Assert.Equal(count, device.Sent);
        Assert.Equal(4, device.SendCalls);
        Assert.Equal(0, device.SendFailures);

        var handler = new CollectingFrameHandler();
        Assert.True(CaptureLoop.ReceiveUntil(witness, handler, () => handler.Frames.Count >= count, ReceiveLimit));
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(TestFrames.Experimental(i, 64 + i), handler.Frames[i]);
        }
    }

    [RequiresRootFact]
    public void Send_FrameRefusedByKernel_IsCountedAndTheRestOfTheBatchIsSent()
    {
        using var lab = VethLab.Create();
        using var device = lab.Open(() => new AfPacketDevice(Options(VethLab.InjectionInterface)));

        Assert.True(device.Send(TestFrames.Experimental(1, 100)));
        Assert.True(device.Send(TestFrames.Experimental(2, 9000))); // fits a slot, exceeds the 1500-byte MTU
        Assert.True(device.Send(TestFrames.Experimental(3, 100)));
        Assert.False(device.Send(TestFrames.Experimental(4, 10000))); // larger than a slot
        device.Flush();

        Assert.Equal(2, device.Sent);
        Assert.Equal(2, device.SendFailures);
        Assert.Equal(90, device.LastSendErrno); // EMSGSIZE
    }

    [RequiresRootFact]
    public void Wake_FromAnotherThread_UnblocksInfiniteWait()
    {
        using var lab = VethLab.Create();
        using var device = lab.Open(() => new AfPacketDevice(Options(VethLab.CaptureInterface) with { Filter = "ether proto 0x88b5" }));

        var stopwatch = Stopwatch.StartNew();
        var waiter = Task.Factory.StartNew(() => device.Wait(Timeout.InfiniteTimeSpan), TaskCreationOptions.LongRunning);
        Thread.Sleep(100);
        Assert.False(waiter.IsCompleted);
        device.Wake();

        Assert.True(waiter.Wait(TimeSpan.FromSeconds(5)));
        Assert.Equal(WaitResult.Woken, waiter.Result);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5));
        Assert.Equal(WaitResult.Timeout, device.Wait(TimeSpan.FromMilliseconds(20)));
    }

    [RequiresRootFact]
    public void Fanout_TwoSocketsInOneHashGroup_SplitFlowsAndKeepEachFlowOnOneSocket()
    {
        const int flows = 64;
        const int framesPerFlow = 4;
        var group = RandomNumberGenerator.GetInt32(1, ushort.MaxValue);
        using var lab = VethLab.Create();
        var options = Options(VethLab.CaptureInterface) with { Filter = "udp", FanoutGroupId = group, FanoutMode = AfPacketFanoutMode.Hash };
        using var first = lab.Open(() => new AfPacketDevice(options));
        using var second = lab.Open(() => new AfPacketDevice(options));
        using var peer = lab.Open(() => new LiveInjectionDevice(VethLab.InjectionInterface));

        for (var round = 0; round < framesPerFlow; round++)
        {
            for (var flow = 0; flow < flows; flow++)
            {
                Assert.True(peer.Send(TestFrames.Udp(TestFrames.SourceMac, TestFrames.DestinationMac,
                    [10, 0, 0, 1], [10, 0, 0, 2], (ushort)(20000 + flow), 80, [1, 2, 3, 4])));
            }
        }

        var firstHandler = new FlowCountingHandler();
        var secondHandler = new FlowCountingHandler();
        var stopwatch = Stopwatch.StartNew();
        while (firstHandler.Total + secondHandler.Total < flows * framesPerFlow && stopwatch.Elapsed < ReceiveLimit)
        {
            first.Wait(TimeSpan.FromMilliseconds(20));
            first.Dispatch(firstHandler, 64);
            second.Dispatch(secondHandler, 64);
        }

        Assert.Equal(flows * framesPerFlow, firstHandler.Total + secondHandler.Total);
        Assert.True(firstHandler.Total > 0 && secondHandler.Total > 0, $"split {firstHandler.Total}/{secondHandler.Total}");
        for (var flow = 0; flow < flows; flow++)
        {
            var a = firstHandler.PerSourcePort[20000 + flow];
            var b = secondHandler.PerSourcePort[20000 + flow];
            Assert.True((a == framesPerFlow && b == 0) || (a == 0 && b == framesPerFlow), $"flow {flow}: {a}/{b}");
        }
    }

    [RequiresRootFact]
    public void Dispose_ReleasesSocketMappingAndPromiscuousMode()
    {
        using var lab = VethLab.Create();
        for (var i = 0; i < 5; i++)
        {
            var device = lab.Open(() => new AfPacketDevice(Options(VethLab.CaptureInterface) with { BlockCount = 16, FanoutGroupId = 4242 }));
            var descriptor = "/proc/self/fd/" + device.SocketDescriptor;
            var socket = new FileInfo(descriptor).LinkTarget ?? string.Empty;
            Assert.StartsWith("socket:[", socket, StringComparison.Ordinal);
            Assert.Contains(socket, File.ReadAllText("/proc/self/maps"), StringComparison.Ordinal);
            Assert.Contains("promiscuity 1", ExternalCommand.Run("ip", "-n", lab.Name, "-d", "link", "show", "dev", VethLab.CaptureInterface), StringComparison.Ordinal);

            device.Dispose();
            device.Dispose();

            // The ring mapping is gone and the descriptor is closed (or already reused by another socket).
            Assert.DoesNotContain(socket, File.ReadAllText("/proc/self/maps"), StringComparison.Ordinal);
            Assert.NotEqual(socket, File.Exists(descriptor) ? new FileInfo(descriptor).LinkTarget : null);
            Assert.Contains("promiscuity 0", ExternalCommand.Run("ip", "-n", lab.Name, "-d", "link", "show", "dev", VethLab.CaptureInterface), StringComparison.Ordinal);
            Assert.Throws<ObjectDisposedException>(() => device.Dispatch(new CountingFrameHandler(), 1));
            Assert.Throws<ObjectDisposedException>(() => device.Send(TestFrames.Experimental(1, 64)));
            Assert.Throws<ObjectDisposedException>(() => device.Wait(TimeSpan.Zero));
            device.Wake();
            device.Flush();
        }
    }

    [RequiresRootTheory]
    [InlineData(AfPacketRingVersion.V2)]
    [InlineData(AfPacketRingVersion.V3)]
    public void DispatchAndSend_SteadyState_AllocateNothingPerFrame(AfPacketRingVersion ring)
    {
        const int count = 2000;
        using var lab = VethLab.Create();
        using var device = lab.Open(() => new AfPacketDevice(Options(VethLab.CaptureInterface) with { Filter = "ether proto 0x88b5", RingVersion = ring, BusyPollTime = TimeSpan.FromMilliseconds(1) }));
        using var peer = lab.Open(() => new AfPacketDevice(Options(VethLab.InjectionInterface) with { Filter = "less 1" }));
        var frame = TestFrames.Experimental(7, 128);
        var handler = new CountingFrameHandler();

        // Warm up every path once (JIT, first block).
        peer.Send(frame);
        peer.Flush();
        Assert.True(CaptureLoop.ReceiveUntil(device, handler, () => handler.Count >= 1, ReceiveLimit));

        var before = AllocationMeter.Start();
        for (var i = 0; i < count; i++)
        {
            peer.Send(frame);
        }

        peer.Flush();
        var start = Stopwatch.GetTimestamp();
        while (handler.Count < count + 1 && Stopwatch.GetElapsedTime(start) < ReceiveLimit)
        {
            if (device.Wait(TimeSpan.FromMilliseconds(50)) != WaitResult.Timeout)
            {
                device.Dispatch(handler, 64);
            }
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(count + 1, handler.Count);
        Assert.Equal(count + 1, peer.Sent);
        Assert.Equal(0, allocated);
    }

    [RequiresRootFact]
    public void Constructor_NonexistentInterface_ThrowsPcapExceptionNamingIt()
    {
        var name = "lvtnx" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

        var exception = Assert.Throws<PcapException>(() => new AfPacketDevice(new AfPacketOptions(name)));

        Assert.Contains(name, exception.Message, StringComparison.Ordinal);
        Assert.Equal("if_nametoindex", exception.Step);
        Assert.Contains("No such device", exception.Message, StringComparison.Ordinal);
    }

    [RequiresRootFact]
    public void Constructor_BadFilter_ThrowsPcapCompileError()
    {
        using var lab = VethLab.Create();

        var exception = Assert.Throws<PcapException>(() => lab.Open(() => new AfPacketDevice(Options(VethLab.CaptureInterface) with { Filter = "ether proto nonsense" })));

        Assert.Equal("pcap_compile", exception.Step);
    }

    [Fact]
    public void Validate_BlockSizeNotPageMultiple_Throws()
    {
        Assert.Throws<ArgumentException>(() => new AfPacketOptions("x") { BlockSizeBytes = 5000 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new AfPacketOptions("x") { BlockTimeout = TimeSpan.Zero }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new AfPacketOptions("x") { FanoutGroupId = 70000 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new AfPacketOptions("x") { BusyPollTime = TimeSpan.FromMilliseconds(11) }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new AfPacketOptions("x") { BusyPollTime = TimeSpan.FromTicks(-1) }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new AfPacketOptions("x") { RingVersion = (AfPacketRingVersion)3 }.Validate());
        new AfPacketOptions("x").Validate();
        Assert.Equal(AfPacketRingVersion.V2, new AfPacketOptions("x").RingVersion);
    }

    // 128 blocks: 4,096 slots of 2 KiB with TPACKET_V2 (the tests send up to 2,000 frames before reading).
    private static AfPacketOptions Options(string interfaceName) => new(interfaceName) { BlockSizeBytes = 64 * 1024, BlockCount = 128 };

    private sealed class RingCheckingHandler(AfPacketDevice device) : IFrameHandler
    {
        public int Count { get; private set; }

        public int OutsideRing { get; private set; }

        public int OutOfOrder { get; private set; }

        public int WrongLength { get; private set; }

        public void OnFrame(ReadOnlySpan<byte> frame, int wireLength)
        {
            if (TestFrames.GetEtherType(frame) != TestFrames.ExperimentalEtherType)
            {
                return;
            }

            if (!device.IsInRing(frame))
            {
                OutsideRing++;
            }

            if (TestFrames.GetSequence(frame) != Count)
            {
                OutOfOrder++;
            }

            if (frame.Length != 60 + (Count % 1400) || wireLength != frame.Length)
            {
                WrongLength++;
            }

            Count++;
        }
    }

    private sealed class EtherTypeCountingHandler : IFrameHandler
    {
        public int Matching { get; private set; }

        public int Other { get; private set; }

        public void OnFrame(ReadOnlySpan<byte> frame, int wireLength)
        {
            if (TestFrames.GetEtherType(frame) == TestFrames.ExperimentalEtherType)
            {
                Matching++;
            }
            else
            {
                Other++;
            }
        }
    }

    private sealed class FlowCountingHandler : IFrameHandler
    {
        public int[] PerSourcePort { get; } = new int[65536];

        public int Total { get; private set; }

        public void OnFrame(ReadOnlySpan<byte> frame, int wireLength)
        {
            // Ethernet (14) + IPv4 without options (20): the UDP source port.
            if (frame.Length >= 14 + 20 + 8 && TestFrames.GetEtherType(frame) == 0x0800)
            {
                PerSourcePort[BinaryPrimitives.ReadUInt16BigEndian(frame[34..])]++;
                Total++;
            }
        }
    }
}
