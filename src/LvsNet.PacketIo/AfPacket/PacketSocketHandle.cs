using System.Runtime.InteropServices;
using LvsNet.PacketIo.Pcap;

namespace LvsNet.PacketIo.AfPacket;

/// <summary>Owns an AF_PACKET socket descriptor and closes it.</summary>
/// <remarks>
/// Closing the socket also tears down its rings in the kernel; the user-space mapping of the rings is
/// a separate <see cref="MappedMemoryHandle"/> and must be released first or independently (the kernel
/// keeps the pages alive while they are mapped).
/// </remarks>
internal sealed class PacketSocketHandle : FileDescriptorHandle
{
    /// <summary>Creates a close-on-exec AF_PACKET/SOCK_RAW socket that receives nothing until it is bound.</summary>
    /// <exception cref="PcapException">socket(2) failed (EPERM without CAP_NET_RAW).</exception>
    public static PacketSocketHandle Create()
    {
        // Protocol 0: no frame is queued before the rings and the filter are in place; bind() with
        // ETH_P_ALL starts reception (packet(7)).
        var fd = Interop.Libc.socket(Interop.Libc.AF_PACKET, Interop.Libc.SOCK_RAW | Interop.Libc.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            var exception = PcapException.FromErrno("socket(AF_PACKET)", errno);
            throw errno == 1
                ? new PcapException(exception.Message + ". Packet sockets need CAP_NET_RAW: run as root or grant it with 'setcap cap_net_raw,cap_net_admin+ep'.", exception.Step, errno)
                : exception;
        }

        var result = new PacketSocketHandle();
        result.SetHandle(fd);
        return result;
    }
}
