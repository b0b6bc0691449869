using System.Runtime.InteropServices;

namespace LvsNet.PacketIo;

internal static partial class Interop
{
    internal static unsafe partial class Libc
    {
        /// <summary>AF_PACKET (= PF_PACKET).</summary>
        internal const int AF_PACKET = 17;

        /// <summary>SOCK_RAW: frames with their link-layer header.</summary>
        internal const int SOCK_RAW = 3;

        /// <summary>SOCK_CLOEXEC (= O_CLOEXEC).</summary>
        internal const int SOCK_CLOEXEC = 0x80000;

        /// <summary>ETH_P_ALL in host order; sockets and sockaddr_ll take it in network order.</summary>
        internal const ushort ETH_P_ALL = 0x0003;

        /// <summary>SOL_SOCKET.</summary>
        internal const int SOL_SOCKET = 1;

        /// <summary>SO_ATTACH_FILTER: a classic BPF program (<c>struct sock_fprog</c>).</summary>
        internal const int SO_ATTACH_FILTER = 26;

        /// <summary>SOL_PACKET.</summary>
        internal const int SOL_PACKET = 263;

        /// <summary>PACKET_ADD_MEMBERSHIP (<c>struct packet_mreq</c>).</summary>
        internal const int PACKET_ADD_MEMBERSHIP = 1;

        /// <summary>PACKET_DROP_MEMBERSHIP (<c>struct packet_mreq</c>).</summary>
        internal const int PACKET_DROP_MEMBERSHIP = 2;

        /// <summary>PACKET_RX_RING (<c>struct tpacket_req3</c> for TPACKET_V3).</summary>
        internal const int PACKET_RX_RING = 5;

        /// <summary>PACKET_STATISTICS (<c>struct tpacket_stats_v3</c>; reading resets the counters).</summary>
        internal const int PACKET_STATISTICS = 6;

        /// <summary>PACKET_VERSION.</summary>
        internal const int PACKET_VERSION = 10;

        /// <summary>PACKET_FANOUT: <c>int</c> of group id (low 16 bits) and mode/flags (high 16 bits).</summary>
        internal const int PACKET_FANOUT = 18;

        /// <summary>PACKET_FANOUT_DATA: the program of a PACKET_FANOUT_CBPF group (<c>struct sock_fprog</c>).</summary>
        internal const int PACKET_FANOUT_DATA = 22;

        /// <summary>PACKET_QDISC_BYPASS: hand frames to the driver without the queueing discipline.</summary>
        internal const int PACKET_QDISC_BYPASS = 20;

        /// <summary>PACKET_IGNORE_OUTGOING (Linux 4.20): do not deliver frames the host sends.</summary>
        internal const int PACKET_IGNORE_OUTGOING = 23;

        /// <summary>PACKET_MR_MULTICAST: a link-layer multicast group (<c>mr_alen</c> bytes of <c>mr_address</c>).</summary>
        internal const ushort PACKET_MR_MULTICAST = 0;

        /// <summary>PACKET_MR_PROMISC.</summary>
        internal const ushort PACKET_MR_PROMISC = 1;

        /// <summary>TPACKET_V2: receive ring of fixed-size frame slots, the reader woken per frame.</summary>
        internal const int TPACKET_V2 = 1;

        /// <summary>TPACKET_V3: block-based receive ring.</summary>
        internal const int TPACKET_V3 = 2;

        /// <summary>PACKET_OUTGOING in <c>sll_pkttype</c>: a frame this host sent.</summary>
        internal const byte PACKET_OUTGOING = 4;

        /// <summary>TP_STATUS_KERNEL: the block belongs to the kernel.</summary>
        internal const uint TP_STATUS_KERNEL = 0;

        /// <summary>TP_STATUS_USER: the block is filled and belongs to user space.</summary>
        internal const uint TP_STATUS_USER = 1;

        /// <summary>TP_STATUS_VLAN_VALID: the frame had an 802.1Q tag, taken out into the ring header's tp_vlan_tci.</summary>
        internal const uint TP_STATUS_VLAN_VALID = 1 << 4;

        /// <summary>TP_STATUS_VLAN_TPID_VALID: the header's tp_vlan_tpid holds the tag's TPID.</summary>
        internal const uint TP_STATUS_VLAN_TPID_VALID = 1 << 6;

        /// <summary><c>struct sockaddr_ll</c> (20 bytes).</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct SockAddrLl
        {
            /// <summary><c>sll_family</c>: AF_PACKET.</summary>
            public ushort Family;

            /// <summary><c>sll_protocol</c>: EtherType in network order.</summary>
            public ushort Protocol;

            /// <summary><c>sll_ifindex</c>.</summary>
            public int InterfaceIndex;

            /// <summary><c>sll_hatype</c>.</summary>
            public ushort HardwareType;

            /// <summary><c>sll_pkttype</c>.</summary>
            public byte PacketType;

            /// <summary><c>sll_halen</c>.</summary>
            public byte AddressLength;

            /// <summary><c>sll_addr[0..3]</c> (two 4-byte halves keep the struct at 20 bytes, 4-byte aligned).</summary>
            public uint AddressLow;

            /// <summary><c>sll_addr[4..7]</c>.</summary>
            public uint AddressHigh;
        }

        /// <summary><c>struct tpacket_req3</c>.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct TPacketReq3
        {
            /// <summary><c>tp_block_size</c>: a multiple of the page size.</summary>
            public uint BlockSize;

            /// <summary><c>tp_block_nr</c>.</summary>
            public uint BlockCount;

            /// <summary><c>tp_frame_size</c>.</summary>
            public uint FrameSize;

            /// <summary><c>tp_frame_nr</c> = block size / frame size × block count.</summary>
            public uint FrameCount;

            /// <summary><c>tp_retire_blk_tov</c>: block timeout in milliseconds.</summary>
            public uint RetireBlockTimeoutMilliseconds;

            /// <summary><c>tp_sizeof_priv</c>.</summary>
            public uint SizeOfPrivate;

            /// <summary><c>tp_feature_req_word</c>.</summary>
            public uint FeatureRequestWord;
        }

        /// <summary><c>struct packet_mreq</c> (16 bytes).</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct PacketMreq
        {
            /// <summary><c>mr_ifindex</c>.</summary>
            public int InterfaceIndex;

            /// <summary><c>mr_type</c>.</summary>
            public ushort Type;

            /// <summary><c>mr_alen</c>.</summary>
            public ushort AddressLength;

            /// <summary><c>mr_address[8]</c>.</summary>
            public ulong Address;
        }

        /// <summary><c>struct sock_fprog</c>: <c>unsigned short len; struct sock_filter *filter;</c> (16 bytes).</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct SockFprog
        {
            /// <summary><c>len</c>: instruction count.</summary>
            public ushort Length;

            /// <summary><c>filter</c>: same layout as libpcap's <c>struct bpf_insn</c>.</summary>
            public nint Filter;
        }

        /// <summary><c>struct tpacket_stats_v3</c>.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct TPacketStatsV3
        {
            /// <summary><c>tp_packets</c> (includes the dropped ones).</summary>
            public uint Packets;

            /// <summary><c>tp_drops</c>.</summary>
            public uint Drops;

            /// <summary><c>tp_freeze_q_cnt</c>.</summary>
            public uint FreezeQueueCount;
        }

        /// <summary><c>struct iovec</c>.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct IoVec
        {
            /// <summary><c>iov_base</c>.</summary>
            public byte* Base;

            /// <summary><c>iov_len</c>.</summary>
            public nuint Length;
        }

        /// <summary><c>struct mmsghdr</c>: <c>struct msghdr msg_hdr; unsigned int msg_len;</c> (64 bytes on 64-bit Linux).</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct MMsgHdr
        {
            /// <summary><c>msg_name</c>: NULL, the socket is bound to its interface.</summary>
            public nint Name;

            /// <summary><c>msg_namelen</c>.</summary>
            public uint NameLength;

            /// <summary><c>msg_iov</c>.</summary>
            public IoVec* IoVectors;

            /// <summary><c>msg_iovlen</c>.</summary>
            public nuint IoVectorCount;

            /// <summary><c>msg_control</c>.</summary>
            public nint Control;

            /// <summary><c>msg_controllen</c>.</summary>
            public nuint ControlLength;

            /// <summary><c>msg_flags</c>.</summary>
            public int Flags;

            /// <summary>Padding: struct msghdr is 56 bytes, 8-byte aligned.</summary>
            public int MessageHeaderPadding;

            /// <summary><c>msg_len</c>: bytes sent, set by the kernel.</summary>
            public uint Length;

            /// <summary>Padding to the 64-byte size of struct mmsghdr.</summary>
            public int Padding;
        }

        // int socket(int domain, int type, int protocol);
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static partial int socket(int domain, int type, int protocol);

        // setsockopt, getsockopt and bind: Interop.Libc.Socket.cs (one import for every socket handle).

        // int sendmmsg(int sockfd, struct mmsghdr *msgvec, unsigned int vlen, int flags);
        // Called with the raw descriptor inside a DangerousAddRef scope (hot path).
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static partial int sendmmsg(int sockfd, MMsgHdr* msgvec, uint vlen, int flags);

        // unsigned int if_nametoindex(const char *ifname);
        [LibraryImport(Libraries.Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial uint if_nametoindex(string ifname);
    }
}
