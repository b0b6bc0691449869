using System.Runtime.InteropServices;
using LvsNet.PacketIo.AfPacket;
using LvsNet.PacketIo.Pcap;
using Microsoft.Win32.SafeHandles;

namespace LvsNet.PacketIo.AfPacket;

/// <summary>Owns a region mapped with mmap(2) (a packet ring or an anonymous staging area) and unmaps it.</summary>
internal sealed unsafe class MappedMemoryHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    private MappedMemoryHandle(nint address, nuint length)
        : base(ownsHandle: true)
    {
        Length = length;
        SetHandle(address);
    }

    /// <summary>The mapped length in bytes.</summary>
    public nuint Length { get; }

    /// <summary>The first byte of the mapping (valid inside a DangerousAddRef scope).</summary>
    public byte* Address => (byte*)handle;

    /// <summary>Maps the rings of <paramref name="socket"/> (shared with the kernel).</summary>
    /// <exception cref="PcapException">mmap(2) failed.</exception>
    public static MappedMemoryHandle MapSocket(PacketSocketHandle socket, nuint length)
    {
        var added = false;
        try
        {
            socket.DangerousAddRef(ref added);
            var address = Interop.Libc.mmap(0, length, Interop.Libc.PROT_READ_WRITE,
                Interop.Libc.MAP_SHARED | Interop.Libc.MAP_POPULATE, socket.FileDescriptor, 0);
            return FromResult(address, length, "mmap(PACKET_RX_RING)");
        }
        finally
        {
            if (added)
            {
                socket.DangerousRelease();
            }
        }
    }

    /// <summary>Maps <paramref name="length"/> zeroed, private bytes.</summary>
    /// <exception cref="PcapException">mmap(2) failed.</exception>
    public static MappedMemoryHandle MapAnonymous(nuint length)
    {
        var address = Interop.Libc.mmap(0, length, Interop.Libc.PROT_READ_WRITE,
            Interop.Libc.MAP_PRIVATE | Interop.Libc.MAP_ANONYMOUS | Interop.Libc.MAP_POPULATE, -1, 0);
        return FromResult(address, length, "mmap(anonymous)");
    }

    /// <inheritdoc/>
    protected override bool ReleaseHandle()
    {
        Interop.Libc.munmap(handle, Length);
        return true;
    }

    private static MappedMemoryHandle FromResult(nint address, nuint length, string step)
    {
        if (address == Interop.Libc.MAP_FAILED)
        {
            throw PcapException.FromErrno(step, Marshal.GetLastPInvokeError());
        }

        return new MappedMemoryHandle(address, length);
    }
}
