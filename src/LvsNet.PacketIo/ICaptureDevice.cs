namespace LvsNet.PacketIo;

/// <summary>A source of captured frames read by one thread.</summary>
/// <remarks>
/// Thread contract: <see cref="Dispatch"/> and <see cref="Wait"/> are called by the single
/// capture thread that owns the device; <see cref="Wake"/> may be called from any thread.
/// </remarks>
public interface ICaptureDevice : IDisposable
{
    /// <summary>The interface (or file) name.</summary>
    string Name { get; }

    /// <summary>
    /// Hands up to <paramref name="maxFrames"/> frames that are ready to <paramref name="handler"/>
    /// without blocking.
    /// </summary>
    /// <returns>The number of frames handed over; 0 when none were ready.</returns>
    int Dispatch(IFrameHandler handler, int maxFrames);

    /// <summary>
    /// Blocks until frames may be readable, <see cref="Wake"/> is called, or <paramref name="timeout"/> passes.
    /// </summary>
    WaitResult Wait(TimeSpan timeout);

    /// <summary>Wakes a thread blocked in <see cref="Wait"/> (used to stop the capture loop).</summary>
    void Wake();

    /// <summary>Returns the kernel's capture counters.</summary>
    CaptureStatistics GetStatistics();
}
