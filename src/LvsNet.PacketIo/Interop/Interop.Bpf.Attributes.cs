using System.Runtime.InteropServices;

namespace LvsNet.PacketIo;

internal static partial class Interop
{
    /// <summary>The bpf(2) commands, types and <c>union bpf_attr</c> variants the XDP backend uses (linux/bpf.h).</summary>
    internal static partial class Bpf
    {
        /// <summary>BPF_MAP_CREATE.</summary>
        internal const int BPF_MAP_CREATE = 0;

        /// <summary>BPF_MAP_LOOKUP_ELEM.</summary>
        internal const int BPF_MAP_LOOKUP_ELEM = 1;

        /// <summary>BPF_MAP_UPDATE_ELEM.</summary>
        internal const int BPF_MAP_UPDATE_ELEM = 2;

        /// <summary>BPF_MAP_DELETE_ELEM.</summary>
        internal const int BPF_MAP_DELETE_ELEM = 3;

        /// <summary>BPF_PROG_LOAD.</summary>
        internal const int BPF_PROG_LOAD = 5;

        /// <summary>BPF_PROG_TEST_RUN: runs a loaded program once over a given frame (tests).</summary>
        internal const int BPF_PROG_TEST_RUN = 10;

        /// <summary>BPF_LINK_CREATE.</summary>
        internal const int BPF_LINK_CREATE = 28;

        /// <summary>BPF_MAP_TYPE_HASH.</summary>
        internal const uint BPF_MAP_TYPE_HASH = 1;

        /// <summary>BPF_MAP_TYPE_PERCPU_ARRAY: one value per possible CPU for each index; user space reads them all at once.</summary>
        internal const uint BPF_MAP_TYPE_PERCPU_ARRAY = 6;

        /// <summary>BPF_MAP_TYPE_XSKMAP.</summary>
        internal const uint BPF_MAP_TYPE_XSKMAP = 17;

        /// <summary>BPF_PROG_TYPE_XDP.</summary>
        internal const uint BPF_PROG_TYPE_XDP = 6;

        /// <summary>BPF_XDP: the attach type of an XDP link.</summary>
        internal const uint BPF_XDP = 37;

        /// <summary>BPF_PROG_TYPE_SCHED_CLS: a traffic-control classifier, attached with tcx.</summary>
        internal const uint BPF_PROG_TYPE_SCHED_CLS = 3;

        /// <summary>BPF_TCX_INGRESS: the attach type of a tcx link on an interface's receive path (Linux 6.6+).</summary>
        internal const uint BPF_TCX_INGRESS = 46;

        /// <summary>BPF_TCX_EGRESS: the attach type of a tcx link on an interface's transmit path (Linux 6.6+).</summary>
        internal const uint BPF_TCX_EGRESS = 47;

        /// <summary>
        /// BPF_F_XDP_DEV_BOUND_ONLY (prog_flags of BPF_PROG_LOAD): the program is bound to the device in
        /// <c>prog_ifindex</c>, may call that device's XDP metadata kfuncs, and can only be attached to it,
        /// in native mode (Linux 6.3+).
        /// </summary>
        internal const uint BPF_F_XDP_DEV_BOUND_ONLY = 1 << 6;

        /// <summary>XDP_FLAGS_SKB_MODE: generic XDP, run on the socket buffer after allocation.</summary>
        internal const uint XDP_FLAGS_SKB_MODE = 1 << 1;

        /// <summary>XDP_FLAGS_DRV_MODE: native XDP, run by the driver.</summary>
        internal const uint XDP_FLAGS_DRV_MODE = 1 << 2;

        /// <summary>BPF_ANY: create or update an element.</summary>
        internal const ulong BPF_ANY = 0;

        /// <summary>Size of <c>union bpf_attr</c> in the headers this was written against (Linux 6.x).</summary>
        internal const int BpfAttrSize = 144;

        /// <summary><c>bpf_attr</c> for BPF_MAP_CREATE (the fields up to <c>map_name</c>; the rest stays zero).</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct MapCreateAttr
        {
            public uint MapType;
            public uint KeySize;
            public uint ValueSize;
            public uint MaxEntries;
            public uint MapFlags;
            public uint InnerMapFd;
            public uint NumaNode;
            public fixed byte MapName[16];
            public uint MapInterfaceIndex;
        }

        /// <summary><c>bpf_attr</c> for BPF_PROG_LOAD (the fields up to <c>expected_attach_type</c>).</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct ProgLoadAttr
        {
            public uint ProgramType;
            public uint InstructionCount;
            public ulong Instructions;
            public ulong License;
            public uint LogLevel;
            public uint LogSize;
            public ulong LogBuffer;
            public uint KernelVersion;
            public uint ProgramFlags;
            public fixed byte ProgramName[16];
            public uint ProgramInterfaceIndex;
            public uint ExpectedAttachType;
        }

        /// <summary><c>bpf_attr</c> for BPF_MAP_UPDATE_ELEM and BPF_MAP_DELETE_ELEM (32 bytes).</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct MapElementAttr
        {
            public uint MapFd;
            private readonly uint _padding;
            public ulong Key;
            public ulong Value;
            public ulong Flags;
        }

        /// <summary><c>bpf_attr</c> for BPF_PROG_TEST_RUN (the fields up to <c>ctx_out</c>; the rest stays zero).</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct ProgTestRunAttr
        {
            public uint ProgramFd;
            public uint ReturnValue;
            public uint DataSizeIn;
            public uint DataSizeOut;
            public ulong DataIn;
            public ulong DataOut;
            public uint Repeat;
            public uint Duration;
            public uint ContextSizeIn;
            public uint ContextSizeOut;
            public ulong ContextIn;
            public ulong ContextOut;
        }

        /// <summary><c>bpf_attr</c> for BPF_LINK_CREATE (the common head: 16 bytes; the union after it stays zero).</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct LinkCreateAttr
        {
            public uint ProgramFd;
            public uint TargetInterfaceIndex;
            public uint AttachType;
            public uint Flags;
        }
    }
}
