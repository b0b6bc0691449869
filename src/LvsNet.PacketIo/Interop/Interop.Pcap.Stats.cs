using System.Runtime.InteropServices;
using LvsNet.PacketIo.Pcap;

namespace LvsNet.PacketIo;

internal static partial class Interop
{
    internal static unsafe partial class Pcap
    {
        /// <summary><c>struct pcap_stat</c> on Linux: three <c>u_int</c> counters (the Windows-only fields are absent).</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct PcapStat
        {
            /// <summary><c>ps_recv</c>.</summary>
            public uint Received;

            /// <summary><c>ps_drop</c>.</summary>
            public uint Dropped;

            /// <summary><c>ps_ifdrop</c>.</summary>
            public uint InterfaceDropped;
        }

        // int pcap_stats(pcap_t *p, struct pcap_stat *ps);
        [LibraryImport(Libraries.Pcap)]
        internal static partial int pcap_stats(PcapHandle p, PcapStat* ps);
    }
}
