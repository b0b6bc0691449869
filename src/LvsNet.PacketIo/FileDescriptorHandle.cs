using Microsoft.Win32.SafeHandles;

namespace LvsNet.PacketIo;

/// <summary>Owns a plain file descriptor (a BPF map, program or link, or a socket) and closes it once.</summary>
internal class FileDescriptorHandle : SafeHandleMinusOneIsInvalid
{
    /// <summary>Creates an empty handle.</summary>
    public FileDescriptorHandle()
        : base(ownsHandle: true)
    {
    }

    /// <summary>The descriptor number, for kernel structures that carry it (map updates, poll) inside a DangerousAddRef scope.</summary>
    public int FileDescriptor => (int)handle;

    /// <summary>Takes ownership of <paramref name="fd"/>.</summary>
    public static FileDescriptorHandle Adopt(int fd)
    {
        var result = new FileDescriptorHandle();
        result.SetHandle(fd);
        return result;
    }

    /// <inheritdoc/>
    protected override bool ReleaseHandle()
    {
        // close(2) is never retried on EINTR on Linux: the descriptor is released either way.
        Interop.Libc.close((int)handle);
        return true;
    }
}
