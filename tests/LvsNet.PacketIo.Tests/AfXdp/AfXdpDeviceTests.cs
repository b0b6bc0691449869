using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using LvsNet.PacketIo.AfXdp;
using LvsNet.PacketIo.Bpf;
using LvsNet.PacketIo.Pcap;
using LvsNet.PacketIo.Tests.Infrastructure;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.PacketIo.Tests.AfXdp;

/// <summary>
/// The AF_XDP backend on a veth pair between two namespaces each test creates (see <see cref="XdpLab"/>).
/// Traffic only ever crosses the lab's veth; every loop is bounded in count and time.
/// </summary>
[Trait("Category", "Lab")]
public sealed class AfXdpDeviceTests
{
    private static readonly TimeSpan ReceiveLimit = TimeSpan.FromSeconds(20);

    // Addresses the kernel does not hold: the "virtual" addresses the device owns in these tests.
    private static readonly byte[] Vip1 = [10, 201, 0, 100];
    private static readonly byte[] Vip2 = [10, 201, 0, 101];
    private static readonly byte[] Unlisted = [10, 201, 0, 102];

    [RequiresRootFact]
    public void Constructor_OnVeth_BindsInCopyModeAndAttachesNatively_DisposeDetaches()
    {
        using var lab = XdpLab.Create();
        var device = lab.OpenInDevice(() => new AfXdpDevice(Options()));
        try
        {
            Assert.Equal(XdpSocketMode.Copy, device.SocketMode);
            Assert.Equal(XdpAttachMode.Native, device.AttachMode);
            Assert.Equal(XdpLab.DeviceInterface, device.Name);
            Assert.Contains("prog/xdp", lab.DeviceLinkDescription(), StringComparison.Ordinal);
        }
        finally
        {
            device.Dispose();
        }

        Assert.DoesNotContain("prog/xdp", lab.DeviceLinkDescription(), StringComparison.Ordinal);
    }

    [RequiresRootFact]
    public void Dispatch_ListedAddress_ReceivesIpv4AndArpForIt_AndNothingElse()
    {
        const int count = 50;
        using var lab = XdpLab.Create();
        using var device = lab.OpenInDevice(() => new AfXdpDevice(Options() with { Addresses = [Address(Vip1)] }));
        using var injection = lab.OpenInPeer(() => new LiveInjectionDevice(XdpLab.PeerInterface));

        var expected = new List<byte[]>();
        for (var i = 0; i < count; i++)
        {
            // Unlisted traffic first: veth delivers in order, so once the last listed frame is in, every
            // unlisted one would have been too.
            Assert.True(injection.Send(Udp(Unlisted, i)));
            Assert.True(injection.Send(TestFrames.ArpRequest(TestFrames.SourceMac, XdpLab.PeerAddress, Unlisted)));
            var udp = Udp(Vip1, i);
            var arp = TestFrames.ArpRequest(TestFrames.SourceMac, XdpLab.PeerAddress, Vip1);
            Assert.True(injection.Send(udp));
            Assert.True(injection.Send(arp));
            expected.Add(udp);
            expected.Add(arp);
        }

        var handler = new CollectingFrameHandler();
        Assert.True(CaptureLoop.ReceiveUntil(device, handler, () => handler.Frames.Count >= expected.Count, ReceiveLimit),
            $"received {handler.Frames.Count} of {expected.Count}");
        Assert.Equal(WaitResult.Timeout, device.Wait(TimeSpan.FromMilliseconds(200)));

        Assert.Equal(expected, handler.Frames);
        Assert.Equal(handler.Frames.Select(frame => frame.Length), handler.WireLengths);
        Assert.Equal(new CaptureStatistics(expected.Count, 0, 0), device.GetStatistics());
    }

    [RequiresRootFact]
    public void KernelTraffic_WhileAttached_StillReachesTheKernel()
    {
        using var lab = XdpLab.Create();
        using var device = lab.OpenInDevice(() => new AfXdpDevice(Options() with { Addresses = [Address(Vip1)] }));

        // A UDP exchange between the two kernels: the peer's ARP request for the device namespace's own
        // address, the datagram to it and the reply all have to pass the program untouched.
        using var server = lab.OpenInDevice(() => UdpSocket(new IPEndPoint(new IPAddress(XdpLab.DeviceAddress), 9000)));
        using var client = lab.OpenInPeer(() => UdpSocket(new IPEndPoint(new IPAddress(XdpLab.PeerAddress), 0)));
        var buffer = new byte[64];
        for (var round = 0; round < 3; round++)
        {
            client.SendTo([(byte)round, 1, 2, 3], new IPEndPoint(new IPAddress(XdpLab.DeviceAddress), 9000));
            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            var length = server.ReceiveFrom(buffer, ref from);
            Assert.Equal([(byte)round, 1, 2, 3], buffer[..length]);
            server.SendTo(buffer.AsSpan(0, length), from);
            Assert.Equal(length, client.Receive(buffer));
        }

        Assert.Equal(0, device.Dispatch(new CollectingFrameHandler(), 64));
        Assert.Equal(0, device.GetStatistics().Received);

        // Control: once the kernel's address is listed, the same datagram goes to the socket instead.
        device.SetAddresses([Address(XdpLab.DeviceAddress)]);
        server.ReceiveTimeout = 300;
        client.SendTo([9, 9, 9, 9], new IPEndPoint(new IPAddress(XdpLab.DeviceAddress), 9000));
        var handler = new CollectingFrameHandler();
        Assert.True(CaptureLoop.ReceiveUntil(device, handler, () => handler.Frames.Count >= 1, ReceiveLimit));
        var timeout = Assert.Throws<SocketException>(() => server.Receive(buffer));
        Assert.Equal(SocketError.TimedOut, timeout.SocketErrorCode);
        Assert.Equal([9, 9, 9, 9], handler.Frames[0][42..]);
    }

    [RequiresRootFact]
    public void SetAddresses_AtRunTime_ChangesWhatIsRedirected()
    {
        using var lab = XdpLab.Create();
        using var device = lab.OpenInDevice(() => new AfXdpDevice(Options() with { Addresses = [Address(Vip1)] }));
        using var injection = lab.OpenInPeer(() => new LiveInjectionDevice(XdpLab.PeerInterface));

        var handler = new CollectingFrameHandler();
        Assert.True(injection.Send(Udp(Vip2, 1)));
        Assert.True(injection.Send(Udp(Vip1, 2)));
        Assert.True(CaptureLoop.ReceiveUntil(device, handler, () => handler.Frames.Count >= 1, ReceiveLimit));
        Assert.Equal([2], handler.Frames.Select(Sequence));

        device.SetAddresses([Address(Vip2)]);
        Assert.Equal([Address(Vip2)], device.GetAddresses());
        Assert.True(injection.Send(Udp(Vip1, 3)));
        Assert.True(injection.Send(Udp(Vip2, 4)));
        Assert.True(CaptureLoop.ReceiveUntil(device, handler, () => handler.Frames.Count >= 2, ReceiveLimit));

        device.SetAddresses([Address(Vip1), Address(Vip2)]);
        Assert.True(injection.Send(Udp(Vip1, 5)));
        Assert.True(injection.Send(Udp(Unlisted, 6)));
        Assert.True(injection.Send(Udp(Vip2, 7)));
        Assert.True(CaptureLoop.ReceiveUntil(device, handler, () => handler.Frames.Count >= 4, ReceiveLimit));

        device.SetAddresses([]);
        Assert.True(injection.Send(Udp(Vip1, 8)));
        Assert.True(injection.Send(Udp(Vip2, 9)));
        Assert.Equal(WaitResult.Timeout, device.Wait(TimeSpan.FromMilliseconds(300)));

        Assert.Equal([2, 4, 5, 7], handler.Frames.Select(Sequence));
        Assert.Empty(device.GetAddresses());
    }

    [RequiresRootFact]
    public void ReplySources_AreRedirectedBySource_ExceptTrafficToHostAddresses()
    {
        using var lab = XdpLab.Create();
        using var device = lab.OpenInDevice(() => new AfXdpDevice(Options() with
        {
            ReplySourceAddresses = [Address(XdpLab.PeerAddress)],
            HostAddresses = [Address(XdpLab.DeviceAddress)],
        }));
        using var injection = lab.OpenInPeer(() => new LiveInjectionDevice(XdpLab.PeerInterface));

        // A NAT reply: from the real server (the peer) to a client address nobody here holds.
        Assert.True(injection.Send(Udp(Unlisted, 1)));
        var handler = new CollectingFrameHandler();
        Assert.True(CaptureLoop.ReceiveUntil(device, handler, () => handler.Frames.Count >= 1, ReceiveLimit));
        Assert.Equal([1], handler.Frames.Select(Sequence));

        // The same real server talking to the host's own address (a health check) reaches the kernel.
        using var server = lab.OpenInDevice(() => UdpSocket(new IPEndPoint(new IPAddress(XdpLab.DeviceAddress), 9000)));
        using var client = lab.OpenInPeer(() => UdpSocket(new IPEndPoint(new IPAddress(XdpLab.PeerAddress), 0)));
        var buffer = new byte[64];
        client.SendTo([7, 7, 7, 7], new IPEndPoint(new IPAddress(XdpLab.DeviceAddress), 9000));
        Assert.Equal(4, server.Receive(buffer));

        // Control: without the host address listed, that datagram is taken by its source.
        device.SetAddresses([], [Address(XdpLab.PeerAddress)], []);
        server.ReceiveTimeout = 300;
        client.SendTo([8, 8, 8, 8], new IPEndPoint(new IPAddress(XdpLab.DeviceAddress), 9000));
        Assert.True(CaptureLoop.ReceiveUntil(device, handler, () => handler.Frames.Count >= 2, ReceiveLimit));
        Assert.Equal([8, 8, 8, 8], handler.Frames[1][42..]);
        Assert.Equal(SocketError.TimedOut, Assert.Throws<SocketException>(() => server.Receive(buffer)).SocketErrorCode);
        Assert.Empty(device.GetAddresses());
    }

    [RequiresRootFact]
    public void Send_Batch_ReachesThePeerInOrderWithExactBytes()
    {
        const int count = 300;
        using var lab = XdpLab.Create();
        using var device = lab.OpenInDevice(() => new AfXdpDevice(Options()));
        using var capture = lab.OpenInPeer(() => new LiveCaptureDevice(
            new DeviceConfiguration(XdpLab.PeerInterface) { Filter = "ether proto 0x88b5" }));
        var sent = Enumerable.Range(0, count).Select(i => TestFrames.Experimental(i, 60 + (i * 97 % 1454))).ToList();

        foreach (var frame in sent)
        {
            Assert.True(device.Send(frame));
        }

        device.Flush();

        var handler = new CollectingFrameHandler();
        Assert.True(CaptureLoop.ReceiveUntil(capture, handler, () => handler.Frames.Count >= count, ReceiveLimit),
            $"peer received {handler.Frames.Count} of {count}");
        Assert.Equal(sent, handler.Frames);
        Assert.Equal(0, device.SendFailures);
        Assert.Equal(0, device.TransmitPending);

        // Every transmit frame comes back through the completion ring.
        device.Flush();
        Assert.Equal(Options().FrameCount / 2, device.TransmitFree);
    }

    [RequiresRootFact]
    public void Send_TooLargeOrEmpty_IsCountedAsFailure()
    {
        using var lab = XdpLab.Create();
        using var device = lab.OpenInDevice(() => new AfXdpDevice(Options()));

        Assert.False(device.Send(new byte[Options().FrameSizeBytes + 1]));
        Assert.False(device.Send([]));
        Assert.Equal(2, device.SendFailures);
    }

    [RequiresRootFact]
    public void Wake_FromAnotherThread_UnblocksWait()
    {
        using var lab = XdpLab.Create();
        using var device = lab.OpenInDevice(() => new AfXdpDevice(Options()));
        var result = WaitResult.Timeout;
        var waiter = new Thread(() => result = device.Wait(Timeout.InfiniteTimeSpan)) { IsBackground = true };

        waiter.Start();
        Thread.Sleep(100);
        device.Wake();

        Assert.True(waiter.Join(TimeSpan.FromSeconds(10)));
        Assert.Equal(WaitResult.Woken, result);
        Assert.Equal(WaitResult.Timeout, device.Wait(TimeSpan.FromMilliseconds(50)));
    }

    [RequiresRootFact]
    public void Dispose_WhileAnotherThreadWaits_WakesItAndDetaches()
    {
        using var lab = XdpLab.Create();
        var device = lab.OpenInDevice(() => new AfXdpDevice(Options()));
        var result = WaitResult.Timeout;
        var waiter = new Thread(() => result = device.Wait(Timeout.InfiniteTimeSpan)) { IsBackground = true };

        waiter.Start();
        Thread.Sleep(100);
        device.Dispose();

        Assert.True(waiter.Join(TimeSpan.FromSeconds(10)));
        Assert.Equal(WaitResult.Woken, result);
        Assert.DoesNotContain("prog/xdp", lab.DeviceLinkDescription(), StringComparison.Ordinal);
        Assert.Throws<ObjectDisposedException>(() => device.Wait(TimeSpan.Zero));
        Assert.Throws<ObjectDisposedException>(() => device.Send(new byte[60]));
        device.Dispose();
    }

    [RequiresRootTheory]
    [InlineData(0)]
    [InlineData(1000)]
    public void DispatchAndSend_SteadyState_AllocateNothing(int busyPollMicroseconds)
    {
        const int warmUp = 64;
        const int measured = 256;
        using var lab = XdpLab.Create();
        using var device = lab.OpenInDevice(() => new AfXdpDevice(Options() with { Addresses = [Address(Vip1)], BusyPollTime = TimeSpan.FromMicroseconds(busyPollMicroseconds) }));
        using var injection = lab.OpenInPeer(() => new LiveInjectionDevice(XdpLab.PeerInterface));
        var frames = Enumerable.Range(0, warmUp + measured).Select(i => Udp(Vip1, i)).ToArray();
        var outgoing = TestFrames.Experimental(0, 200);
        var handler = new EchoingFrameHandler(device, outgoing);

        for (var i = 0; i < warmUp; i++)
        {
            injection.Send(frames[i]);
        }

        Assert.True(CaptureLoop.ReceiveUntil(device, handler, () => handler.Count >= warmUp, ReceiveLimit));
        for (var i = warmUp; i < frames.Length; i++)
        {
            injection.Send(frames[i]);
        }

        // Receive every frame and send one per frame from the handler (flushed after each batch).
        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * (long)ReceiveLimit.TotalSeconds);
        var before = AllocationMeter.Start();
        while (handler.Count < frames.Length && Stopwatch.GetTimestamp() < deadline)
        {
            if (device.Wait(TimeSpan.FromMilliseconds(200)) != WaitResult.Timeout)
            {
                device.Dispatch(handler, 64);
            }
        }

        device.Flush();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(frames.Length, handler.Count);
        Assert.Equal(0, handler.SendFailures);
        Assert.Equal(0, allocated);
    }

    [RequiresRootFact]
    public void Wait_BusyPoll_TimesOutWhenIdleAndFindsAFrameThatArrives()
    {
        using var lab = XdpLab.Create();
        using var device = lab.OpenInDevice(() => new AfXdpDevice(Options() with { Addresses = [Address(Vip1)], BusyPollTime = TimeSpan.FromMilliseconds(2) }));
        using var injection = lab.OpenInPeer(() => new LiveInjectionDevice(XdpLab.PeerInterface));
        var handler = new CollectingFrameHandler();

        var start = Stopwatch.GetTimestamp();
        Assert.Equal(WaitResult.Timeout, device.Wait(TimeSpan.FromMilliseconds(30)));
        Assert.True(Stopwatch.GetElapsedTime(start) >= TimeSpan.FromMilliseconds(25));

        var frame = Udp(Vip1, 1);
        Assert.True(injection.Send(frame));
        Assert.True(CaptureLoop.ReceiveUntil(device, handler, () => handler.Frames.Count >= 1, ReceiveLimit));
        Assert.Equal(frame, handler.Frames[0]);
    }

    [RequiresRootFact]
    public void Constructor_ZeroCopyDemandedOnVeth_ThrowsNamingTheFallback_AndLeavesNothingAttached()
    {
        using var lab = XdpLab.Create();

        var exception = Assert.Throws<XdpException>(() =>
            lab.OpenInDevice(() => new AfXdpDevice(Options() with { SocketMode = XdpSocketMode.ZeroCopy })));

        Assert.StartsWith("bind(AF_XDP", exception.Step, StringComparison.Ordinal);
        Assert.Contains("'pcap' or 'afpacket' backend", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("prog/xdp", lab.DeviceLinkDescription(), StringComparison.Ordinal);
    }

    [RequiresRootFact]
    public void Constructor_WithoutBpfCapabilities_ThrowsPermissionDeniedNamingTheFallback()
    {
        const int capSysAdmin = 21;
        const int capBpf = 39;
        using var lab = XdpLab.Create();

        // Only the dedicated thread that opens the device loses the capabilities; it exits afterwards.
        var exception = Assert.Throws<XdpException>(() => lab.OpenInDevice(() =>
        {
            TestInterop.DropEffectiveCapability(capBpf);
            TestInterop.DropEffectiveCapability(capSysAdmin);
            return new AfXdpDevice(Options());
        }));

        Assert.Equal(1, exception.ErrorNumber);
        Assert.StartsWith("bpf(", exception.Step, StringComparison.Ordinal);
        Assert.Contains("CAP_BPF", exception.Message, StringComparison.Ordinal);
        Assert.Contains("'pcap' or 'afpacket' backend", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("prog/xdp", lab.DeviceLinkDescription(), StringComparison.Ordinal);
    }

    [RequiresRootFact]
    public void Constructor_NoSuchInterface_ThrowsNamingTheInterface()
    {
        using var lab = XdpLab.Create();

        var exception = Assert.Throws<XdpException>(() =>
            lab.OpenInDevice(() => new AfXdpDevice(new AfXdpOptions("lvt-missing"))));

        Assert.Contains("lvt-missing", exception.Message, StringComparison.Ordinal);
        Assert.Contains("'pcap' or 'afpacket' backend", exception.Message, StringComparison.Ordinal);
    }

    [RequiresRootFact]
    public void CompositeWithLibpcapCompanion_WaitsJointly_AnArpFrameForTheHostEndsTheWaitAtOnce()
    {
        using var lab = XdpLab.Create();
        var xdp = lab.OpenInDevice(() => new AfXdpDevice(Options() with { Addresses = [Address(Vip1)] }));
        var arp = lab.OpenInDevice(() => new LiveCaptureDevice(new DeviceConfiguration(XdpLab.DeviceInterface) { Promiscuous = false, Filter = "arp" }));

        // A poll interval far beyond the caller's timeout: only a joint wait can return before it.
        using var device = new CompositeCaptureDevice(xdp, arp, TimeSpan.FromMinutes(1));
        using var injection = lab.OpenInPeer(() => new LiveInjectionDevice(XdpLab.PeerInterface));
        Assert.True(device.WaitsJointly);

        // A who-has for the kernel's own address: the XDP program passes it to the kernel, where only
        // the libpcap companion sees it.
        var request = TestFrames.ArpRequest(TestFrames.SourceMac, XdpLab.PeerAddress, XdpLab.DeviceAddress);
        using var sender = Task.Run(() =>
        {
            Thread.Sleep(300);
            Assert.True(injection.Send(request));
        });
        var watch = Stopwatch.StartNew();
        var result = device.Wait(TimeSpan.FromSeconds(15));
        var waited = watch.Elapsed;
        sender.Wait(TimeSpan.FromSeconds(5));
        Assert.Equal(WaitResult.Readable, result);
        Assert.True(waited < TimeSpan.FromSeconds(10), $"the wait took {waited.TotalSeconds:0.000} s of its 15 s timeout");

        var handler = new CollectingFrameHandler();
        Assert.True(CaptureLoop.ReceiveUntil(device, handler, () => handler.Frames.Count >= 1, ReceiveLimit));
        Assert.Equal(request, handler.Frames[0]);
        Assert.Equal(0, xdp.GetStatistics().Received);
    }

    [Fact]
    public void Constructor_InvalidSizes_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AfXdpDevice(new AfXdpOptions("x") { FrameSizeBytes = 1000 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AfXdpDevice(new AfXdpOptions("x") { FrameCount = 1000 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AfXdpDevice(new AfXdpOptions("x") { RingSize = 512 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AfXdpDevice(new AfXdpOptions("x") { BusyPollTime = TimeSpan.FromMilliseconds(11) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AfXdpDevice(new AfXdpOptions("x") { BusyPollTime = TimeSpan.FromTicks(-1) }));
    }

    private static Socket UdpSocket(IPEndPoint local)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 5000 };
        socket.Bind(local);
        return socket;
    }

    private static AfXdpOptions Options() => new(XdpLab.DeviceInterface);

    private static uint Address(byte[] address) => BinaryPrimitives.ReadUInt32BigEndian(address);

    private static byte[] Udp(byte[] destination, int sequence)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(payload, sequence);
        return TestFrames.Udp(TestFrames.SourceMac, TestFrames.DestinationMac, XdpLab.PeerAddress, destination, 40000, 9, payload);
    }

    // Ethernet 14 + IPv4 20 + UDP 8, then the sequence number.
    private static int Sequence(byte[] frame) => BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(42));

    /// <summary>Counts frames and sends one fixed frame per received frame, allocating nothing.</summary>
    private sealed class EchoingFrameHandler(AfXdpDevice device, byte[] outgoing) : IFrameHandler
    {
        public int Count { get; private set; }

        public int SendFailures { get; private set; }

        public void OnFrame(ReadOnlySpan<byte> frame, int wireLength)
        {
            Count++;
            if (!device.Send(outgoing))
            {
                SendFailures++;
            }
        }
    }
}
