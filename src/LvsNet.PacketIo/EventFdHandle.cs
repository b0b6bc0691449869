using System.Diagnostics;
using System.Runtime.InteropServices;
using LvsNet.PacketIo.Pcap;
using Microsoft.Win32.SafeHandles;

namespace LvsNet.PacketIo;

/// <summary>
/// Owns an eventfd(2) descriptor used to wake a thread blocked in poll(2), and the poll loop every
/// capture device shares: wait for its own descriptor or the wake-up, whichever comes first.
/// </summary>
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

    private unsafe void Drain()
    {
        // Without EFD_SEMAPHORE one read returns the whole counter and resets it to zero.
        ulong counter;
        while (Interop.Libc.read(this, (byte*)&counter, sizeof(ulong)) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == Interop.Libc.EAGAIN)
            {
                return;
            }

            if (errno != Interop.Libc.EINTR)
            {
                throw PcapException.FromErrno("read(eventfd)", errno);
            }
        }
    }

    /// <summary>poll(2)'s timeout for <paramref name="timeout"/>: -1 for infinite, else whole milliseconds rounded up (a sub-millisecond timeout must not become a busy poll(0) loop).</summary>
    public static int ToPollTimeout(TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return -1;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        var milliseconds = Math.Ceiling(timeout.TotalMilliseconds);
        return milliseconds >= int.MaxValue ? int.MaxValue : (int)milliseconds;
    }

    /// <summary>
    /// Blocks in poll(2) on <paramref name="fileDescriptor"/> (POLLIN) and this eventfd; EINTR is
    /// retried with the remaining time. When both are ready, <see cref="WaitResult.Woken"/> wins and the
    /// counter is drained. An error or hang-up on the descriptor is reported as
    /// <see cref="WaitResult.Readable"/>, so that the caller's next read surfaces it.
    /// </summary>
    /// <remarks>The caller holds a reference on the handle behind <paramref name="fileDescriptor"/> for the call.</remarks>
    /// <exception cref="PcapException">poll(2) failed.</exception>
    public WaitResult WaitWith(int fileDescriptor, int timeoutMilliseconds) => WaitWith(fileDescriptor, -1, timeoutMilliseconds);

    /// <summary>
    /// As <see cref="WaitWith(int, int)"/>, with a second descriptor polled beside the first
    /// (<paramref name="companionDescriptor"/>; -1 for none, which poll(2) ignores): readiness of either
    /// is <see cref="WaitResult.Readable"/>.
    /// </summary>
    /// <remarks>The caller holds references on the handles behind both descriptors for the call.</remarks>
    /// <exception cref="PcapException">poll(2) failed.</exception>
    public unsafe WaitResult WaitWith(int fileDescriptor, int companionDescriptor, int timeoutMilliseconds)
    {
        var added = false;
        try
        {
            // The reference keeps the descriptor number from being closed (and reused) under poll.
            DangerousAddRef(ref added);
            var fds = stackalloc Interop.Libc.PollFd[3];
            fds[0] = new Interop.Libc.PollFd { FileDescriptor = fileDescriptor, Events = Interop.Libc.POLLIN };
            fds[1] = new Interop.Libc.PollFd { FileDescriptor = FileDescriptor, Events = Interop.Libc.POLLIN };
            fds[2] = new Interop.Libc.PollFd { FileDescriptor = companionDescriptor, Events = Interop.Libc.POLLIN };
            var start = Stopwatch.GetTimestamp();
            var remaining = timeoutMilliseconds;
            while (true)
            {
                var ready = Interop.Libc.poll(fds, companionDescriptor < 0 ? 2u : 3u, remaining);
                if (ready > 0)
                {
                    if (fds[1].ReturnedEvents != 0)
                    {
                        Drain();
                        return WaitResult.Woken;
                    }

                    return WaitResult.Readable;
                }

                if (ready == 0)
                {
                    return WaitResult.Timeout;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno != Interop.Libc.EINTR)
                {
                    throw PcapException.FromErrno("poll", errno);
                }

                if (timeoutMilliseconds > 0)
                {
                    var elapsed = (long)Math.Ceiling(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    remaining = (int)Math.Max(0, timeoutMilliseconds - elapsed);
                }
            }
        }
        finally
        {
            if (added)
            {
                DangerousRelease();
            }
        }
    }

    /// <summary>Adds one to the counter, waking a thread in <see cref="WaitWith(int, int, int)"/>. Safe from any thread, also during or after disposal (then it does nothing).</summary>
    /// <exception cref="PcapException">write(2) failed with something other than EAGAIN or EINTR.</exception>
    public unsafe void Signal()
    {
        if (IsClosed)
        {
            return;
        }

        var added = false;
        try
        {
            DangerousAddRef(ref added);
            var one = 1UL;
            while (Interop.Libc.write(this, (byte*)&one, sizeof(ulong)) < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Interop.Libc.EAGAIN)
                {
                    // The counter is at its maximum: a wake-up is pending anyway.
                    return;
                }

                if (errno != Interop.Libc.EINTR)
                {
                    throw PcapException.FromErrno("write(eventfd)", errno);
                }
            }
        }
        catch (ObjectDisposedException)
        {
            // Disposed between the check and the reference: nothing is left to wake.
        }
        finally
        {
            if (added)
            {
                DangerousRelease();
            }
        }
    }

    /// <inheritdoc/>
    protected override bool ReleaseHandle()
    {
        // close(2) is never retried on EINTR on Linux: the descriptor is released either way, so a
        // failure here is not a leak worth reporting.
        Interop.Libc.close((int)handle);
        return true;
    }
}
