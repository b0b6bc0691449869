using System.Diagnostics;
using System.Runtime.InteropServices;

namespace LvsNet.Pcap;

public sealed partial class AfXdpDevice
{
    private long _received;

    /// <inheritdoc/>
    /// <remarks>
    /// Each frame is handed to <paramref name="handler"/> as a span over its UMEM frame (no copy), valid
    /// only during the call; the frame then goes straight back to the fill ring. Frames sent by the
    /// handler during the calls are kicked out once the batch is done (see <see cref="Flush"/>). An
    /// exception thrown by the handler propagates; the frame counts as consumed and nothing leaks.
    /// Nothing is allocated per frame.
    /// </remarks>
    public unsafe int Dispatch(IFrameHandler handler, int maxFrames)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxFrames);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        var added = false;
        var count = 0u;
        try
        {
            _socket.DangerousAddRef(ref added);
            var available = Math.Min(_rx.Available(), (uint)maxFrames);
            while (count < available)
            {
                var descriptor = _rx.Descriptor(_rx.CachedConsumer + count);
                var address = descriptor->Address;
                var length = (int)descriptor->Length;

                // Recycle first, so the frame is returned even if the handler throws. The fill ring can
                // never be full here: it holds at most the receive frames, and this one is not in it.
                *_fill.Address(_fill.CachedProducer++) = address & ~(ulong)(_frameSize - 1);
                count++;
                handler.OnFrame(new ReadOnlySpan<byte>(_umem + address, length), length);
            }

            return (int)count;
        }
        finally
        {
            if (count != 0)
            {
                // The handler has returned, so the frames' bytes are no longer read: hand them back.
                _rx.CachedConsumer += count;
                _rx.Release();
                _fill.Publish();
                _received += count;
            }

            if (added)
            {
                if (HasTransmitWork)
                {
                    FlushCore();
                }

                _socket.DangerousRelease();
            }
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Kicks out frames still waiting in the TX ring, then blocks in poll(2) on the socket (POLLIN: the RX
    /// ring is not empty) and the wake-up eventfd; EINTR is retried with the remaining time. When both are
    /// ready, <see cref="WaitResult.Woken"/> wins and the eventfd is drained.
    /// </remarks>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits until woken or readable.</param>
    public unsafe WaitResult Wait(TimeSpan timeout)
    {
        var timeoutMilliseconds = ToPollTimeout(timeout);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        var socketAdded = false;
        var wakeAdded = false;
        try
        {
            _socket.DangerousAddRef(ref socketAdded);
            _wakeEvent.DangerousAddRef(ref wakeAdded);
            if (HasTransmitWork)
            {
                FlushCore();
            }

            var fds = stackalloc Interop.Libc.PollFd[2];
            fds[0] = new Interop.Libc.PollFd { FileDescriptor = _socket.FileDescriptor, Events = Interop.Libc.POLLIN };
            fds[1] = new Interop.Libc.PollFd { FileDescriptor = _wakeEvent.FileDescriptor, Events = Interop.Libc.POLLIN };

            var start = Stopwatch.GetTimestamp();
            var remaining = timeoutMilliseconds;
            while (true)
            {
                var ready = Interop.Libc.poll(fds, 2, remaining);
                if (ready > 0)
                {
                    if (fds[1].ReturnedEvents != 0)
                    {
                        DrainWakeEvent();
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
                    throw XdpException.FromErrno("poll(AF_XDP)", errno);
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
            if (wakeAdded)
            {
                _wakeEvent.DangerousRelease();
            }

            if (socketAdded)
            {
                _socket.DangerousRelease();
            }
        }
    }

    /// <inheritdoc/>
    /// <remarks>Adds one to the eventfd counter. Safe from any thread, also during or after <see cref="Dispose"/> (then it does nothing).</remarks>
    public unsafe void Wake()
    {
        if (_wakeEvent.IsClosed)
        {
            return;
        }

        var added = false;
        try
        {
            _wakeEvent.DangerousAddRef(ref added);
            var one = 1UL;
            while (Interop.Libc.write(_wakeEvent, (byte*)&one, sizeof(ulong)) < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Interop.Libc.EAGAIN)
                {
                    // The counter is at its maximum: a wake-up is pending anyway.
                    return;
                }

                if (errno != Interop.Libc.EINTR)
                {
                    throw XdpException.FromErrno("write(eventfd)", errno);
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
                _wakeEvent.DangerousRelease();
            }
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// <see cref="CaptureStatistics.Received"/> counts frames handed to handlers; <see cref="CaptureStatistics.Dropped"/>
    /// is the socket's <c>rx_dropped</c> (which includes frames lost because the fill ring was empty),
    /// <c>rx_ring_full</c> and <c>rx_invalid_descs</c>: frames the program redirected that never reached
    /// a handler. <see cref="CaptureStatistics.InterfaceDropped"/> is 0: the driver's own drops are in
    /// <c>ip -s link</c>. Frames passed to the kernel are not counted here. See <see cref="GetSocketStatistics"/>
    /// for the individual counters.
    /// </remarks>
    /// <exception cref="XdpException">getsockopt(XDP_STATISTICS) failed.</exception>
    public CaptureStatistics GetStatistics()
    {
        var socket = GetSocketStatistics();
        return new CaptureStatistics(_received, socket.RxDropped + socket.RxRingFull + socket.RxInvalidDescriptors, 0);
    }

    /// <summary>Reads the socket's counters (getsockopt XDP_STATISTICS). Safe from any thread.</summary>
    /// <exception cref="XdpException">getsockopt(XDP_STATISTICS) failed.</exception>
    public unsafe XdpSocketStatistics GetSocketStatistics()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        Interop.Xdp.XdpStatistics statistics;
        var length = (uint)sizeof(Interop.Xdp.XdpStatistics);
        if (Interop.Libc.getsockopt(_socket, Interop.Xdp.SOL_XDP, Interop.Xdp.XDP_STATISTICS, &statistics, &length) != 0)
        {
            throw XdpException.FromErrno("getsockopt(XDP_STATISTICS)", Marshal.GetLastPInvokeError());
        }

        return new XdpSocketStatistics(
            (long)statistics.RxDropped,
            (long)statistics.RxInvalidDescriptors,
            (long)statistics.TxInvalidDescriptors,
            (long)statistics.RxRingFull,
            (long)statistics.RxFillRingEmptyDescriptors,
            (long)statistics.TxRingEmptyDescriptors);
    }

    private static int ToPollTimeout(TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return -1;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);

        // Round up: a sub-millisecond timeout must not become a busy poll(0) loop.
        var milliseconds = Math.Ceiling(timeout.TotalMilliseconds);
        return milliseconds >= int.MaxValue ? int.MaxValue : (int)milliseconds;
    }

    private unsafe void DrainWakeEvent()
    {
        // Without EFD_SEMAPHORE one read returns the whole counter and resets it to zero.
        ulong counter;
        while (Interop.Libc.read(_wakeEvent, (byte*)&counter, sizeof(ulong)) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == Interop.Libc.EAGAIN)
            {
                return;
            }

            if (errno != Interop.Libc.EINTR)
            {
                throw XdpException.FromErrno("read(eventfd)", errno);
            }
        }
    }
}
