using System.Runtime.InteropServices;

namespace LvsNet.PacketIo;

internal static partial class Interop
{
    internal static unsafe partial class Pcap
    {
        // int pcap_next_ex(pcap_t *p, struct pcap_pkthdr **pkt_header, const u_char **pkt_data);
        // Returns 1 with a frame, 0 when none is ready (non-blocking mode), PCAP_ERROR on failure,
        // PCAP_ERROR_BREAK (-2) at the end of a savefile. The header and data stay valid until the
        // next call on the same handle. Takes the raw pointer: the caller holds a DangerousAddRef.
        [LibraryImport(Libraries.Pcap)]
        internal static partial int pcap_next_ex(nint p, PcapPacketHeader** pkt_header, byte** pkt_data);
    }
}
