using System.Runtime.InteropServices;
using LvsNet.PacketIo.Tun;

namespace LvsNet.PacketIo;

internal static partial class Interop
{
    internal static unsafe partial class Libc
    {
        /// <summary>O_RDWR.</summary>
        internal const int O_RDWR = 0x2;

        /// <summary>O_CLOEXEC.</summary>
        internal const int O_CLOEXEC = 0x80000;

        /// <summary>TUNSETIFF = _IOW('T', 202, int) (linux/if_tun.h).</summary>
        internal const nuint TUNSETIFF = 0x400454CA;

        /// <summary>IFF_TUN: a layer-3 device (packets start at the IP header).</summary>
        internal const short IFF_TUN = 0x0001;

        /// <summary>IFF_NO_PI: no 4-byte packet-information prefix.</summary>
        internal const short IFF_NO_PI = 0x1000;

        /// <summary>IFNAMSIZ.</summary>
        internal const int IFNAMSIZ = 16;

        // int open(const char *pathname, int flags);
        [LibraryImport(Libraries.Libc, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int open(string pathname, int flags);

        // int ioctl(int fd, unsigned long request, struct ifreq *ifr);
        [LibraryImport(Libraries.Libc, SetLastError = true)]
        internal static partial int ioctl(TunHandle fd, nuint request, IfReq* ifr);

        // ssize_t write(int fd, const void *buf, size_t count);
        [LibraryImport(Libraries.Libc, EntryPoint = "write", SetLastError = true)]
        internal static partial nint write(TunHandle fd, byte* buf, nuint count);

        /// <summary>struct ifreq as TUNSETIFF reads it: the name, then the flags (the union is 24 bytes).</summary>
        [StructLayout(LayoutKind.Sequential, Size = 40)]
        internal struct IfReq
        {
            public fixed byte Name[IFNAMSIZ];
            public short Flags;
        }
    }
}
