using System.Runtime.InteropServices;

namespace LvsNet.PacketIo;

internal static partial class Interop
{
    internal static unsafe partial class Libc
    {
        /// <summary>EFD_NONBLOCK (= O_NONBLOCK).</summary>
        internal const int EFD_NONBLOCK = 0x800;

        /// <summary>EFD_CLOEXEC (= O_CLOEXEC).</summary>
        internal const int EFD_CLOEXEC = 0x80000;

        // int eventfd(unsigned int initval, int flags);
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static partial int eventfd(uint initval, int flags);

        // ssize_t read(int fd, void *buf, size_t count);
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static partial nint read(EventFdHandle fd, byte* buf, nuint count);

        // ssize_t write(int fd, const void *buf, size_t count);
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static partial nint write(EventFdHandle fd, byte* buf, nuint count);

        // int close(int fd);
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static partial int close(int fd);
    }
}
