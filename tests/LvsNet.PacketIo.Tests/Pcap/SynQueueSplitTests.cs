using System.Buffers.Binary;
using LvsNet.Packets;
using LvsNet.PacketIo.Pcap;
using LvsNet.PacketIo.Tests.Infrastructure;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.PacketIo.Tests.Pcap;

/// <summary>
/// The two filters of the pcap backend's SYN queue, compiled by libpcap and run by the kernel on a veth in a namespace
/// the test creates: every frame of the original filter lands in exactly one handle, whole.
/// </summary>
[Trait("Category", "Lab")]
public sealed class SynQueueSplitTests
{
    private static readonly TimeSpan ReceiveLimit = TimeSpan.FromSeconds(20);
    private static readonly MacAddress Source = MacAddress.Read(TestFrames.SourceMac);
    private static readonly MacAddress Destination = MacAddress.Read(TestFrames.DestinationMac);

    [RequiresRootFact]
    public void Configurations_SmallBareSynsGoToTheQueue_EverythingElseOfTheFilterToTheMainHandle_NothingCut()
    {
        // (source port, TCP flags, payload bytes); the source port names the frame. Ethernet, IPv4 and TCP
        // headers are 54 bytes, so 138 bytes of payload make a frame of exactly the queue's snap length.
        var tcp = new (ushort Id, TcpFlags Flags, int Payload)[]
        {
            (1, TcpFlags.Syn, 0),                   // a bare SYN, 54 bytes
            (2, TcpFlags.Syn, 40),                  // 94 bytes: a SYN with the largest TCP options is as long
            (3, TcpFlags.Syn, 139),                 // 193 bytes: one byte longer than the queue's snap length
            (4, TcpFlags.Syn, 138),                 // 192 bytes: still fits
            (5, TcpFlags.Syn | TcpFlags.Ack, 0),
            (6, TcpFlags.Ack | TcpFlags.Psh, 100),
            (7, TcpFlags.Rst, 0),
            (8, TcpFlags.Syn | TcpFlags.Fin, 0),
            (9, TcpFlags.Syn | TcpFlags.Rst, 0),
        };
        var frames = tcp.Select(t => FrameBuilder.Tcp(Destination, Source, 0x0a000001, t.Id, 0x0a000002, 80, t.Flags, t.Payload)).ToList();
        frames.Add(TestFrames.Udp(TestFrames.SourceMac, TestFrames.DestinationMac, [10, 0, 0, 1], [10, 0, 0, 2], 10, 53, new byte[20]));
        frames.Add(TestFrames.ArpRequest(TestFrames.SourceMac, [10, 0, 0, 1], [10, 0, 0, 2])); // not in the original filter

        var (mainConfiguration, synConfiguration) = SynQueueSplit.Configurations(
            new DeviceConfiguration(VethLab.CaptureInterface) { Promiscuous = false, Filter = "ip" }, 1024 * 1024);
        Assert.Equal((1024 * 1024, SynQueueSplit.SnapLength, false), (synConfiguration.BufferSizeBytes, synConfiguration.SnapLength, synConfiguration.Promiscuous));
        Assert.Equal((DeviceConfiguration.DefaultBufferSizeBytes, DeviceConfiguration.DefaultSnapLength), (mainConfiguration.BufferSizeBytes, mainConfiguration.SnapLength));
        using var lab = VethLab.Create();
        using var main = lab.Open(() => new LiveCaptureDevice(mainConfiguration));
        using var syns = lab.Open(() => new LiveCaptureDevice(synConfiguration));
        Assert.Equal(SynQueueSplit.SnapLength, syns.SnapLength);
        using var injection = lab.Open(() => new LiveInjectionDevice(VethLab.InjectionInterface));
        foreach (var frame in frames)
        {
            Assert.True(injection.Send(frame));
        }

        var mainFrames = new CollectingFrameHandler();
        var synFrames = new CollectingFrameHandler();
        Assert.True(CaptureLoop.ReceiveUntil(main, mainFrames, () => mainFrames.Frames.Count >= 6, ReceiveLimit), $"main handle: {mainFrames.Frames.Count} frames");
        Assert.True(CaptureLoop.ReceiveUntil(syns, synFrames, () => synFrames.Frames.Count >= 3, ReceiveLimit), $"SYN queue: {synFrames.Frames.Count} frames");

        // The UDP frame's source port is 10 as well: ports are read at the same offset for both.
        Assert.Equal([3, 5, 6, 7, 8, 9, 10], Drain(main, mainFrames));
        Assert.Equal([1, 2, 4], Drain(syns, synFrames));
        foreach (var handler in new[] { mainFrames, synFrames })
        {
            for (var i = 0; i < handler.Frames.Count; i++)
            {
                Assert.Equal(handler.WireLengths[i], handler.Frames[i].Length);
                Assert.Equal(frames.Single(f => SourcePort(f) == SourcePort(handler.Frames[i])), handler.Frames[i]);
            }
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("arp or (ip and dst host 10.0.0.100)")]
    public void Configurations_BothFiltersCompile_WithOrWithoutAFilterToSplit(string? filter)
    {
        var (main, syns) = SynQueueSplit.Configurations(new DeviceConfiguration("eth0") { Filter = filter }, 65536);
        foreach (var split in new[] { main.Filter!, syns.Filter! })
        {
            Assert.True(PcapLibrary.TryValidateFilter(split, out var error), $"{split}: {error}");
            Assert.Contains("len <= 192", split, StringComparison.Ordinal);
            if (filter is not null)
            {
                Assert.StartsWith($"({filter}) and ", split, StringComparison.Ordinal);
            }
        }

        Assert.Contains("not (", main.Filter, StringComparison.Ordinal);
        Assert.DoesNotContain("not (", syns.Filter, StringComparison.Ordinal);
    }

    /// <summary>Reads what is still queued and returns every frame's source port, in order.</summary>
    private static List<int> Drain(LiveCaptureDevice device, CollectingFrameHandler handler)
    {
        CaptureLoop.ReceiveUntil(device, handler, () => false, TimeSpan.FromMilliseconds(300));
        return handler.Frames.Select(SourcePort).ToList();
    }

    private static int SourcePort(byte[] frame) => BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(14 + 20));
}
