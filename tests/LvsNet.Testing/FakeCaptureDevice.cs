using System.Collections.Concurrent;
using LvsNet.PacketIo;

namespace LvsNet.Testing;

/// <summary>A capture device fed by the test: frames queued with <see cref="Enqueue"/> are handed out by <see cref="Dispatch"/>.</summary>
public sealed class FakeCaptureDevice : ICaptureDevice
{
    private readonly ConcurrentQueue<byte[]> _frames = new();
    private readonly SemaphoreSlim _signal = new(0);
    private volatile bool _woken;

    /// <inheritdoc />
    public string Name => "fake0";

    /// <summary>Frames handed out.</summary>
    public long Dispatched { get; private set; }

    /// <summary>Queues a frame.</summary>
    public void Enqueue(byte[] frame)
    {
        _frames.Enqueue(frame);
        _signal.Release();
    }

    /// <inheritdoc />
    public int Dispatch(IFrameHandler handler, int maxFrames)
    {
        var count = 0;
        while (count < maxFrames && _frames.TryDequeue(out var frame))
        {
            handler.OnFrame(frame, frame.Length);
            count++;
        }

        Dispatched += count;
        return count;
    }

    /// <inheritdoc />
    public WaitResult Wait(TimeSpan timeout)
    {
        if (_woken)
        {
            _woken = false;
            return WaitResult.Woken;
        }

        return _signal.Wait(timeout) ? WaitResult.Readable : WaitResult.Timeout;
    }

    /// <inheritdoc />
    public void Wake()
    {
        _woken = true;
        _signal.Release();
    }

    /// <inheritdoc />
    public CaptureStatistics GetStatistics() => new(Dispatched, 0, 0);

    /// <inheritdoc />
    public void Dispose() => _signal.Dispose();
}
