using System.Runtime.InteropServices;

namespace LvsNet.PacketIo;

internal static partial class Interop
{
    internal static unsafe partial class Pcap
    {
        /// <summary>PCAP_ERROR: generic error.</summary>
        internal const int Error = -1;

        /// <summary>PCAP_ERROR_NO_SUCH_DEVICE.</summary>
        internal const int ErrorNoSuchDevice = -5;

        /// <summary>PCAP_ERROR_PERM_DENIED: the process lacks CAP_NET_RAW.</summary>
        internal const int ErrorPermissionDenied = -8;

        /// <summary>PCAP_ERROR_PROMISC_PERM_DENIED.</summary>
        internal const int ErrorPromiscuousPermissionDenied = -11;

        // char *pcap_geterr(pcap_t *p);
        // Points into the handle's own PCAP_ERRBUF_SIZE buffer; valid until the next call on the handle.
        [LibraryImport(Libraries.Pcap)]
        internal static partial byte* pcap_geterr(nint p);

        // const char *pcap_statustostr(int error);
        [LibraryImport(Libraries.Pcap)]
        internal static partial byte* pcap_statustostr(int error);
    }
}
