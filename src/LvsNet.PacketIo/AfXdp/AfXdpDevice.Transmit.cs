using System.Runtime.InteropServices;

namespace LvsNet.PacketIo.AfXdp;

public sealed partial class AfXdpDevice
{
    /// <summary>
    /// Upper bound of sendto(2) calls per flush. In copy mode the kernel sends at most 32 frames per call
    /// (TX_BATCH_SIZE in net/xdp/xsk.c) and returns EAGAIN while more are queued, so one flush moves up to
    /// 4096 frames; sends are flushed every <see cref="AfXdpOptions.TransmitBatchSize"/> frames anyway.
    /// What is left goes out at the next flush.
    /// </summary>
    private const int MaxKicksPerFlush = 128;

    private ulong[] _transmitFree = [];
    private int _transmitFreeCount;
    private int _transmitPending;
    private long _sendFailures;

    /// <inheritdoc/>
    public long SendFailures => Interlocked.Read(ref _sendFailures);

    /// <inheritdoc/>
    /// <remarks>
    /// Copies <paramref name="frame"/> into a free transmit frame of the UMEM and queues it on the TX ring
    /// (one copy, no allocation). The ring is kicked when <see cref="AfXdpOptions.TransmitBatchSize"/>
    /// frames are queued, after each <see cref="Dispatch"/> and before each <see cref="Wait"/>; a thread
    /// that sends outside that loop calls <see cref="Flush"/>. Returns false (and counts a failure) when
    /// the frame is empty or larger than a UMEM frame, or when no transmit frame or TX slot is free even
    /// after a flush, which happens only when the kernel cannot keep up.
    /// </remarks>
    public unsafe bool Send(ReadOnlySpan<byte> frame)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (frame.IsEmpty || frame.Length > _frameSize)
        {
            Interlocked.Increment(ref _sendFailures);
            return false;
        }

        var added = false;
        try
        {
            _socket.DangerousAddRef(ref added);
            if (_transmitFreeCount == 0 || _tx.Free(1) == 0)
            {
                // Frames still in flight: push them out and collect what the kernel has finished with.
                FlushCore();
                if (_transmitFreeCount == 0 || _tx.Free(1) == 0)
                {
                    Interlocked.Increment(ref _sendFailures);
                    return false;
                }
            }

            var address = _transmitFree[--_transmitFreeCount];
            frame.CopyTo(new Span<byte>(_umem + address, frame.Length));
            var descriptor = _tx.Descriptor(_tx.CachedProducer++);
            descriptor->Address = address;
            descriptor->Length = (uint)frame.Length;
            descriptor->Options = 0;
            if (++_transmitPending >= _transmitBatchSize)
            {
                FlushCore();
            }

            return true;
        }
        finally
        {
            if (added)
            {
                _socket.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Publishes the frames queued by <see cref="Send"/> to the kernel, kicks the TX ring with sendto(2)
    /// (MSG_DONTWAIT) and takes finished frames back from the completion ring.
    /// </summary>
    /// <remarks>Call it on the owning thread after a burst of sends made outside <see cref="Dispatch"/>.</remarks>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var added = false;
        try
        {
            _socket.DangerousAddRef(ref added);
            FlushCore();
        }
        finally
        {
            if (added)
            {
                _socket.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Frames queued, or sent but not yet back from the completion ring: a flush has something to do
    /// (a kick that ENOBUFS cut short, or completions to reap). Two field reads, no shared memory.
    /// </summary>
    private bool HasTransmitWork => _transmitPending != 0 || _transmitFreeCount != _transmitFree.Length;

    /// <summary>Frames queued but not yet published to the kernel (for tests and diagnostics).</summary>
    internal int TransmitPending => _transmitPending;

    /// <summary>Transmit frames free in the UMEM (for tests and diagnostics).</summary>
    internal int TransmitFree => _transmitFreeCount;

    // Caller holds a reference on _socket.
    private unsafe void FlushCore()
    {
        if (_transmitPending != 0)
        {
            _tx.Publish();
            _transmitPending = 0;
        }

        var fd = _socket.FileDescriptor;
        for (var kick = 0; kick < MaxKicksPerFlush && !_tx.IsDrained(); kick++)
        {
            if (Interop.Libc.sendto(fd, null, 0, Interop.Libc.MSG_DONTWAIT, null, 0) >= 0)
            {
                continue;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno is Interop.Libc.EAGAIN or Interop.Libc.EINTR)
            {
                // Copy mode: at most one batch per call; EAGAIN means "more left, call again".
                continue;
            }

            // ENOBUFS, EBUSY, ENETDOWN: the device cannot take more now; the frames stay queued for the
            // next flush. Other errors are counted as failures of the frames still queued.
            if (errno is not (Interop.Libc.ENOBUFS or Interop.Libc.EBUSY or Interop.Libc.ENETDOWN))
            {
                Interlocked.Increment(ref _sendFailures);
            }

            break;
        }

        ReapCompletions();
    }

    private unsafe void ReapCompletions()
    {
        var completed = _completion.Available();
        if (completed == 0)
        {
            return;
        }

        for (var i = 0u; i < completed; i++)
        {
            _transmitFree[_transmitFreeCount++] = *_completion.Address(_completion.CachedConsumer + i);
        }

        _completion.CachedConsumer += completed;
        _completion.Release();
    }
}
