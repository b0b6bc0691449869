using System.Buffers.Binary;
using LvsNet.PacketIo.AfXdp;
using LvsNet.PacketIo.Pcap;
using LvsNet.PacketIo.Tests.Infrastructure;
using LvsNet.PacketIo.Tun;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.PacketIo.Tests.AfXdp;

/// <summary>
/// VLAN tags that never appear in the frame. As in the namespace lab, the peer's veth is a port of a Linux
/// bridge: 802.1Q-tagged frames injected on a second veth enter the bridge through its port, where the
/// kernel's receive path moves the tag into the socket buffer's metadata (as a NIC with receive VLAN
/// offload does); the bridge forwards them to the peer's veth, which keeps the tag there on the way to the
/// device's veth (veth offloads VLAN insertion). The device-bound program must ask the driver
/// (<c>bpf_xdp_metadata_rx_vlan_tag</c>), drop and count such frames for owned addresses, and leave the
/// host's own VLAN traffic with the kernel. The control without the check shows the same frames reaching
/// the socket untagged, which is the leak the check closes.
/// </summary>
[Trait("Category", "Lab")]
public sealed class AfXdpVlanMetadataTests
{
    private const string InjectionInterface = "d";
    private const string TapInterface = "t0";
    private const int TaggedBase = 1000;

    private static readonly TimeSpan ReceiveLimit = TimeSpan.FromSeconds(20);
    private static readonly byte[] Vip = [10, 201, 0, 100];
    private static readonly byte[] NotOwned = [10, 201, 0, 102];

    [RequiresRootFact]
    public void OnVeth_TheDeviceBoundProgramIsAttachedNatively()
    {
        using var lab = XdpLab.Create();
        using var device = lab.OpenInDevice(() => new AfXdpDevice(new AfXdpOptions(XdpLab.DeviceInterface)));
        Assert.Null(device.VlanMetadataUnavailable);
        Assert.Equal(XdpAttachMode.Native, device.AttachMode);
        Assert.Equal(default, device.ProgramCounters);
        Assert.Contains("prog/xdp", lab.DeviceLinkDescription(), StringComparison.Ordinal);
    }

    [RequiresRootFact]
    public void TagInMetadata_ForAnOwnedAddress_IsDroppedAndCounted_UntaggedFramesStillArrive()
    {
        const int count = 40;
        using var lab = XdpLab.Create();
        AddTaggingBridge(lab);
        using var device = lab.OpenInDevice(() => new AfXdpDevice(new AfXdpOptions(XdpLab.DeviceInterface) { Addresses = [Address(Vip)] }));
        Assert.Null(device.VlanMetadataUnavailable);
        using var injection = lab.OpenInPeer(() => new LiveInjectionDevice(InjectionInterface));

        for (var i = 0; i < count; i++)
        {
            // Tagged first, on the same path: once the last untagged frame is in, every tagged one has been
            // through the program.
            Assert.True(injection.Send(Tagged(Udp(Vip, TaggedBase + i))));
            Assert.True(injection.Send(Udp(Vip, i)));
        }

        var handler = new CollectingFrameHandler();
        Assert.True(CaptureLoop.ReceiveUntil(device, handler, () => handler.Frames.Count >= count, ReceiveLimit),
            $"received {handler.Frames.Count} of {count} untagged frames");
        Assert.Equal(WaitResult.Timeout, device.Wait(TimeSpan.FromMilliseconds(200)));
        Assert.Equal(Enumerable.Range(0, count), handler.Frames.Select(Sequence));
        Assert.Equal(new XdpProgramCounters(count, 0), device.ProgramCounters);
    }

    [RequiresRootFact]
    public void TagInMetadata_WithoutTheCheck_ReachesTheSocketWithoutItsTag_TheControl()
    {
        const int count = 10;
        using var lab = XdpLab.Create();
        AddTaggingBridge(lab);
        using var device = lab.OpenInDevice(() => new AfXdpDevice(new AfXdpOptions(XdpLab.DeviceInterface)
        {
            Addresses = [Address(Vip)],
            DropStrippedVlanTags = false,
        }));
        Assert.NotNull(device.VlanMetadataUnavailable);
        using var injection = lab.OpenInPeer(() => new LiveInjectionDevice(InjectionInterface));
        for (var i = 0; i < count; i++)
        {
            Assert.True(injection.Send(Tagged(Udp(Vip, TaggedBase + i))));
        }

        var handler = new CollectingFrameHandler();
        Assert.True(CaptureLoop.ReceiveUntil(device, handler, () => handler.Frames.Count >= count, ReceiveLimit),
            $"received {handler.Frames.Count} of {count}");
        Assert.Equal(Enumerable.Range(TaggedBase, count), handler.Frames.Select(Sequence));

        // The frame as the program and the socket see it: IPv4 right after the MAC addresses, no 802.1Q tag.
        Assert.All(handler.Frames, frame => Assert.Equal(0x0800, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12))));
        Assert.Equal(default, device.ProgramCounters);
    }

    [RequiresRootFact]
    public void TagInMetadata_ForAnAddressNotOwned_StaysWithTheKernel_Uncounted()
    {
        // The host's own VLAN traffic (subinterfaces on the same NIC) must not be taken or dropped: the check
        // applies only to frames the rules would redirect. Tagged frames to other addresses are passed; the
        // untagged frame to the VIP after them marks the end.
        const int count = 20;
        using var lab = XdpLab.Create();
        AddTaggingBridge(lab);
        using var device = lab.OpenInDevice(() => new AfXdpDevice(new AfXdpOptions(XdpLab.DeviceInterface) { Addresses = [Address(Vip)] }));
        using var injection = lab.OpenInPeer(() => new LiveInjectionDevice(InjectionInterface));
        for (var i = 0; i < count; i++)
        {
            Assert.True(injection.Send(Tagged(Udp(NotOwned, TaggedBase + i))));
            Assert.True(injection.Send(Tagged(Udp(XdpLab.DeviceAddress, TaggedBase + i))));
        }

        Assert.True(injection.Send(Udp(Vip, 1)));
        var handler = new CollectingFrameHandler();
        Assert.True(CaptureLoop.ReceiveUntil(device, handler, () => handler.Frames.Count >= 1, ReceiveLimit));
        Assert.Equal(WaitResult.Timeout, device.Wait(TimeSpan.FromMilliseconds(200)));
        Assert.Equal([1], handler.Frames.Select(Sequence));
        Assert.Equal(default, device.ProgramCounters);
    }

    [RequiresRootFact]
    public unsafe void DriverWithoutTheKfunc_FramesStillArrive_AndTheLossOfProtectionIsReportedOnce()
    {
        // A TAP device runs native XDP on the frames written to it but implements no XDP metadata function:
        // the kernel binds the program and runs the generic kfunc, which answers -EOPNOTSUPP.
        const int count = 10;
        using var lab = XdpLab.Create();
        using var tap = lab.OpenInDevice(() => OpenTap(TapInterface));
        ExternalCommand.Run("ip", "-n", lab.DeviceNamespace, "link", "set", "dev", TapInterface, "up");
        using var device = lab.OpenInDevice(() => new AfXdpDevice(new AfXdpOptions(TapInterface) { Addresses = [Address(Vip)] }));
        Assert.Null(device.VlanMetadataUnavailable);
        var reasons = new List<string>();
        device.VlanMetadataLost += reasons.Add;

        for (var i = 0; i < count; i++)
        {
            var frame = Udp(Vip, i);
            fixed (byte* bytes = frame)
            {
                Assert.Equal(frame.Length, (int)Interop.Libc.write(tap, bytes, (nuint)frame.Length));
            }
        }

        var handler = new CollectingFrameHandler();
        Assert.True(CaptureLoop.ReceiveUntil(device, handler, () => handler.Frames.Count >= count, ReceiveLimit),
            $"received {handler.Frames.Count} of {count}");
        Assert.Equal(Enumerable.Range(0, count), handler.Frames.Select(Sequence));

        device.GetStatistics();
        device.GetStatistics();
        Assert.Equal(new XdpProgramCounters(0, count), device.ProgramCounters);
        var reason = Assert.Single(reasons);
        Assert.Contains("EOPNOTSUPP", reason, StringComparison.Ordinal);
        Assert.Equal(reason, device.VlanMetadataUnavailable);
    }

    [RequiresRootFact]
    public void GenericAttachMode_LoadsTheUnboundProgram_AndSaysWhatIsMissing()
    {
        using var lab = XdpLab.Create();
        using var device = lab.OpenInDevice(() => new AfXdpDevice(new AfXdpOptions(XdpLab.DeviceInterface)
        {
            AttachMode = XdpAttachMode.Generic,
            SocketMode = XdpSocketMode.Copy,
        }));
        Assert.Equal(XdpAttachMode.Generic, device.AttachMode);
        Assert.Contains("generic", device.VlanMetadataUnavailable, StringComparison.Ordinal);
    }

    // Peer namespace: bridge "brx" with ports b (towards the device) and c, whose veth peer d takes the injected frames.
    private static void AddTaggingBridge(XdpLab lab)
    {
        void Ip(params string[] arguments) => ExternalCommand.Run("ip", ["-n", lab.PeerNamespace, .. arguments]);
        Ip("link", "add", "name", "brx", "type", "bridge");
        Ip("link", "add", "c", "type", "veth", "peer", "name", InjectionInterface);
        Ip("link", "set", "dev", XdpLab.PeerInterface, "master", "brx");
        Ip("link", "set", "dev", "c", "master", "brx");
        foreach (var name in new[] { "brx", "c", InjectionInterface })
        {
            Ip("link", "set", "dev", name, "up");
        }
    }

    // open("/dev/net/tun") and TUNSETIFF with IFF_TAP | IFF_NO_PI, non-blocking (tun builds the XDP buffer
    // itself only for non-blocking writers); the interface lives while the descriptor is open.
    private static unsafe TunHandle OpenTap(string name)
    {
        const int nonBlocking = 0x800;
        const short tapMode = 0x0002;
        var fd = Interop.Libc.open("/dev/net/tun", Interop.Libc.O_RDWR | Interop.Libc.O_CLOEXEC | nonBlocking);
        Assert.True(fd >= 0, "open /dev/net/tun");
        var handle = new TunHandle();
        handle.Adopt(fd);
        var request = default(Interop.Libc.IfReq);
        for (var i = 0; i < name.Length; i++)
        {
            request.Name[i] = (byte)name[i];
        }

        request.Flags = tapMode | Interop.Libc.IFF_NO_PI;
        Assert.True(Interop.Libc.ioctl(handle, Interop.Libc.TUNSETIFF, &request) == 0, "TUNSETIFF " + name);
        return handle;
    }

    // The frame with an 802.1Q tag (TPID 0x8100, VLAN 100) inserted after the MAC addresses.
    private static byte[] Tagged(byte[] frame)
    {
        byte[] tag = [0x81, 0x00, 0x00, 100];
        return [.. frame.AsSpan(0, 12), .. tag, .. frame.AsSpan(12)];
    }

    private static uint Address(byte[] address) => BinaryPrimitives.ReadUInt32BigEndian(address);

    private static byte[] Udp(byte[] destination, int sequence)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(payload, sequence);
        return TestFrames.Udp(TestFrames.SourceMac, TestFrames.DestinationMac, XdpLab.PeerAddress, destination, 40000, 9, payload);
    }

    // Ethernet 14 + IPv4 20 + UDP 8, then the sequence number (untagged as the socket receives it).
    private static int Sequence(byte[] frame) => BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(42));
}
