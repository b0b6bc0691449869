using System.Diagnostics;
using LvsNet.Core.DataPath;
using LvsNet.Core.Runtime;
using LvsNet.PacketIo;
using LvsNet.Packets;
using LvsNet.Testing;
using Xunit;
using static LvsNet.Core.Tests.DataPath.DataPathHarness;

namespace LvsNet.Core.Tests.DataPath;

public class CaptureWorkerTests
{
    [Fact]
    public void Run_BatchingInjectionDevice_EveryStagedFrameIsFlushedBeforeTheThreadBlocks()
    {
        var runtime = new LvsRuntime();
        runtime.Apply(Config("rr", (Rs1, 1), (Rs2, 1)));
        var injection = new StagingInjectionDevice();
        var processor = new PacketProcessor(runtime, new FrameTransmitter(injection), new DataPathOptions { Mac = DirectorMac, Address = Dip, TableCapacity = 1024 }, new TestTimeProvider());
        var capture = new FakeCaptureDevice();
        using var worker = new CaptureWorker(capture, processor, batchSize: 4);
        worker.Start();

        capture.Enqueue(FrameBuilder.Arp(ArpOperation.Reply, Rs1Mac, Rs1, DirectorMac, Dip));
        capture.Enqueue(FrameBuilder.Arp(ArpOperation.Reply, Rs2Mac, Rs2, DirectorMac, Dip));
        for (var i = 0; i < 10; i++)
        {
            capture.Enqueue(FrameBuilder.Tcp(DirectorMac, ClientMac, Client, (ushort)(40000 + i), Vip, 80, TcpFlags.Syn));
        }

        // 10 SYNs (in batches of 4, 4 and 2) plus the ARP requests and gratuitous ARP sent at start.
        var stopwatch = Stopwatch.StartNew();
        while (injection.Delivered < 13 && stopwatch.Elapsed < TimeSpan.FromSeconds(10))
        {
            Thread.Sleep(10);
        }

        Assert.True(worker.Stop(TimeSpan.FromSeconds(5)));
        Assert.Equal(13, injection.Delivered);
        Assert.Equal(0, injection.Staged);
        Assert.True(injection.Flushes >= 3, $"flushes {injection.Flushes}");
    }

    /// <summary>Holds sent frames until <see cref="Flush"/>, like the AF_PACKET device.</summary>
    private sealed class StagingInjectionDevice : IInjectionDevice
    {
        private int _staged;
        private int _delivered;
        private int _flushes;

        public string Name => "fake0";

        public long SendFailures => 0;

        public int Staged => Volatile.Read(ref _staged);

        public int Delivered => Volatile.Read(ref _delivered);

        public int Flushes => Volatile.Read(ref _flushes);

        public bool Send(ReadOnlySpan<byte> frame)
        {
            Interlocked.Increment(ref _staged);
            return true;
        }

        public void Flush()
        {
            Interlocked.Increment(ref _flushes);
            Interlocked.Add(ref _delivered, Interlocked.Exchange(ref _staged, 0));
        }

        public void Dispose()
        {
        }
    }
}
