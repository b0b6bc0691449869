using System.Runtime.InteropServices;
using LvsNet.PacketIo.Pcap;

namespace LvsNet.PacketIo;

internal static partial class Interop
{
    internal static unsafe partial class Pcap
    {
        // int pcap_setdirection(pcap_t *p, pcap_direction_t d);
        [LibraryImport(Libraries.Pcap)]
        internal static partial int pcap_setdirection(PcapHandle p, int d);

        // int pcap_setnonblock(pcap_t *p, int nonblock, char *errbuf);
        [LibraryImport(Libraries.Pcap)]
        internal static partial int pcap_setnonblock(PcapHandle p, int nonblock, byte* errbuf);

        // int pcap_snapshot(pcap_t *p);
        [LibraryImport(Libraries.Pcap)]
        internal static partial int pcap_snapshot(PcapHandle p);

        // int pcap_datalink(pcap_t *p);
        [LibraryImport(Libraries.Pcap)]
        internal static partial int pcap_datalink(PcapHandle p);

        // int pcap_get_selectable_fd(pcap_t *p);
        [LibraryImport(Libraries.Pcap)]
        internal static partial int pcap_get_selectable_fd(PcapHandle p);
    }
}
