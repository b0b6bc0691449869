namespace LvsNet.PacketIo;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>EINTR: interrupted by a signal; the call is retried.</summary>
        internal const int EINTR = 4;

        /// <summary>EAGAIN: nothing to read from a non-blocking descriptor.</summary>
        internal const int EAGAIN = 11;

        /// <summary>ENOBUFS: the device queue is full (seen with PACKET_QDISC_BYPASS).</summary>
        internal const int ENOBUFS = 105;
    }
}
