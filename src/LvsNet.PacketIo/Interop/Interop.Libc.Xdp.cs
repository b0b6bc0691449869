using System.Runtime.InteropServices;

namespace LvsNet.PacketIo;

internal static partial class Interop
{
    /// <summary>AF_XDP socket constants and structures (linux/if_xdp.h), with the kernel's exact layouts.</summary>
    internal static partial class Xdp
    {
        /// <summary>AF_XDP.</summary>
        internal const int AF_XDP = 44;

        /// <summary>SOL_XDP.</summary>
        internal const int SOL_XDP = 283;

        /// <summary>XDP_MMAP_OFFSETS (getsockopt).</summary>
        internal const int XDP_MMAP_OFFSETS = 1;

        /// <summary>XDP_RX_RING.</summary>
        internal const int XDP_RX_RING = 2;

        /// <summary>XDP_TX_RING.</summary>
        internal const int XDP_TX_RING = 3;

        /// <summary>XDP_UMEM_REG.</summary>
        internal const int XDP_UMEM_REG = 4;

        /// <summary>XDP_UMEM_FILL_RING.</summary>
        internal const int XDP_UMEM_FILL_RING = 5;

        /// <summary>XDP_UMEM_COMPLETION_RING.</summary>
        internal const int XDP_UMEM_COMPLETION_RING = 6;

        /// <summary>XDP_STATISTICS (getsockopt).</summary>
        internal const int XDP_STATISTICS = 7;

        /// <summary>XDP_COPY bind flag: force copy mode.</summary>
        internal const ushort XDP_COPY = 1 << 1;

        /// <summary>XDP_ZEROCOPY bind flag: force zero-copy mode (fails when the driver cannot).</summary>
        internal const ushort XDP_ZEROCOPY = 1 << 2;

        /// <summary>mmap offset of the RX ring.</summary>
        internal const long XDP_PGOFF_RX_RING = 0;

        /// <summary>mmap offset of the TX ring.</summary>
        internal const long XDP_PGOFF_TX_RING = 0x80000000;

        /// <summary>mmap offset of the fill ring.</summary>
        internal const long XDP_UMEM_PGOFF_FILL_RING = 0x100000000;

        /// <summary>mmap offset of the completion ring.</summary>
        internal const long XDP_UMEM_PGOFF_COMPLETION_RING = 0x180000000;

        /// <summary><c>struct sockaddr_xdp</c> (16 bytes).</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct SockAddrXdp
        {
            public ushort Family;
            public ushort Flags;
            public uint InterfaceIndex;
            public uint QueueId;
            public uint SharedUmemFd;
        }

        /// <summary>
        /// <c>struct xdp_umem_reg</c> as of Linux 6.8 (32 bytes, with <c>tx_metadata_len</c>); older kernels
        /// read the first 32 bytes as addr, len, chunk_size, headroom, flags and padding, so zero is the same.
        /// </summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct XdpUmemReg
        {
            public ulong Address;
            public ulong Length;
            public uint ChunkSize;
            public uint Headroom;
            public uint Flags;
            public uint TxMetadataLength;
        }

        /// <summary><c>struct xdp_ring_offset</c> (32 bytes).</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct XdpRingOffset
        {
            public ulong Producer;
            public ulong Consumer;
            public ulong Descriptors;
            public ulong Flags;
        }

        /// <summary><c>struct xdp_mmap_offsets</c> (128 bytes).</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct XdpMmapOffsets
        {
            public XdpRingOffset Rx;
            public XdpRingOffset Tx;
            public XdpRingOffset Fill;
            public XdpRingOffset Completion;
        }

        /// <summary><c>struct xdp_desc</c>: a frame in the RX or TX ring (16 bytes).</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct XdpDesc
        {
            public ulong Address;
            public uint Length;
            public uint Options;
        }

        /// <summary><c>struct xdp_statistics</c> (48 bytes).</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct XdpStatistics
        {
            public ulong RxDropped;
            public ulong RxInvalidDescriptors;
            public ulong TxInvalidDescriptors;
            public ulong RxRingFull;
            public ulong RxFillRingEmptyDescriptors;
            public ulong TxRingEmptyDescriptors;
        }
    }
}
