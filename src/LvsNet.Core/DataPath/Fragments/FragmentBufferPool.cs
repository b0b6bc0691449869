namespace LvsNet.Core.DataPath.Fragments;

/// <summary>
/// Fixed buffers for fragments waiting for the rest of their datagram: one slab allocated at
/// start, each buffer one frame, with the fragment's place in its datagram and a link to the next
/// fragment of the same datagram. Nothing is allocated after construction.
/// </summary>
/// <remarks>Thread contract: one per capture thread.</remarks>
internal sealed class FragmentBufferPool
{
    private readonly byte[] _slab;
    private readonly int _bufferBytes;
    private readonly int[] _free;
    private readonly int[] _length;
    private readonly int[] _start;
    private readonly int[] _end;
    private readonly int[] _next;
    private int _freeCount;

    /// <summary>Creates <paramref name="buffers"/> buffers of <paramref name="bufferBytes"/> bytes each.</summary>
    public FragmentBufferPool(int buffers, int bufferBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(buffers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferBytes, 64);
        _bufferBytes = bufferBytes;
        _slab = GC.AllocateUninitializedArray<byte>(checked(buffers * bufferBytes));
        _free = new int[buffers];
        _length = new int[buffers];
        _start = new int[buffers];
        _end = new int[buffers];
        _next = new int[buffers];
        for (var i = 0; i < buffers; i++)
        {
            _free[i] = buffers - 1 - i;
        }

        _freeCount = buffers;
    }

    /// <summary>How many buffers there are.</summary>
    public int Capacity => _free.Length;

    /// <summary>How many buffers hold a fragment.</summary>
    public int InUse => _free.Length - _freeCount;

    /// <summary>The largest frame a buffer holds.</summary>
    public int BufferBytes => _bufferBytes;

    /// <summary>
    /// Copies <paramref name="frame"/> into a free buffer and records its data's place
    /// [<paramref name="start"/>, <paramref name="end"/>) in the datagram; −1 when no buffer is free
    /// or the frame is larger than a buffer.
    /// </summary>
    public int Rent(ReadOnlySpan<byte> frame, int start, int end)
    {
        if (_freeCount == 0 || frame.Length > _bufferBytes)
        {
            return -1;
        }

        var buffer = _free[--_freeCount];
        frame.CopyTo(_slab.AsSpan(buffer * _bufferBytes));
        _length[buffer] = frame.Length;
        _start[buffer] = start;
        _end[buffer] = end;
        _next[buffer] = -1;
        return buffer;
    }

    /// <summary>Gives a buffer back.</summary>
    public void Return(int buffer) => _free[_freeCount++] = buffer;

    /// <summary>The frame held in <paramref name="buffer"/>.</summary>
    public ReadOnlySpan<byte> Frame(int buffer) => _slab.AsSpan(buffer * _bufferBytes, _length[buffer]);

    /// <summary>Where the fragment's data starts in its datagram.</summary>
    public int Start(int buffer) => _start[buffer];

    /// <summary>Where the fragment's data ends (exclusive) in its datagram.</summary>
    public int End(int buffer) => _end[buffer];

    /// <summary>The next fragment of the same datagram (by offset), or −1.</summary>
    public ref int Next(int buffer) => ref _next[buffer];
}
