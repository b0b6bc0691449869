using Microsoft.Win32.SafeHandles;

namespace LvsNet.PacketIo.Tun;

/// <summary>Owns a /dev/net/tun descriptor.</summary>
internal sealed class TunHandle : SafeHandleMinusOneIsInvalid
{
    /// <summary>Creates an empty handle.</summary>
    public TunHandle()
        : base(ownsHandle: true)
    {
    }

    /// <summary>Takes ownership of <paramref name="fd"/>.</summary>
    public void Adopt(int fd) => SetHandle(fd);

    /// <inheritdoc/>
    protected override bool ReleaseHandle() => Interop.Libc.close((int)handle) == 0;
}
