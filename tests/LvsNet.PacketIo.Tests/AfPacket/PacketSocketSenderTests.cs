using LvsNet.PacketIo.AfPacket;
using LvsNet.PacketIo.Pcap;
using LvsNet.PacketIo.Tests.Infrastructure;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.PacketIo.Tests.AfPacket;

/// <summary>The batched sender of the libpcap backend, on the veth pair of a namespace each test creates.</summary>
[Trait("Category", "Lab")]
public sealed class PacketSocketSenderTests
{
    private static readonly TimeSpan ReceiveLimit = TimeSpan.FromSeconds(20);

    [RequiresRootFact]
    public void Send_Batched_ReachesPeerInOrderWithOneSystemCallPerBatch()
    {
        const int count = 200;
        using var lab = VethLab.Create();
        using var witness = lab.Open(() => new LiveCaptureDevice(
            new DeviceConfiguration(VethLab.CaptureInterface) { SnapLength = 2048, BufferSizeBytes = 4 << 20, Filter = "ether proto 0x88b5" }));
        using var sender = lab.Open(() => new PacketSocketSender(VethLab.InjectionInterface, batchSize: 64));

        for (var i = 0; i < count; i++)
        {
            Assert.True(sender.Send(TestFrames.Experimental(i, 64 + i)));
        }

        // 3 full batches went out on their own; 8 frames wait for the flush.
        Assert.Equal(count % 64, sender.PendingFrames);
        sender.Flush();
        Assert.Equal(0, sender.PendingFrames);
        Assert.Equal(count, sender.Sent);
        Assert.Equal(4, sender.SendCalls);
        Assert.Equal(0, sender.SendFailures);

        var handler = new CollectingFrameHandler();
        Assert.True(CaptureLoop.ReceiveUntil(witness, handler, () => handler.Frames.Count >= count, ReceiveLimit));
        Assert.Equal(count, handler.Frames.Count);
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(TestFrames.Experimental(i, 64 + i), handler.Frames[i]);
        }
    }

    [RequiresRootFact]
    public void Send_FrameRefusedByKernel_IsCountedAndTheRestOfTheBatchIsSent()
    {
        using var lab = VethLab.Create();
        using var sender = lab.Open(() => new PacketSocketSender(VethLab.InjectionInterface));

        Assert.True(sender.Send(TestFrames.Experimental(1, 100)));
        Assert.True(sender.Send(TestFrames.Experimental(2, 9000))); // fits a slot, exceeds the 1500-byte MTU
        Assert.True(sender.Send(TestFrames.Experimental(3, 100)));
        Assert.False(sender.Send(TestFrames.Experimental(4, 10000))); // larger than a slot
        sender.Flush();

        Assert.Equal(2, sender.Sent);
        Assert.Equal(2, sender.SendFailures);
        Assert.Equal(90, sender.LastSendErrno); // EMSGSIZE
    }

    [RequiresRootFact]
    public void Send_SteadyState_AllocatesNothingPerFrame()
    {
        const int count = 5000;
        using var lab = VethLab.Create();
        using var sender = lab.Open(() => new PacketSocketSender(VethLab.InjectionInterface));
        var frame = TestFrames.Experimental(7, 128);
        sender.Send(frame);
        sender.Flush();

        var before = AllocationMeter.Start();
        for (var i = 0; i < count; i++)
        {
            sender.Send(frame);
            if (i % 64 == 63)
            {
                sender.Flush();
            }
        }

        sender.Flush();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(count + 1, sender.Sent);
        Assert.Equal(0, allocated);
    }

    [RequiresRootFact]
    public void Constructor_NonexistentInterface_ThrowsPcapExceptionNamingIt()
    {
        var error = Assert.Throws<PcapException>(() => new PacketSocketSender("lvt-nosuch0"));
        Assert.Contains("lvt-nosuch0", error.Message, StringComparison.Ordinal);
    }

    [RequiresRootFact]
    public void Dispose_DiscardsStagedFramesAndThenRefusesToSend()
    {
        using var lab = VethLab.Create();
        var sender = lab.Open(() => new PacketSocketSender(VethLab.InjectionInterface));
        Assert.True(sender.Send(TestFrames.Experimental(1, 100)));
        sender.Dispose();
        sender.Flush();
        Assert.Equal(0, sender.Sent);
        Assert.Throws<ObjectDisposedException>(() => sender.Send(TestFrames.Experimental(2, 100)));
    }
}
