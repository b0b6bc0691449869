using System.Security.Cryptography;
using LvsNet.PacketIo.Pcap;
using LvsNet.PacketIo.Tests.Infrastructure;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.PacketIo.Tests.Pcap;

/// <summary>Injection on the veth of a namespace each test creates; nothing is sent anywhere else.</summary>
[Trait("Category", "Lab")]
public sealed class LiveInjectionDeviceTests
{
    [RequiresRootFact]
    public void Send_FrameLargerThanMtu_ReturnsFalseCountsAndKeepsError()
    {
        using var lab = VethLab.Create();
        using var injection = lab.Open(() => new LiveInjectionDevice(VethLab.InjectionInterface));
        Assert.Null(injection.LastSendError);

        // 9000 bytes on a 1500-byte MTU: the packet socket refuses it with EMSGSIZE.
        var sent = injection.Send(TestFrames.Experimental(1, 9000));

        Assert.False(sent);
        Assert.Equal(1, injection.SendFailures);
        Assert.Contains("send", injection.LastSendError, StringComparison.Ordinal);
        Assert.Contains("too long", injection.LastSendError, StringComparison.Ordinal);

        Assert.True(injection.Send(TestFrames.Experimental(2, 1514)));
        Assert.Equal(1, injection.SendFailures);
    }

    [RequiresRootFact]
    public void Send_DoesNotReachOwnHandleOrCaptureOutgoingDirection()
    {
        // The capture device on the sending end uses direction In, so it must not see what the
        // injection handle sends there, while the peer end receives it.
        using var lab = VethLab.Create();
        var experimental = new DeviceConfiguration(VethLab.InjectionInterface) { SnapLength = 2048, BufferSizeBytes = 1 << 20, Filter = "ether proto 0x88b5" };
        using var sameEnd = lab.Open(() => new LiveCaptureDevice(experimental));
        using var peerEnd = lab.Open(() => new LiveCaptureDevice(experimental with { InterfaceName = VethLab.CaptureInterface }));
        using var injection = lab.Open(() => new LiveInjectionDevice(VethLab.InjectionInterface));

        Assert.True(injection.Send(TestFrames.Experimental(1, 64)));

        var peerHandler = new CountingFrameHandler();
        Assert.True(CaptureLoop.ReceiveUntil(peerEnd, peerHandler, () => peerHandler.Count >= 1, TimeSpan.FromSeconds(20)));
        Assert.Equal(0, sameEnd.Dispatch(new CountingFrameHandler(), 64));
    }

    [RequiresRootFact]
    public void Constructor_Always_HandleDoesNotQueueReceivedFrames()
    {
        const int count = 50;
        using var lab = VethLab.Create();
        using var underTest = lab.Open(() => new LiveInjectionDevice(VethLab.InjectionInterface));
        using var witness = lab.Open(() => new LiveCaptureDevice(
            new DeviceConfiguration(VethLab.InjectionInterface) { SnapLength = 2048, BufferSizeBytes = 1 << 20, Filter = "ether proto 0x88b5" }));
        using var peer = lab.Open(() => new LiveInjectionDevice(VethLab.CaptureInterface));

        // Frames sent from the peer end arrive on the interface the device under test is open on.
        for (var i = 0; i < count; i++)
        {
            Assert.True(peer.Send(TestFrames.Experimental(i, 200)));
        }

        var handler = new CountingFrameHandler();
        Assert.True(CaptureLoop.ReceiveUntil(witness, handler, () => handler.Count >= count, TimeSpan.FromSeconds(20)));

        // The kernel filter rejected every one of them before the ring: nothing received, nothing dropped.
        Assert.Equal(new CaptureStatistics(0, 0, 0), underTest.GetReceiveStatistics());
    }

    [RequiresRootFact]
    public void Constructor_NonexistentInterface_ThrowsPcapExceptionNamingIt()
    {
        var name = "lvtnx" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

        var exception = Assert.Throws<PcapException>(() => new LiveInjectionDevice(name));

        Assert.Contains(name, exception.Message, StringComparison.Ordinal);
        Assert.Equal("pcap_activate", exception.Step);
    }

    [RequiresRootFact]
    public void Send_AfterDispose_Throws()
    {
        using var lab = VethLab.Create();
        var injection = lab.Open(() => new LiveInjectionDevice(VethLab.InjectionInterface));
        injection.Dispose();

        Assert.Throws<ObjectDisposedException>(() => injection.Send(TestFrames.Experimental(1, 64)));
        Assert.Null(injection.LastSendError);
    }
}
