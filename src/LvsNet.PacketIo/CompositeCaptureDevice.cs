namespace LvsNet.PacketIo;

/// <summary>
/// One capture device read as two: a primary device that carries the traffic and blocks in
/// <see cref="Wait"/>, and a secondary one read after it. When the primary can poll the secondary's
/// descriptor beside its own (AF_XDP with a libpcap companion), one wait covers both and a frame on
/// either ends it at once; otherwise the secondary is read after every wait of at most
/// <see cref="SecondaryPollInterval"/>. The AF_XDP backend uses it to read, beside its socket, the
/// ARP replies and IPv6 neighbour advertisements that reach the kernel (they are addressed to the
/// director's own address or its link-local address, which the XDP program leaves to the kernel, and
/// an XDP program cannot hand one frame to both).
/// </summary>
/// <remarks>Thread contract: as <see cref="ICaptureDevice"/>; both devices are owned (disposed) by this one.</remarks>
public sealed class CompositeCaptureDevice : ICaptureDevice
{
    private readonly ICaptureDevice _primary;
    private readonly ICaptureDevice _secondary;
    private readonly IJointWaitCaptureDevice? _jointPrimary;
    private readonly ISelectableCaptureDevice? _selectableSecondary;

    /// <summary>Combines <paramref name="primary"/> and <paramref name="secondary"/>.</summary>
    public CompositeCaptureDevice(ICaptureDevice primary, ICaptureDevice secondary, TimeSpan secondaryPollInterval)
    {
        ArgumentNullException.ThrowIfNull(primary);
        ArgumentNullException.ThrowIfNull(secondary);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(secondaryPollInterval, TimeSpan.Zero);
        _primary = primary;
        _secondary = secondary;
        SecondaryPollInterval = secondaryPollInterval;
        if (primary is IJointWaitCaptureDevice joint && secondary is ISelectableCaptureDevice selectable)
        {
            _jointPrimary = joint;
            _selectableSecondary = selectable;
        }
    }

    /// <summary>
    /// The longest a frame of the secondary device waits while the primary one is idle, when the two
    /// cannot be waited for jointly (see <see cref="WaitsJointly"/>).
    /// </summary>
    public TimeSpan SecondaryPollInterval { get; }

    /// <summary>Whether one wait covers both devices, so that a secondary frame ends it at once.</summary>
    public bool WaitsJointly => _jointPrimary is not null;

    /// <inheritdoc />
    public string Name => _primary.Name;

    /// <inheritdoc />
    public int Dispatch(IFrameHandler handler, int maxFrames)
    {
        var handled = _primary.Dispatch(handler, maxFrames);
        return handled + _secondary.Dispatch(handler, Math.Max(1, maxFrames - handled));
    }

    /// <inheritdoc />
    public WaitResult Wait(TimeSpan timeout) => _jointPrimary is not null
        ? _jointPrimary.Wait(timeout, _selectableSecondary!)
        : _primary.Wait(timeout < SecondaryPollInterval ? timeout : SecondaryPollInterval);

    /// <inheritdoc />
    public void Wake() => _primary.Wake();

    /// <inheritdoc />
    public CaptureStatistics GetStatistics()
    {
        var a = _primary.GetStatistics();
        var b = _secondary.GetStatistics();
        return new CaptureStatistics(a.Received + b.Received, a.Dropped + b.Dropped, a.InterfaceDropped + b.InterfaceDropped);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _primary.Dispose();
        _secondary.Dispose();
    }
}
