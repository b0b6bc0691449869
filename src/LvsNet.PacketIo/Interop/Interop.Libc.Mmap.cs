using System.Runtime.InteropServices;

namespace LvsNet.PacketIo;

internal static partial class Interop
{
    internal static unsafe partial class Libc
    {
        /// <summary>PROT_READ | PROT_WRITE.</summary>
        internal const int PROT_READ_WRITE = 0x1 | 0x2;

        /// <summary>MAP_SHARED.</summary>
        internal const int MAP_SHARED = 0x01;

        /// <summary>MAP_PRIVATE.</summary>
        internal const int MAP_PRIVATE = 0x02;

        /// <summary>MAP_ANONYMOUS.</summary>
        internal const int MAP_ANONYMOUS = 0x20;

        /// <summary>MAP_POPULATE: fault the pages in at mmap time instead of on the first packet.</summary>
        internal const int MAP_POPULATE = 0x8000;

        /// <summary>MAP_FAILED.</summary>
        internal const nint MAP_FAILED = -1;

        // void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset);
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static partial nint mmap(nint addr, nuint length, int prot, int flags, int fd, nint offset);

        /// <summary>MADV_HUGEPAGE: back the range with transparent huge pages where the kernel can.</summary>
        internal const int MADV_HUGEPAGE = 14;

        // int madvise(void *addr, size_t length, int advice);
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static partial int madvise(nint addr, nuint length, int advice);

        // int munmap(void *addr, size_t length);
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static partial int munmap(nint addr, nuint length);
    }
}
