using System.Runtime.InteropServices;
using LvsNet.PacketIo.Bpf;

namespace LvsNet.PacketIo.AfXdp;

public sealed partial class AfXdpDevice
{
    /// <summary>Errno values bind(2) returns when the driver cannot do zero-copy (EOPNOTSUPP, EINVAL, ENOTSUPP).</summary>
    private static bool IsZeroCopyUnsupported(int errno) => errno is 95 or 22 or 524;

    /// <summary>Opens the socket in the requested mode; <see cref="XdpSocketMode.Auto"/> tries zero-copy, then copy.</summary>
    private XdpSocketMode OpenSocket(AfXdpOptions options)
    {
        if (options.SocketMode == XdpSocketMode.Copy)
        {
            TryOpenSocket(options, Interop.Xdp.XDP_COPY, throwOnBindFailure: true);
            return XdpSocketMode.Copy;
        }

        if (TryOpenSocket(options, Interop.Xdp.XDP_ZEROCOPY, throwOnBindFailure: options.SocketMode == XdpSocketMode.ZeroCopy))
        {
            return XdpSocketMode.ZeroCopy;
        }

        // A failed bind leaves the socket with its rings registered; start again from a fresh one.
        TryOpenSocket(options, Interop.Xdp.XDP_COPY, throwOnBindFailure: true);
        return XdpSocketMode.Copy;
    }

    /// <summary>Creates the socket, its UMEM and rings, and binds it with <paramref name="bindFlags"/>.</summary>
    /// <returns>False when only the zero-copy bind failed for lack of driver support (nothing is left open then).</returns>
    private unsafe bool TryOpenSocket(AfXdpOptions options, ushort bindFlags, bool throwOnBindFailure)
    {
        var fd = Interop.Libc.socket(Interop.Xdp.AF_XDP, Interop.Libc.SOCK_RAW | Interop.Libc.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            throw XdpException.FromErrno("socket(AF_XDP)", Marshal.GetLastPInvokeError());
        }

        var socket = XskSocketHandle.Adopt(fd);
        try
        {
            // UMEM: page-aligned anonymous memory, faulted in now so the data path never takes a page fault.
            var umemLength = (nuint)options.FrameCount * (nuint)options.FrameSizeBytes;
            var umem = MemoryMapping.Map(umemLength, Interop.Libc.MAP_PRIVATE | Interop.Libc.MAP_ANONYMOUS | Interop.Libc.MAP_POPULATE, -1, 0, "UMEM");
            socket.Own(umem);

            var registration = new Interop.Xdp.XdpUmemReg
            {
                Address = (ulong)umem.Address,
                Length = umemLength,
                ChunkSize = (uint)options.FrameSizeBytes,
            };
            SetOption(socket, Interop.Xdp.XDP_UMEM_REG, &registration, (uint)sizeof(Interop.Xdp.XdpUmemReg), "XDP_UMEM_REG");
            var ringSize = options.RingSize;
            SetOption(socket, Interop.Xdp.XDP_UMEM_FILL_RING, &ringSize, sizeof(int), "XDP_UMEM_FILL_RING");
            SetOption(socket, Interop.Xdp.XDP_UMEM_COMPLETION_RING, &ringSize, sizeof(int), "XDP_UMEM_COMPLETION_RING");
            SetOption(socket, Interop.Xdp.XDP_RX_RING, &ringSize, sizeof(int), "XDP_RX_RING");
            SetOption(socket, Interop.Xdp.XDP_TX_RING, &ringSize, sizeof(int), "XDP_TX_RING");

            Interop.Xdp.XdpMmapOffsets offsets;
            var offsetsLength = (uint)sizeof(Interop.Xdp.XdpMmapOffsets);
            if (Interop.Libc.getsockopt(socket, Interop.Xdp.SOL_XDP, Interop.Xdp.XDP_MMAP_OFFSETS, &offsets, &offsetsLength) != 0)
            {
                throw XdpException.FromErrno("getsockopt(XDP_MMAP_OFFSETS)", Marshal.GetLastPInvokeError());
            }

            var size = (uint)options.RingSize;
            var rx = MapRing(socket, fd, offsets.Rx, size, (uint)sizeof(Interop.Xdp.XdpDesc), Interop.Xdp.XDP_PGOFF_RX_RING, "RX ring");
            var tx = MapRing(socket, fd, offsets.Tx, size, (uint)sizeof(Interop.Xdp.XdpDesc), Interop.Xdp.XDP_PGOFF_TX_RING, "TX ring");
            var fill = MapRing(socket, fd, offsets.Fill, size, sizeof(ulong), Interop.Xdp.XDP_UMEM_PGOFF_FILL_RING, "fill ring");
            var completion = MapRing(socket, fd, offsets.Completion, size, sizeof(ulong), Interop.Xdp.XDP_UMEM_PGOFF_COMPLETION_RING, "completion ring");

            var address = new Interop.Xdp.SockAddrXdp
            {
                Family = Interop.Xdp.AF_XDP,
                Flags = bindFlags,
                InterfaceIndex = (uint)_interfaceIndex,
                QueueId = (uint)options.QueueId,
            };
            if (Interop.Libc.bind(socket, &address, (uint)sizeof(Interop.Xdp.SockAddrXdp)) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (!throwOnBindFailure && IsZeroCopyUnsupported(errno))
                {
                    socket.Dispose();
                    return false;
                }

                var mode = bindFlags == Interop.Xdp.XDP_ZEROCOPY ? "zero-copy" : "copy";
                throw XdpException.FromErrno($"bind(AF_XDP, '{options.InterfaceName}' queue {options.QueueId}, {mode} mode)", errno);
            }

            _socket = socket;
            _umem = (byte*)umem.Address;
            _rx = rx;
            _tx = tx;
            _fill = fill;
            _completion = completion;
            InitialiseFrames(options);
            return true;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Puts the receive half of the UMEM into the fill ring and the transmit half on the free stack.</summary>
    private unsafe void InitialiseFrames(AfXdpOptions options)
    {
        var receiveFrames = (uint)options.FrameCount / 2;
        for (var i = 0u; i < receiveFrames; i++)
        {
            *_fill.Address(_fill.CachedProducer++) = (ulong)i * (ulong)_frameSize;
        }

        _fill.Publish();

        var transmitFrames = options.FrameCount - (int)receiveFrames;
        _transmitFree = new ulong[transmitFrames];
        for (var i = 0; i < transmitFrames; i++)
        {
            _transmitFree[i] = (ulong)(receiveFrames + (uint)i) * (ulong)_frameSize;
        }

        _transmitFreeCount = transmitFrames;
    }

    /// <summary>Puts the socket into the XSKMAP at its queue, so that the program's redirect finds it.</summary>
    private void RegisterSocket(int queueId)
    {
        var added = false;
        try
        {
            _socket.DangerousAddRef(ref added);
            var errno = BpfSystem.UpdateElement(_xskMap, (uint)queueId, (uint)_socket.FileDescriptor);
            if (errno != 0)
            {
                throw XdpException.FromErrno("bpf(BPF_MAP_UPDATE_ELEM, lvs_xsks)", errno);
            }
        }
        finally
        {
            if (added)
            {
                _socket.DangerousRelease();
            }
        }
    }

    /// <summary>Attaches the program with a BPF link, in native mode when possible.</summary>
    /// <remarks>
    /// A device-bound program (<see cref="LoadProgram"/>) is attached to the interface it was bound to, in native
    /// mode only: when that fails it is replaced by the unbound program, which is tried natively again and then,
    /// where allowed, in generic mode.
    /// </remarks>
    private (FileDescriptorHandle Link, XdpAttachMode Mode) Attach(AfXdpOptions options)
    {
        // Zero-copy sockets only work with the program in the driver.
        if (options.AttachMode == XdpAttachMode.Generic && SocketMode != XdpSocketMode.ZeroCopy)
        {
            return (BpfSystem.CreateXdpLink(_program, _interfaceIndex, Interop.Bpf.XDP_FLAGS_SKB_MODE, Name), XdpAttachMode.Generic);
        }

        if (VlanMetadataUnavailable is null)
        {
            try
            {
                return (BpfSystem.CreateXdpLink(_program, _interfaceIndex, Interop.Bpf.XDP_FLAGS_DRV_MODE, Name), XdpAttachMode.Native);
            }
            catch (XdpException ex)
            {
                FallBackToUnboundProgram($"the device-bound program could not be attached in native mode ({ex.Step}: errno {ex.ErrorNumber})");
            }
        }

        try
        {
            return (BpfSystem.CreateXdpLink(_program, _interfaceIndex, Interop.Bpf.XDP_FLAGS_DRV_MODE, Name), XdpAttachMode.Native);
        }
        catch (XdpException) when (options.AttachMode == XdpAttachMode.Auto && SocketMode == XdpSocketMode.Copy)
        {
            return (BpfSystem.CreateXdpLink(_program, _interfaceIndex, Interop.Bpf.XDP_FLAGS_SKB_MODE, Name), XdpAttachMode.Generic);
        }
    }

    private static unsafe void SetOption(XskSocketHandle socket, int option, void* value, uint length, string name)
    {
        if (Interop.Libc.setsockopt(socket, Interop.Xdp.SOL_XDP, option, value, length) != 0)
        {
            throw XdpException.FromErrno($"setsockopt({name})", Marshal.GetLastPInvokeError());
        }
    }

    private static unsafe XdpRing MapRing(
        XskSocketHandle socket, int fd, Interop.Xdp.XdpRingOffset offset, uint size, uint entrySize, long pageOffset, string name)
    {
        var length = (nuint)(offset.Descriptors + ((ulong)size * entrySize));
        var mapping = MemoryMapping.Map(length, Interop.Libc.MAP_SHARED | Interop.Libc.MAP_POPULATE, fd, pageOffset, name);
        socket.Own(mapping);
        var start = (byte*)mapping.Address;
        var ring = new XdpRing
        {
            Producer = (uint*)(start + offset.Producer),
            Consumer = (uint*)(start + offset.Consumer),
            Entries = start + offset.Descriptors,
            Size = size,
            Mask = size - 1,
        };

        // Start from the kernel's indices (zero on a new socket).
        ring.CachedProducer = Volatile.Read(ref *ring.Producer);
        ring.CachedConsumer = Volatile.Read(ref *ring.Consumer);
        return ring;
    }
}
