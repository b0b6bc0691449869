using System.Diagnostics;
using LvsNet.PacketIo.Files;
using LvsNet.PacketIo.Tests.Infrastructure;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.PacketIo.Tests.Files;

public sealed class OfflineCaptureDeviceTests
{
    [Fact]
    public void Dispatch_MaxFrames_HandsOverAtMostThatMany()
    {
        using var device = CreateDevice(5);
        var handler = new CollectingFrameHandler();

        Assert.Equal(WaitResult.Readable, device.Wait(TimeSpan.Zero));
        Assert.Equal(2, device.Dispatch(handler, 2));
        Assert.Equal(3, device.Dispatch(handler, 64));
        Assert.Equal(0, device.Dispatch(handler, 64));

        Assert.Equal(Enumerable.Range(0, 5), handler.Frames.Select(frame => TestFrames.GetSequence(frame)));
        Assert.Equal(new CaptureStatistics(5, 0, 0), device.GetStatistics());
        Assert.Equal(WaitResult.Timeout, device.Wait(TimeSpan.Zero));
    }

    [Fact]
    public void Wait_WakeBeforeWait_ReturnsWokenOnce()
    {
        using var device = CreateDevice(0);
        device.Wake();
        device.Wake();

        Assert.Equal(WaitResult.Woken, device.Wait(TimeSpan.FromSeconds(30)));
        Assert.Equal(WaitResult.Timeout, device.Wait(TimeSpan.Zero));
    }

    [Fact]
    public void Wait_WakeFromAnotherThread_ReturnsWoken()
    {
        using var device = CreateDevice(0);
        using var waker = new Timer(_ => device.Wake(), null, TimeSpan.FromMilliseconds(100), Timeout.InfiniteTimeSpan);
        var stopwatch = Stopwatch.StartNew();

        Assert.Equal(WaitResult.Woken, device.Wait(TimeSpan.FromSeconds(60)));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), stopwatch.Elapsed.ToString());
    }

    [Fact]
    public void Dispatch_SteadyState_AllocatesNothing()
    {
        using var device = CreateDevice(200);
        var handler = new CountingFrameHandler();
        device.Dispatch(handler, 1);

        var before = AllocationMeter.Start();
        while (device.Dispatch(handler, 16) > 0)
        {
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(200, handler.Count);
    }

    [Fact]
    public void Constructor_NonEthernetFile_Throws()
    {
        using var stream = new MemoryStream();
        using (new PcapFileWriter(stream, leaveOpen: true))
        {
        }

        var bytes = stream.ToArray();
        bytes[20] = 113; // LINKTYPE_LINUX_SLL

        Assert.Throws<PcapFileFormatException>(() => new OfflineCaptureDevice("sll", new MemoryStream(bytes)));
    }

    [Fact]
    public void Constructor_File_ReadsFramesFromPath()
    {
        using var file = new TempFile();
        using (var writer = PcapFileWriter.Create(file.Path))
        {
            writer.Write(TestFrames.Experimental(9, 80), DateTimeOffset.UnixEpoch);
        }

        using var device = new OfflineCaptureDevice(file.Path);
        var handler = new CollectingFrameHandler();

        Assert.Equal(file.Path, device.Name);
        Assert.Equal(1, device.Dispatch(handler, 10));
        Assert.Equal(TestFrames.Experimental(9, 80), handler.Frames[0]);
        Assert.Equal(80, handler.WireLengths[0]);
    }

    private static OfflineCaptureDevice CreateDevice(int frameCount)
    {
        var stream = new MemoryStream();
        using (var writer = new PcapFileWriter(stream, leaveOpen: true))
        {
            for (var i = 0; i < frameCount; i++)
            {
                writer.Write(TestFrames.Experimental(i, 60 + i), DateTimeOffset.UnixEpoch.AddSeconds(i));
            }
        }

        stream.Position = 0;
        return new OfflineCaptureDevice("test.pcap", stream);
    }
}
