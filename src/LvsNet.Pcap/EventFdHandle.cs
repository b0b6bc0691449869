using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace LvsNet.Pcap;

/// <summary>Owns an eventfd(2) descriptor used to wake a thread blocked in poll(2).</summary>
/// <remarks>
/// A SafeHandle (rather than an <see cref="int"/>) so that <see cref="LiveCaptureDevice.Wake"/>
/// racing <see cref="LiveCaptureDevice.Dispose"/> on another thread can never write to a closed,
/// possibly reused, descriptor number.
/// </remarks>
internal sealed class EventFdHandle : SafeHandleMinusOneIsInvalid
{
    /// <summary>Creates an empty handle.</summary>
    public EventFdHandle()
        : base(ownsHandle: true)
    {
    }

    /// <summary>Creates a non-blocking, close-on-exec eventfd with a zero counter.</summary>
    /// <exception cref="PcapException">eventfd(2) failed.</exception>
    public static EventFdHandle Create()
    {
        var fd = Interop.Libc.eventfd(0, Interop.Libc.EFD_NONBLOCK | Interop.Libc.EFD_CLOEXEC);
        if (fd < 0)
        {
            throw PcapException.FromErrno("eventfd", Marshal.GetLastPInvokeError());
        }

        var result = new EventFdHandle();
        result.SetHandle(fd);
        return result;
    }

    /// <summary>The descriptor number, for building a pollfd inside a DangerousAddRef scope.</summary>
    public int FileDescriptor => (int)handle;

    /// <inheritdoc/>
    protected override bool ReleaseHandle()
    {
        // close(2) is never retried on EINTR on Linux: the descriptor is released either way, so a
        // failure here is not a leak worth reporting.
        Interop.Libc.close((int)handle);
        return true;
    }
}
