using LvsNet.PacketIo.Pcap;

namespace LvsNet.PacketIo;

internal static partial class Interop
{
    /// <summary>Logical library names used by the imports; <see cref="PcapLibrary"/> maps them to files.</summary>
    internal static class Libraries
    {
        /// <summary>libpcap, resolved to libpcap.so.0.8, libpcap.so.1 or libpcap.so by <see cref="PcapLibrary"/>.</summary>
        internal const string Pcap = "libpcap";

        /// <summary>The C library; the runtime maps the name "libc" to the platform's libc (libc.so.6 on glibc).</summary>
        internal const string Libc = "libc";
    }
}
