using System.Runtime.InteropServices;
using LvsNet.PacketIo.Pcap;

namespace LvsNet.PacketIo;

internal static partial class Interop
{
    internal static unsafe partial class Pcap
    {
        /// <summary>PCAP_NETMASK_UNKNOWN: only matters for filters that test the broadcast address.</summary>
        internal const uint NetmaskUnknown = 0xffffffff;

        /// <summary><c>struct bpf_program</c>: <c>u_int bf_len; struct bpf_insn *bf_insns;</c> (16 bytes on 64-bit).</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct BpfProgram
        {
            /// <summary><c>bf_len</c>: the number of instructions.</summary>
            public uint Length;

            /// <summary><c>bf_insns</c>: malloc'd by pcap_compile, freed by pcap_freecode.</summary>
            public nint Instructions;
        }

        // int pcap_compile(pcap_t *p, struct bpf_program *fp, const char *str, int optimize, bpf_u_int32 netmask);
        // Not thread-safe in older libpcap releases (global parser state); callers serialise it.
        [LibraryImport(Libraries.Pcap, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int pcap_compile(PcapHandle p, BpfProgramHandle fp, string str, int optimize, uint netmask);

        // int pcap_setfilter(pcap_t *p, struct bpf_program *fp);
        [LibraryImport(Libraries.Pcap)]
        internal static partial int pcap_setfilter(PcapHandle p, BpfProgramHandle fp);

        // void pcap_freecode(struct bpf_program *fp);
        [LibraryImport(Libraries.Pcap)]
        internal static partial void pcap_freecode(nint fp);
    }
}
