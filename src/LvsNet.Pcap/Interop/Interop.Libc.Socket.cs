using System.Runtime.InteropServices;

namespace LvsNet.Pcap;

internal static partial class Interop
{
    internal static unsafe partial class Libc
    {
        /// <summary>EPERM.</summary>
        internal const int EPERM = 1;

        /// <summary>EBUSY.</summary>
        internal const int EBUSY = 16;

        /// <summary>ENOBUFS.</summary>
        internal const int ENOBUFS = 105;

        /// <summary>ENETDOWN.</summary>
        internal const int ENETDOWN = 100;

        /// <summary>MSG_DONTWAIT.</summary>
        internal const int MSG_DONTWAIT = 0x40;

        /// <summary>SOCK_RAW.</summary>
        internal const int SOCK_RAW = 3;

        /// <summary>SOCK_CLOEXEC.</summary>
        internal const int SOCK_CLOEXEC = 0x80000;

        /// <summary>PROT_READ.</summary>
        internal const int PROT_READ = 0x1;

        /// <summary>PROT_WRITE.</summary>
        internal const int PROT_WRITE = 0x2;

        /// <summary>MAP_SHARED.</summary>
        internal const int MAP_SHARED = 0x01;

        /// <summary>MAP_PRIVATE.</summary>
        internal const int MAP_PRIVATE = 0x02;

        /// <summary>MAP_ANONYMOUS.</summary>
        internal const int MAP_ANONYMOUS = 0x20;

        /// <summary>MAP_POPULATE: fault the pages in now rather than on the data path.</summary>
        internal const int MAP_POPULATE = 0x8000;

        /// <summary>MAP_FAILED.</summary>
        internal static readonly nint MapFailed = -1;

        // int socket(int domain, int type, int protocol);
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static partial int socket(int domain, int type, int protocol);

        // int setsockopt(int sockfd, int level, int optname, const void *optval, socklen_t optlen);
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static partial int setsockopt(FileDescriptorHandle sockfd, int level, int optname, void* optval, uint optlen);

        // int getsockopt(int sockfd, int level, int optname, void *optval, socklen_t *optlen);
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static partial int getsockopt(FileDescriptorHandle sockfd, int level, int optname, void* optval, uint* optlen);

        // int bind(int sockfd, const struct sockaddr *addr, socklen_t addrlen);
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static partial int bind(FileDescriptorHandle sockfd, void* addr, uint addrlen);

        // ssize_t sendto(int sockfd, const void *buf, size_t len, int flags, const struct sockaddr *dest_addr, socklen_t addrlen);
        // Raw descriptor: the caller holds a DangerousAddRef on the socket for the whole transmit path.
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static partial nint sendto(int sockfd, void* buf, nuint len, int flags, void* destAddr, uint addrlen);

        // void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset);
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static partial nint mmap(nint addr, nuint length, int prot, int flags, int fd, long offset);

        // int munmap(void *addr, size_t length);
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static partial int munmap(nint addr, nuint length);

        // unsigned int if_nametoindex(const char *ifname);
        [LibraryImport(Libraries.Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial uint if_nametoindex(string ifname);
    }
}
