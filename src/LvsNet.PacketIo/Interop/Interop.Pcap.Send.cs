using System.Runtime.InteropServices;

namespace LvsNet.PacketIo;

internal static partial class Interop
{
    internal static unsafe partial class Pcap
    {
        // int pcap_sendpacket(pcap_t *p, const u_char *buf, int size);
        // Returns 0 on success, PCAP_ERROR with pcap_geterr text ("send: Message too long") on failure.
        // Takes the raw pointer: the caller holds a DangerousAddRef.
        [LibraryImport(Libraries.Pcap)]
        internal static partial int pcap_sendpacket(nint p, byte* buf, int size);
    }
}
