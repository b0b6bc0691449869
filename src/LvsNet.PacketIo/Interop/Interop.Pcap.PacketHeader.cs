using System.Runtime.InteropServices;
using LvsNet.PacketIo.Pcap;

namespace LvsNet.PacketIo;

internal static partial class Interop
{
    internal static partial class Pcap
    {
        /// <summary>
        /// <c>struct pcap_pkthdr</c> on Linux x86_64 and arm64: a 16-byte <c>struct timeval</c>
        /// (two 64-bit fields), then <c>caplen</c> and <c>len</c>: 24 bytes.
        /// </summary>
        /// <remarks>
        /// Defined for 64-bit Linux only; <see cref="PcapLibrary"/> refuses to run elsewhere instead
        /// of choosing a layout per platform at run time.
        /// </remarks>
        [StructLayout(LayoutKind.Sequential)]
        internal struct PcapPacketHeader
        {
            /// <summary>The expected native size.</summary>
            internal const int NativeSize = 24;

            /// <summary><c>ts.tv_sec</c>.</summary>
            public long TimestampSeconds;

            /// <summary><c>ts.tv_usec</c> (microseconds, libpcap's default precision).</summary>
            public long TimestampMicroseconds;

            /// <summary><c>caplen</c>: the bytes present in the buffer.</summary>
            public uint CaptureLength;

            /// <summary><c>len</c>: the frame's length on the wire.</summary>
            public uint WireLength;
        }
    }
}
