using System.Runtime.InteropServices;

namespace LvsNet.PacketIo;

internal static partial class Interop
{
    internal static unsafe partial class Libc
    {
        /// <summary>POLLIN.</summary>
        internal const short POLLIN = 0x001;

        /// <summary><c>struct pollfd</c>: <c>int fd; short events; short revents;</c>.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct PollFd
        {
            /// <summary><c>fd</c>.</summary>
            public int FileDescriptor;

            /// <summary><c>events</c>: requested events.</summary>
            public short Events;

            /// <summary><c>revents</c>: returned events (including POLLERR/POLLHUP, which are always reported).</summary>
            public short ReturnedEvents;
        }

        // int poll(struct pollfd *fds, nfds_t nfds, int timeout);
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static partial int poll(PollFd* fds, nuint nfds, int timeout);
    }
}
