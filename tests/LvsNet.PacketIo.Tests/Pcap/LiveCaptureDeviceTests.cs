using System.Diagnostics;
using System.Security.Cryptography;
using LvsNet.PacketIo.Pcap;
using LvsNet.PacketIo.Tests.Infrastructure;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.PacketIo.Tests.Pcap;

/// <summary>
/// Live capture on a veth pair inside a namespace each test creates (see <see cref="VethLab"/>).
/// Frames are only ever injected on the lab's veth; every loop is bounded in count and time.
/// </summary>
[Trait("Category", "Lab")]
public sealed class LiveCaptureDeviceTests
{
    private const string ExperimentalOnly = "ether proto 0x88b5";
    private static readonly TimeSpan ReceiveLimit = TimeSpan.FromSeconds(20);

    [RequiresRootFact]
    public void Dispatch_InjectedFrames_AllReceivedWithExactBytes()
    {
        const int count = 200;
        using var lab = VethLab.Create();
        // Production defaults (65535-byte snap length, 32 MiB): even with the veth's offloads on, which
        // makes libpcap use 64 KiB ring slots, the ring holds about 500 frames.
        using var capture = lab.Open(() => new LiveCaptureDevice(new DeviceConfiguration(VethLab.CaptureInterface)));
        using var injection = lab.Open(() => new LiveInjectionDevice(VethLab.InjectionInterface));
        var sent = Enumerable.Range(0, count).Select(i => TestFrames.Experimental(i, 18 + (i * 97 % 1497))).ToList();

        foreach (var frame in sent)
        {
            Assert.True(injection.Send(frame), injection.LastSendError);
        }

        var handler = new CollectingFrameHandler();
        var complete = CaptureLoop.ReceiveUntil(capture, handler,
            () => handler.WithEtherType(TestFrames.ExperimentalEtherType).Count >= count, ReceiveLimit);

        Assert.True(complete, $"received {handler.WithEtherType(TestFrames.ExperimentalEtherType).Count} of {count}");
        var received = handler.WithEtherType(TestFrames.ExperimentalEtherType);
        Assert.Equal(count, received.Count);
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(sent[i], received[i]);
        }

        Assert.All(handler.Frames.Zip(handler.WireLengths), pair => Assert.Equal(pair.First.Length, pair.Second));
        Assert.Equal(0, injection.SendFailures);
        Assert.Null(capture.ActivationWarning);
        Assert.Equal(65535, capture.SnapLength);
        Assert.Equal(0, capture.GetStatistics().Dropped);
    }

    [RequiresRootFact]
    public void Dispatch_SteadyState_AllocatesNothing()
    {
        const int warmUp = 50;
        const int measured = 200;
        using var lab = VethLab.Create();
        using var capture = lab.Open(() => new LiveCaptureDevice(CaptureConfiguration() with { Filter = ExperimentalOnly }));
        using var injection = lab.Open(() => new LiveInjectionDevice(VethLab.InjectionInterface));
        var frames = Enumerable.Range(0, warmUp + measured).Select(i => TestFrames.Experimental(i, 60 + (i % 200))).ToArray();
        var handler = new CountingFrameHandler();

        // Warm up both paths (JIT, static initialisation) before measuring.
        for (var i = 0; i < warmUp; i++)
        {
            injection.Send(frames[i]);
        }

        Assert.True(CaptureLoop.ReceiveUntil(capture, handler, () => handler.Count >= warmUp, ReceiveLimit));

        var beforeSend = AllocationMeter.Start();
        for (var i = warmUp; i < frames.Length; i++)
        {
            injection.Send(frames[i]);
        }

        var sendAllocated = GC.GetAllocatedBytesForCurrentThread() - beforeSend;

        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * (long)ReceiveLimit.TotalSeconds);
        var beforeReceive = AllocationMeter.Start();
        while (handler.Count < frames.Length && Stopwatch.GetTimestamp() < deadline)
        {
            if (capture.Wait(TimeSpan.FromMilliseconds(200)) != WaitResult.Timeout)
            {
                capture.Dispatch(handler, 64);
            }
        }

        var receiveAllocated = GC.GetAllocatedBytesForCurrentThread() - beforeReceive;

        Assert.Equal(frames.Length, handler.Count);
        Assert.Equal(0, sendAllocated);
        Assert.Equal(0, receiveAllocated);
    }

    [RequiresRootFact]
    public void Dispatch_MaxFrames_StopsAtLimitAndKeepsTheRest()
    {
        using var lab = VethLab.Create();
        using var capture = lab.Open(() => new LiveCaptureDevice(CaptureConfiguration() with { Filter = ExperimentalOnly }));
        using var injection = lab.Open(() => new LiveInjectionDevice(VethLab.InjectionInterface));
        for (var i = 0; i < 10; i++)
        {
            Assert.True(injection.Send(TestFrames.Experimental(i, 100)));
        }

        var handler = new CollectingFrameHandler();
        Assert.True(CaptureLoop.ReceiveUntil(capture, handler, () => handler.Frames.Count >= 3, ReceiveLimit));
        var afterFirst = handler.Frames.Count;

        // Each Dispatch honours the limit; the remaining frames are still there for the next one.
        Assert.True(capture.Dispatch(handler, 3) <= 3);
        Assert.True(CaptureLoop.ReceiveUntil(capture, handler, () => handler.Frames.Count >= 10, ReceiveLimit));
        Assert.True(afterFirst <= 64);
        Assert.Equal(Enumerable.Range(0, 10), handler.Frames.Select(frame => TestFrames.GetSequence(frame)));
    }

    [RequiresRootFact]
    public void Filter_NonMatchingFrames_AreExcluded()
    {
        const int perType = 40;
        using var lab = VethLab.Create();
        using var capture = lab.Open(() => new LiveCaptureDevice(CaptureConfiguration() with { Filter = ExperimentalOnly }));
        using var injection = lab.Open(() => new LiveInjectionDevice(VethLab.InjectionInterface));

        // Interleaved, excluded frame first: veth delivers in order, so by the time the last
        // matching frame has arrived every excluded frame would have arrived too.
        for (var i = 0; i < perType; i++)
        {
            Assert.True(injection.Send(TestFrames.Experimental(i, 80, TestFrames.OtherExperimentalEtherType)));
            Assert.True(injection.Send(TestFrames.Experimental(i, 80, TestFrames.ExperimentalEtherType)));
        }

        var handler = new CollectingFrameHandler();
        Assert.True(CaptureLoop.ReceiveUntil(capture, handler, () => handler.Frames.Count >= perType, ReceiveLimit));
        Assert.Equal(WaitResult.Timeout, capture.Wait(TimeSpan.FromMilliseconds(200)));

        Assert.Equal(perType, handler.Frames.Count);
        Assert.All(handler.Frames, frame => Assert.Equal(TestFrames.ExperimentalEtherType, TestFrames.GetEtherType(frame)));
        Assert.Equal(Enumerable.Range(0, perType), handler.Frames.Select(frame => TestFrames.GetSequence(frame)));
    }

    [RequiresRootFact]
    public void GetStatistics_AfterFrames_CountsThemWithoutDrops()
    {
        const int count = 30;
        using var lab = VethLab.Create();
        using var capture = lab.Open(() => new LiveCaptureDevice(CaptureConfiguration() with { Filter = ExperimentalOnly }));
        using var injection = lab.Open(() => new LiveInjectionDevice(VethLab.InjectionInterface));
        Assert.Equal(new CaptureStatistics(0, 0, 0), capture.GetStatistics());

        for (var i = 0; i < count; i++)
        {
            Assert.True(injection.Send(TestFrames.Experimental(i, 100)));
        }

        var handler = new CountingFrameHandler();
        Assert.True(CaptureLoop.ReceiveUntil(capture, handler, () => handler.Count >= count, ReceiveLimit));
        var statistics = capture.GetStatistics();

        Assert.Equal(count, statistics.Received);
        Assert.Equal(0, statistics.Dropped);
        Assert.Equal(statistics, capture.GetStatistics());
    }

    [RequiresRootFact]
    public void GetStatistics_RingOverflows_CountsDroppedFrames()
    {
        const int count = 100;
        using var lab = VethLab.Create();

        // 64 KiB holds at most 32 slots whatever the offload settings, so some of 100 frames are dropped.
        using var capture = lab.Open(() => new LiveCaptureDevice(
            new DeviceConfiguration(VethLab.CaptureInterface) { BufferSizeBytes = 64 * 1024, Filter = ExperimentalOnly }));
        using var injection = lab.Open(() => new LiveInjectionDevice(VethLab.InjectionInterface));
        var (_, statistics) = SendThenRead(capture, injection, count, 1000);
        Assert.True(statistics.Dropped > 0, statistics.ToString());
    }

    [RequiresRootFact]
    public void SmallSnapLength_TheSameBufferHoldsManyMoreSmallFrames()
    {
        // In immediate mode libpcap uses a TPACKET_V2 ring: one fixed slot per frame, its size taken
        // from the snap length (capped at MTU + 18 only when the interface has no segmentation offload;
        // veth has it on). So the snap length, not the frame, decides how many frames a buffer holds.
        const int count = 300;
        const int bufferBytes = 64 * 1024;
        using var lab = VethLab.Create();
        using var injection = lab.Open(() => new LiveInjectionDevice(VethLab.InjectionInterface));
        var held = new Dictionary<int, int>();
        foreach (var snapLength in new[] { DeviceConfiguration.DefaultSnapLength, 192 })
        {
            using var capture = lab.Open(() => new LiveCaptureDevice(
                new DeviceConfiguration(VethLab.CaptureInterface) { BufferSizeBytes = bufferBytes, SnapLength = snapLength, Filter = ExperimentalOnly }));
            held[snapLength] = SendThenRead(capture, injection, count, 100).Handled;
        }

        // 64 KiB is at most 32 slots of 2 KiB (fewer with 64 KiB slots). A 192-byte snap length makes a
        // slot of 192 bytes plus libpcap's header room, about 270 bytes: 15 to a 4 KiB page, 240 in 64 KiB.
        Assert.InRange(held[DeviceConfiguration.DefaultSnapLength], 1, 32);
        Assert.InRange(held[192], 200, 256);
    }

    /// <summary>
    /// Sends <paramref name="count"/> frames without reading, then reads until the device has accounted for every one
    /// (each either handled or counted as dropped by the kernel).
    /// </summary>
    private static (int Handled, CaptureStatistics Statistics) SendThenRead(LiveCaptureDevice capture, LiveInjectionDevice injection, int count, int length)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.True(injection.Send(TestFrames.Experimental(i, length)));
        }

        var handler = new CountingFrameHandler();
        var statistics = default(CaptureStatistics);
        var settled = CaptureLoop.ReceiveUntil(capture, handler, () =>
        {
            statistics = capture.GetStatistics();
            return statistics.Received == count && handler.Count == statistics.Received - statistics.Dropped;
        }, ReceiveLimit);
        Assert.True(settled, $"snap length {capture.SnapLength}: {statistics}, handled {handler.Count}");
        return (handler.Count, statistics);
    }

    [RequiresRootFact]
    public void Wait_NothingArrives_TimesOut()
    {
        using var lab = VethLab.Create();
        using var capture = lab.Open(() => new LiveCaptureDevice(CaptureConfiguration() with { Filter = ExperimentalOnly }));

        Assert.Equal(WaitResult.Timeout, capture.Wait(TimeSpan.Zero));
        Assert.Equal(WaitResult.Timeout, capture.Wait(TimeSpan.FromMilliseconds(100)));
        Assert.Equal(0, capture.Dispatch(new CountingFrameHandler(), 64));
    }

    [RequiresRootFact]
    public void Wait_WakeFromAnotherThread_ReturnsWokenPromptly()
    {
        using var lab = VethLab.Create();
        using var capture = lab.Open(() => new LiveCaptureDevice(CaptureConfiguration() with { Filter = ExperimentalOnly }));
        var waker = new Thread(() =>
        {
            Thread.Sleep(200);
            capture.Wake();
        });

        var stopwatch = Stopwatch.StartNew();
        waker.Start();
        var result = capture.Wait(TimeSpan.FromSeconds(60));
        stopwatch.Stop();
        waker.Join();

        Assert.Equal(WaitResult.Woken, result);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"Wait returned after {stopwatch.Elapsed}");
    }

    [RequiresRootFact]
    public void Wait_SeveralWakesBeforeWait_ReturnWokenOnceAndDrain()
    {
        using var lab = VethLab.Create();
        using var capture = lab.Open(() => new LiveCaptureDevice(CaptureConfiguration() with { Filter = ExperimentalOnly }));

        capture.Wake();
        capture.Wake();
        capture.Wake();

        Assert.Equal(WaitResult.Woken, capture.Wait(TimeSpan.FromSeconds(30)));
        Assert.Equal(WaitResult.Timeout, capture.Wait(TimeSpan.Zero));
    }

    [RequiresRootFact]
    public void Wait_FrameArrives_ReturnsReadable()
    {
        using var lab = VethLab.Create();
        using var capture = lab.Open(() => new LiveCaptureDevice(CaptureConfiguration() with { Filter = ExperimentalOnly }));
        using var injection = lab.Open(() => new LiveInjectionDevice(VethLab.InjectionInterface));

        Assert.True(injection.Send(TestFrames.Experimental(1, 64)));

        Assert.Equal(WaitResult.Readable, capture.Wait(TimeSpan.FromSeconds(30)));
        var handler = new CollectingFrameHandler();
        Assert.Equal(1, capture.Dispatch(handler, 64));
        Assert.Equal(TestFrames.Experimental(1, 64), handler.Frames[0]);
    }

    [RequiresRootFact]
    public void Dispose_WhileAnotherThreadWaits_WaitReturnsPromptly()
    {
        using var lab = VethLab.Create();
        var capture = lab.Open(() => new LiveCaptureDevice(CaptureConfiguration() with { Filter = ExperimentalOnly }));
        var result = WaitResult.Timeout;
        var waiter = new Thread(() => result = capture.Wait(TimeSpan.FromSeconds(60)));
        waiter.Start();
        Thread.Sleep(200);

        var stopwatch = Stopwatch.StartNew();
        capture.Dispose();
        var joined = waiter.Join(TimeSpan.FromSeconds(10));

        Assert.True(joined, "Wait did not return after Dispose");
        Assert.Equal(WaitResult.Woken, result);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10));
        Assert.Throws<ObjectDisposedException>(() => capture.Wait(TimeSpan.Zero));
        capture.Wake(); // after Dispose: ignored
    }

    [RequiresRootFact]
    public void Constructor_NonexistentInterface_ThrowsPcapExceptionNamingIt()
    {
        var name = "lvtnx" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

        var exception = Assert.Throws<PcapException>(() => new LiveCaptureDevice(new DeviceConfiguration(name)));

        Assert.Contains(name, exception.Message, StringComparison.Ordinal);
        Assert.Equal("pcap_activate", exception.Step);
        Assert.Equal(-5, exception.StatusCode); // PCAP_ERROR_NO_SUCH_DEVICE
    }

    [RequiresRootFact]
    public void Constructor_InvalidFilter_ThrowsNamingCompileStep()
    {
        using var lab = VethLab.Create();

        var exception = Assert.Throws<PcapException>(
            () => lab.Open(() => new LiveCaptureDevice(CaptureConfiguration() with { Filter = "tcp port" })));

        Assert.Equal("pcap_compile", exception.Step);
        Assert.Contains("tcp port", exception.Message, StringComparison.Ordinal);
        Assert.Contains("'a'", exception.Message, StringComparison.Ordinal);
    }

    [RequiresRootFact]
    public void Constructor_WithoutCapNetRaw_ThrowsPermissionMessage()
    {
        // Capabilities are per thread: drop CAP_NET_RAW on a dedicated thread that then exits.
        // Opening fails at socket creation, so nothing is captured or sent on "lo".
        var failure = DedicatedThread.Run("without CAP_NET_RAW", () =>
        {
            TestInterop.DropEffectiveCapability(TestInterop.CapNetRaw);
            try
            {
                using var device = new LiveCaptureDevice(new DeviceConfiguration("lo"));
                return (Exception?)null;
            }
            catch (Exception exception)
            {
                return exception;
            }
        });

        var exception = Assert.IsType<PcapException>(failure);
        Assert.Equal("pcap_activate", exception.Step);
        Assert.Equal(-8, exception.StatusCode); // PCAP_ERROR_PERM_DENIED
        Assert.Contains("CAP_NET_RAW", exception.Message, StringComparison.Ordinal);
        Assert.Contains("'lo'", exception.Message, StringComparison.Ordinal);
    }

    // A snap length of 2048 keeps ring slots small (frames here are at most 1514 bytes), so 4 MiB
    // holds about 2000 frames even with the veth's offloads on; see DeviceConfiguration.BufferSizeBytes.
    private static DeviceConfiguration CaptureConfiguration() =>
        new(VethLab.CaptureInterface) { SnapLength = 2048, BufferSizeBytes = 4 * 1024 * 1024 };
}
