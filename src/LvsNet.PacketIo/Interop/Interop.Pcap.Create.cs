using System.Runtime.InteropServices;
using LvsNet.PacketIo.Pcap;

namespace LvsNet.PacketIo;

internal static partial class Interop
{
    internal static unsafe partial class Pcap
    {
        /// <summary>PCAP_ERRBUF_SIZE: the size of the error buffer that open-time calls fill.</summary>
        internal const int ErrorBufferSize = 256;

        /// <summary>DLT_EN10MB: Ethernet link-layer headers.</summary>
        internal const int LinkTypeEthernet = 1;

        // pcap_t *pcap_create(const char *source, char *errbuf);
        [LibraryImport(Libraries.Pcap, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial PcapHandle pcap_create(string source, byte* errbuf);

        // pcap_t *pcap_open_dead(int linktype, int snaplen);
        [LibraryImport(Libraries.Pcap)]
        internal static partial PcapHandle pcap_open_dead(int linktype, int snaplen);

        // void pcap_close(pcap_t *p);
        [LibraryImport(Libraries.Pcap)]
        internal static partial void pcap_close(nint p);
    }
}
