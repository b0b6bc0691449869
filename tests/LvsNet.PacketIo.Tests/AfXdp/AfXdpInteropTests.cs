using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Xunit;

namespace LvsNet.PacketIo.Tests.AfXdp;

/// <summary>The AF_XDP and bpf(2) structures against the kernel UAPI layouts (linux/if_xdp.h, linux/bpf.h).</summary>
public sealed class AfXdpInteropTests
{
    [Fact]
    public void XdpStructures_HaveKernelSizes()
    {
        Assert.Equal(16, Unsafe.SizeOf<Interop.Xdp.SockAddrXdp>());
        Assert.Equal(32, Unsafe.SizeOf<Interop.Xdp.XdpUmemReg>());
        Assert.Equal(32, Unsafe.SizeOf<Interop.Xdp.XdpRingOffset>());
        Assert.Equal(128, Unsafe.SizeOf<Interop.Xdp.XdpMmapOffsets>());
        Assert.Equal(16, Unsafe.SizeOf<Interop.Xdp.XdpDesc>());
        Assert.Equal(48, Unsafe.SizeOf<Interop.Xdp.XdpStatistics>());
    }

    [Fact]
    public void XdpStructures_HaveKernelOffsets()
    {
        Assert.Equal(4, (int)Marshal.OffsetOf<Interop.Xdp.SockAddrXdp>(nameof(Interop.Xdp.SockAddrXdp.InterfaceIndex)));
        Assert.Equal(8, (int)Marshal.OffsetOf<Interop.Xdp.SockAddrXdp>(nameof(Interop.Xdp.SockAddrXdp.QueueId)));
        Assert.Equal(16, (int)Marshal.OffsetOf<Interop.Xdp.XdpUmemReg>(nameof(Interop.Xdp.XdpUmemReg.ChunkSize)));
        Assert.Equal(24, (int)Marshal.OffsetOf<Interop.Xdp.XdpUmemReg>(nameof(Interop.Xdp.XdpUmemReg.Flags)));
        Assert.Equal(64, (int)Marshal.OffsetOf<Interop.Xdp.XdpMmapOffsets>(nameof(Interop.Xdp.XdpMmapOffsets.Fill)));
        Assert.Equal(8, (int)Marshal.OffsetOf<Interop.Xdp.XdpDesc>(nameof(Interop.Xdp.XdpDesc.Length)));
    }

    [Fact]
    public void BpfAttributes_HaveKernelOffsets()
    {
        // union bpf_attr, anonymous struct used by BPF_MAP_CREATE.
        Assert.Equal(12, (int)Marshal.OffsetOf<Interop.Bpf.MapCreateAttr>(nameof(Interop.Bpf.MapCreateAttr.MaxEntries)));
        Assert.Equal(28, (int)Marshal.OffsetOf<Interop.Bpf.MapCreateAttr>(nameof(Interop.Bpf.MapCreateAttr.MapName)));
        Assert.Equal(44, (int)Marshal.OffsetOf<Interop.Bpf.MapCreateAttr>(nameof(Interop.Bpf.MapCreateAttr.MapInterfaceIndex)));

        // BPF_PROG_LOAD.
        Assert.Equal(8, (int)Marshal.OffsetOf<Interop.Bpf.ProgLoadAttr>(nameof(Interop.Bpf.ProgLoadAttr.Instructions)));
        Assert.Equal(16, (int)Marshal.OffsetOf<Interop.Bpf.ProgLoadAttr>(nameof(Interop.Bpf.ProgLoadAttr.License)));
        Assert.Equal(24, (int)Marshal.OffsetOf<Interop.Bpf.ProgLoadAttr>(nameof(Interop.Bpf.ProgLoadAttr.LogLevel)));
        Assert.Equal(32, (int)Marshal.OffsetOf<Interop.Bpf.ProgLoadAttr>(nameof(Interop.Bpf.ProgLoadAttr.LogBuffer)));
        Assert.Equal(48, (int)Marshal.OffsetOf<Interop.Bpf.ProgLoadAttr>(nameof(Interop.Bpf.ProgLoadAttr.ProgramName)));
        Assert.Equal(68, (int)Marshal.OffsetOf<Interop.Bpf.ProgLoadAttr>(nameof(Interop.Bpf.ProgLoadAttr.ExpectedAttachType)));

        // BPF_MAP_*_ELEM and BPF_LINK_CREATE.
        Assert.Equal(32, Unsafe.SizeOf<Interop.Bpf.MapElementAttr>());
        Assert.Equal(8, (int)Marshal.OffsetOf<Interop.Bpf.MapElementAttr>(nameof(Interop.Bpf.MapElementAttr.Key)));
        Assert.Equal(24, (int)Marshal.OffsetOf<Interop.Bpf.MapElementAttr>(nameof(Interop.Bpf.MapElementAttr.Flags)));
        Assert.Equal(16, Unsafe.SizeOf<Interop.Bpf.LinkCreateAttr>());
        Assert.Equal(8, (int)Marshal.OffsetOf<Interop.Bpf.LinkCreateAttr>(nameof(Interop.Bpf.LinkCreateAttr.AttachType)));
        Assert.True(Unsafe.SizeOf<Interop.Bpf.ProgLoadAttr>() <= Interop.Bpf.BpfAttrSize);
    }
}
