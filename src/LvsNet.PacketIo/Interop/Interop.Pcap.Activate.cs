using System.Runtime.InteropServices;
using LvsNet.PacketIo.Pcap;

namespace LvsNet.PacketIo;

internal static partial class Interop
{
    internal static partial class Pcap
    {
        // int pcap_set_snaplen(pcap_t *p, int snaplen);
        [LibraryImport(Libraries.Pcap)]
        internal static partial int pcap_set_snaplen(PcapHandle p, int snaplen);

        // int pcap_set_promisc(pcap_t *p, int promisc);
        [LibraryImport(Libraries.Pcap)]
        internal static partial int pcap_set_promisc(PcapHandle p, int promisc);

        // int pcap_set_timeout(pcap_t *p, int to_ms);
        [LibraryImport(Libraries.Pcap)]
        internal static partial int pcap_set_timeout(PcapHandle p, int to_ms);

        // int pcap_set_buffer_size(pcap_t *p, int buffer_size);
        [LibraryImport(Libraries.Pcap)]
        internal static partial int pcap_set_buffer_size(PcapHandle p, int buffer_size);

        // int pcap_set_immediate_mode(pcap_t *p, int immediate_mode);
        [LibraryImport(Libraries.Pcap)]
        internal static partial int pcap_set_immediate_mode(PcapHandle p, int immediate_mode);

        // int pcap_activate(pcap_t *p);
        [LibraryImport(Libraries.Pcap)]
        internal static partial int pcap_activate(PcapHandle p);
    }
}
