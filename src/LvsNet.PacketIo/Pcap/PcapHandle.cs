using Microsoft.Win32.SafeHandles;

namespace LvsNet.PacketIo.Pcap;

/// <summary>Owns a <c>pcap_t*</c> and closes it with <c>pcap_close</c>.</summary>
/// <remarks>
/// Hot loops take the raw pointer inside a <see cref="System.Runtime.InteropServices.SafeHandle.DangerousAddRef"/>
/// / <see cref="System.Runtime.InteropServices.SafeHandle.DangerousRelease"/> scope, so a concurrent
/// <see cref="IDisposable.Dispose"/> only closes the handle once the loop has let go of it.
/// </remarks>
internal sealed class PcapHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    /// <summary>Creates an empty handle; the interop layer sets it from <c>pcap_create</c>'s result.</summary>
    public PcapHandle()
        : base(ownsHandle: true)
    {
    }

    /// <inheritdoc/>
    protected override bool ReleaseHandle()
    {
        Interop.Pcap.pcap_close(handle);
        return true;
    }
}
