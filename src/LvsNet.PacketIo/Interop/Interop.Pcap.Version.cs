using System.Runtime.InteropServices;

namespace LvsNet.PacketIo;

internal static partial class Interop
{
    internal static unsafe partial class Pcap
    {
        // const char *pcap_lib_version(void);
        [LibraryImport(Libraries.Pcap)]
        internal static partial byte* pcap_lib_version();
    }
}
