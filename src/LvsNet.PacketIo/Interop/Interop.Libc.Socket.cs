using System.Runtime.InteropServices;

namespace LvsNet.PacketIo;

internal static partial class Interop
{
    internal static unsafe partial class Libc
    {
        /// <summary>EPERM.</summary>
        internal const int EPERM = 1;

        /// <summary>EBUSY.</summary>
        internal const int EBUSY = 16;

        /// <summary>ENETDOWN.</summary>
        internal const int ENETDOWN = 100;

        /// <summary>MSG_DONTWAIT.</summary>
        internal const int MSG_DONTWAIT = 0x40;

        /// <summary>PROT_READ.</summary>
        internal const int PROT_READ = 0x1;

        /// <summary>PROT_WRITE.</summary>
        internal const int PROT_WRITE = 0x2;

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
    }
}
