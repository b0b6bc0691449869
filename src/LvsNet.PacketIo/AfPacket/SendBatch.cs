using System.Runtime.InteropServices;

namespace LvsNet.PacketIo.AfPacket;

/// <summary>
/// Batched transmit on a packet socket: frames are copied into pre-mapped slots and leave with one
/// sendmmsg(2) for the whole batch. Shared by <see cref="AfPacketDevice"/> and <see cref="PacketSocketSender"/>.
/// </summary>
/// <remarks>
/// Thread contract: one thread stages and flushes; the counters may be read from any thread, and
/// <see cref="Dispose"/> may run on another thread (the mapping is released once no call uses it).
/// Nothing is allocated after construction.
/// </remarks>
internal sealed unsafe class SendBatch : IDisposable
{
    private readonly MappedMemoryHandle _memory;
    private readonly int _capacity;
    private readonly int _slotSize;
    private int _staged;
    private long _failures;
    private long _sent;
    private long _calls;
    private int _lastErrno;

    /// <summary>Maps the staging area: <paramref name="capacity"/> slots of at least <paramref name="frameSizeBytes"/> bytes.</summary>
    /// <exception cref="PcapException">mmap(2) failed.</exception>
    public SendBatch(int capacity, int frameSizeBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(frameSizeBytes, 1);
        _capacity = capacity;
        _slotSize = (frameSizeBytes + 63) & ~63;

        // The mmsghdr array, then the iovec array, then the frame slots (cache-line aligned).
        var headerBytes = (nuint)(capacity * (sizeof(Interop.Libc.MMsgHdr) + sizeof(Interop.Libc.IoVec)));
        var slotsOffset = (headerBytes + 63) & ~(nuint)63;
        _memory = MappedMemoryHandle.MapAnonymous(slotsOffset + (nuint)(capacity * _slotSize));
        var messages = (Interop.Libc.MMsgHdr*)_memory.Address;
        var vectors = Vectors;
        for (var i = 0; i < capacity; i++)
        {
            vectors[i].Base = _memory.Address + slotsOffset + ((long)i * _slotSize);
            messages[i].IoVectors = vectors + i;
            messages[i].IoVectorCount = 1;
        }
    }

    /// <summary>The largest frame a slot takes.</summary>
    public int SlotSize => _slotSize;

    /// <summary>Frames staged and not yet flushed.</summary>
    public int Staged => _staged;

    /// <summary>Whether every slot is taken (the owner flushes then).</summary>
    public bool IsFull => _staged == _capacity;

    /// <summary>Frames refused: too large for a slot, or refused by the kernel at flush.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Frames the kernel accepted.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>sendmmsg(2) calls made.</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>The errno of the most recently refused frame (0 when none); read it on the owning thread.</summary>
    public int LastErrno => _lastErrno;

    /// <summary>Copies <paramref name="frame"/> into the next slot; false (counted) when it is empty or larger than a slot.</summary>
    /// <remarks>The caller flushes when <see cref="IsFull"/>, so a slot is always free here.</remarks>
    public bool Stage(ReadOnlySpan<byte> frame)
    {
        if ((uint)frame.Length > (uint)_slotSize || frame.IsEmpty)
        {
            Interlocked.Increment(ref _failures);
            return false;
        }

        var added = false;
        try
        {
            _memory.DangerousAddRef(ref added);
            var vectors = Vectors;
            var slot = _staged;
            frame.CopyTo(new Span<byte>(vectors[slot].Base, frame.Length));
            vectors[slot].Length = (nuint)frame.Length;
            _staged = slot + 1;
        }
        finally
        {
            if (added)
            {
                _memory.DangerousRelease();
            }
        }

        return true;
    }

    /// <summary>
    /// Sends every staged frame on <paramref name="socket"/> with one sendmmsg(2). When the kernel refuses a
    /// frame, sendmmsg stops there: the frame is counted as failed and the rest goes with another call.
    /// A blocking socket whose send buffer is full makes the call wait briefly instead of dropping.
    /// </summary>
    public void Flush(PacketSocketHandle socket)
    {
        if (_staged == 0)
        {
            return;
        }

        var socketAdded = false;
        var memoryAdded = false;
        try
        {
            socket.DangerousAddRef(ref socketAdded);
            _memory.DangerousAddRef(ref memoryAdded);
            var messages = (Interop.Libc.MMsgHdr*)_memory.Address;
            int done = 0, sent = 0, failed = 0, calls = 0;
            while (done < _staged)
            {
                calls++;
                var result = Interop.Libc.sendmmsg(socket.FileDescriptor, messages + done, (uint)(_staged - done), 0);
                if (result > 0)
                {
                    done += result;
                    sent += result;
                    continue;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno == Interop.Libc.EINTR)
                {
                    continue;
                }

                // The first frame of the rest was refused: count it and go on with the next.
                _lastErrno = errno;
                failed++;
                done++;
            }

            _staged = 0;
            Interlocked.Add(ref _sent, sent);
            Interlocked.Add(ref _calls, calls);
            if (failed > 0)
            {
                Interlocked.Add(ref _failures, failed);
            }
        }
        finally
        {
            if (memoryAdded)
            {
                _memory.DangerousRelease();
            }

            if (socketAdded)
            {
                socket.DangerousRelease();
            }
        }
    }

    /// <summary>Discards staged frames and unmaps the staging area.</summary>
    public void Dispose() => _memory.Dispose();

    private Interop.Libc.IoVec* Vectors => (Interop.Libc.IoVec*)(_memory.Address + (_capacity * sizeof(Interop.Libc.MMsgHdr)));
}
