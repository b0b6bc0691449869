using System.Diagnostics;
using System.Runtime.InteropServices;
using LvsNet.PacketIo.Bpf;

namespace LvsNet.PacketIo.AfXdp;

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
    /// Kicks out frames still waiting in the TX ring, checks the RX ring for <see cref="AfXdpOptions.BusyPollTime"/>
    /// (when set), then blocks in poll(2) on the socket (POLLIN: the RX
    /// ring is not empty) and the wake-up eventfd; EINTR is retried with the remaining time. When both are
    /// ready, <see cref="WaitResult.Woken"/> wins and the eventfd is drained.
    /// </remarks>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits until woken or readable.</param>
    public WaitResult Wait(TimeSpan timeout) => WaitCore(timeout, null);

    /// <inheritdoc/>
    /// <remarks>
    /// One poll(2) on the socket, the wake-up eventfd and <paramref name="companion"/>'s descriptor:
    /// a frame on either device ends the wait at once (the busy-poll phase, when configured, watches
    /// the RX ring only).
    /// </remarks>
    WaitResult IJointWaitCaptureDevice.Wait(TimeSpan timeout, ISelectableCaptureDevice companion)
    {
        ArgumentNullException.ThrowIfNull(companion);
        return WaitCore(timeout, companion);
    }

    private WaitResult WaitCore(TimeSpan timeout, ISelectableCaptureDevice? companion)
    {
        var timeoutMilliseconds = EventFdHandle.ToPollTimeout(timeout);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        var socketAdded = false;
        var companionAdded = false;
        try
        {
            _socket.DangerousAddRef(ref socketAdded);
            var companionDescriptor = companion?.AcquireSelectableDescriptor(ref companionAdded) ?? -1;
            if (HasTransmitWork)
            {
                FlushCore();
            }

            if (_busyPollTicks != 0 && timeoutMilliseconds != 0 && BusyPollRx())
            {
                return WaitResult.Readable;
            }

            return _wakeEvent.WaitWith(_socket.FileDescriptor, companionDescriptor, timeoutMilliseconds);
        }
        finally
        {
            if (companionAdded)
            {
                companion!.ReleaseSelectableDescriptor();
            }

            if (socketAdded)
            {
                _socket.DangerousRelease();
            }
        }
    }

    // The busy-poll phase of Wait: whether the RX ring received a frame before it ended.
    private bool BusyPollRx()
    {
        var deadline = BusyPoll.Deadline(_busyPollTicks);
        do
        {
            if (_rx.Available() != 0)
            {
                return true;
            }
        }
        while (!BusyPoll.Expired(deadline));
        return false;
    }

    /// <inheritdoc/>
    /// <remarks>Adds one to the eventfd counter. Safe from any thread, also during or after <see cref="Dispose"/> (then it does nothing).</remarks>
    public unsafe void Wake() => _wakeEvent.Signal();

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
        // The program's own counters are read here too: this is the capture thread's once-a-second read,
        // which also notices a driver that cannot report VLAN tags (VlanMetadataLost).
        RefreshProgramCounters();
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


}
