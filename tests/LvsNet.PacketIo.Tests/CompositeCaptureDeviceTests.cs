using System.Diagnostics;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.PacketIo.Tests;

public class CompositeCaptureDeviceTests
{
    private sealed class Collector : IFrameHandler
    {
        public List<byte> First { get; } = [];

        public void OnFrame(ReadOnlySpan<byte> frame, int wireLength) => First.Add(frame[0]);
    }

    [Fact]
    public void Dispatch_ReadsBothDevices_AndWaitIsBoundedByThePollInterval()
    {
        var primary = new FakeCaptureDevice();
        var secondary = new FakeCaptureDevice();
        using var device = new CompositeCaptureDevice(primary, secondary, TimeSpan.FromMilliseconds(20));
        primary.Enqueue([1]);
        primary.Enqueue([2]);
        secondary.Enqueue([9]);
        var collector = new Collector();
        Assert.Equal(3, device.Dispatch(collector, 64));
        Assert.Equal([1, 2, 9], collector.First);
        Assert.Equal(3, device.GetStatistics().Received);

        // Idle primary: Wait returns after the poll interval, not the caller's timeout, so the secondary is read soon.
        using var idle = new CompositeCaptureDevice(new FakeCaptureDevice(), new FakeCaptureDevice(), TimeSpan.FromMilliseconds(20));
        var watch = Stopwatch.StartNew();
        Assert.Equal(WaitResult.Timeout, idle.Wait(TimeSpan.FromSeconds(5)));
        Assert.InRange(watch.ElapsedMilliseconds, 10, 2000);
        Assert.Equal("fake0", device.Name);
    }
}
