using System.Runtime.InteropServices;
using LvsNet.PacketIo.AfXdp;
using LvsNet.PacketIo.Bpf;

namespace LvsNet.PacketIo.AfXdp;

/// <summary>An mmap(2) region (the UMEM or one AF_XDP ring) unmapped by its owning <see cref="XskSocketHandle"/>.</summary>
/// <param name="Address">The start of the region.</param>
/// <param name="Length">Its length in bytes.</param>
internal readonly record struct MemoryMapping(nint Address, nuint Length)
{
    /// <summary>Maps <paramref name="length"/> bytes; <paramref name="fd"/> -1 with MAP_ANONYMOUS for plain memory.</summary>
    /// <exception cref="XdpException">mmap(2) failed.</exception>
    public static MemoryMapping Map(nuint length, int flags, int fd, long offset, string what)
    {
        var address = Interop.Libc.mmap(0, length, Interop.Libc.PROT_READ | Interop.Libc.PROT_WRITE, flags, fd, (nint)offset);
        if (address == Interop.Libc.MAP_FAILED)
        {
            throw XdpException.FromErrno($"mmap({what}, {length} bytes)", Marshal.GetLastPInvokeError());
        }

        return new MemoryMapping(address, length);
    }

    /// <summary>Unmaps the region.</summary>
    public void Unmap() => Interop.Libc.munmap(Address, Length);
}
