using System.Diagnostics;
using System.Runtime.InteropServices;

namespace LvsNet.PacketIo.Pcap;

/// <summary>Captures frames from a network interface with libpcap, without blocking in libpcap.</summary>
/// <remarks>
/// <para>
/// Thread contract: one capture thread owns the device and is the only caller of
/// <see cref="Dispatch"/>, <see cref="Wait"/> and <see cref="GetStatistics"/> (a <c>pcap_t</c> is not
/// thread-safe). <see cref="Wake"/> may be called from any thread. <see cref="Dispose"/> may be called
/// from any thread: it wakes a blocked <see cref="Wait"/>, and the native handle is only closed once
/// the capture thread has left the call that is using it. Frames are never sent on this handle; use a
/// separate <see cref="LiveInjectionDevice"/> (sharing one <c>pcap_t</c> across threads is sharppcap#345).
/// </para>
/// <para>
/// Reading: the handle is opened in non-blocking immediate mode. <see cref="Wait"/> blocks in poll(2) on
/// <c>pcap_get_selectable_fd</c> and an eventfd; <see cref="Dispatch"/> then pulls ready frames with
/// <c>pcap_next_ex</c> until none is left or the limit is reached. This avoids libpcap 1.10's blocking
/// reads, which ignore the timeout in immediate mode, and <c>pcap_breakloop</c>, which loses the frame
/// being read when used to stop a loop.
/// </para>
/// </remarks>
public sealed class LiveCaptureDevice : ISelectableCaptureDevice, IJointWaitCaptureDevice
{
    private readonly PcapHandle _handle;
    private readonly EventFdHandle _wakeEvent;
    private readonly int _selectableFd;
    private int _disposed;

    // pcap_stat counters are 32-bit and wrap; they are widened by accumulating unsigned deltas.
    private Interop.Pcap.PcapStat _lastStat;
    private CaptureStatistics _statistics;

    /// <summary>Opens and activates a capture handle as <paramref name="configuration"/> describes.</summary>
    /// <param name="configuration">The interface and options.</param>
    /// <exception cref="ArgumentException">The configuration is invalid.</exception>
    /// <exception cref="PcapException">A libpcap step failed (e.g. no such device, or no CAP_NET_RAW); the message names the step and the interface.</exception>
    public LiveCaptureDevice(DeviceConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        _handle = LiveHandleOpener.Open(configuration, out var warning);
        try
        {
            _selectableFd = Interop.Pcap.pcap_get_selectable_fd(_handle);
            if (_selectableFd < 0)
            {
                throw new PcapException(
                    $"pcap_get_selectable_fd on '{configuration.InterfaceName}' returned no descriptor to poll.",
                    "pcap_get_selectable_fd",
                    _selectableFd);
            }

            _wakeEvent = EventFdHandle.Create();
        }
        catch
        {
            _handle.Dispose();
            throw;
        }

        Configuration = configuration;
        ActivationWarning = warning;
        SnapLength = Interop.Pcap.pcap_snapshot(_handle);
    }

    /// <inheritdoc/>
    public string Name => Configuration.InterfaceName;

    /// <summary>The configuration the device was opened with (every option in it is in effect).</summary>
    public DeviceConfiguration Configuration { get; }

    /// <summary>libpcap's warning when activation succeeded with one (e.g. promiscuous mode unsupported), otherwise <see langword="null"/>.</summary>
    public string? ActivationWarning { get; }

    /// <summary>The snap length libpcap applied (<c>pcap_snapshot</c>).</summary>
    public int SnapLength { get; }

    /// <inheritdoc/>
    /// <remarks>
    /// Pulls frames with <c>pcap_next_ex</c>; each frame is handed to <paramref name="handler"/> as a span
    /// over libpcap's ring, valid only during the call. No managed allocation happens per frame. An
    /// exception thrown by the handler propagates (the frame counts as consumed); it never crosses
    /// native code because the handler is called from managed code.
    /// </remarks>
    /// <exception cref="PcapException">libpcap reported an error, e.g. the interface went away.</exception>
    public unsafe int Dispatch(IFrameHandler handler, int maxFrames)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxFrames);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        var added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            var pcap = _handle.DangerousGetHandle();
            var count = 0;
            while (count < maxFrames)
            {
                Interop.Pcap.PcapPacketHeader* header;
                byte* data;
                var status = Interop.Pcap.pcap_next_ex(pcap, &header, &data);
                if (status != 1)
                {
                    if (status == 0)
                    {
                        // Non-blocking mode and nothing ready.
                        break;
                    }

                    ThrowHelper.ThrowReadFailed(Name, status, pcap);
                }

                count++;
                handler.OnFrame(new ReadOnlySpan<byte>(data, (int)header->CaptureLength), (int)header->WireLength);
            }

            return count;
        }
        finally
        {
            if (added)
            {
                _handle.DangerousRelease();
            }
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// poll(2) on the capture descriptor and the wake-up eventfd; interrupted calls (EINTR) are retried
    /// with the remaining time. When both are ready, <see cref="WaitResult.Woken"/> wins and the eventfd is
    /// drained, so one or more <see cref="Wake"/> calls made before or during the wait produce exactly one
    /// <see cref="WaitResult.Woken"/>. An error or hang-up on the capture descriptor is reported as
    /// <see cref="WaitResult.Readable"/> so that the next <see cref="Dispatch"/> surfaces libpcap's error.
    /// </remarks>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits until woken or readable.</param>
    public unsafe WaitResult Wait(TimeSpan timeout)
    {
        var timeoutMilliseconds = EventFdHandle.ToPollTimeout(timeout);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        var captureAdded = false;
        try
        {
            // The references keep both descriptor numbers from being closed (and reused) under poll.
            _handle.DangerousAddRef(ref captureAdded);

            return _wakeEvent.WaitWith(_selectableFd, timeoutMilliseconds);
        }
        finally
        {
            if (captureAdded)
            {
                _handle.DangerousRelease();
            }
        }
    }

    /// <inheritdoc/>
    /// <remarks>One poll(2) on this handle's descriptor, the wake-up eventfd and <paramref name="companion"/>'s descriptor: a frame on either ends the wait at once.</remarks>
    WaitResult IJointWaitCaptureDevice.Wait(TimeSpan timeout, ISelectableCaptureDevice companion)
    {
        ArgumentNullException.ThrowIfNull(companion);
        var timeoutMilliseconds = EventFdHandle.ToPollTimeout(timeout);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        var captureAdded = false;
        var companionAdded = false;
        try
        {
            _handle.DangerousAddRef(ref captureAdded);
            var companionDescriptor = companion.AcquireSelectableDescriptor(ref companionAdded);
            return _wakeEvent.WaitWith(_selectableFd, companionDescriptor, timeoutMilliseconds);
        }
        finally
        {
            if (companionAdded)
            {
                companion.ReleaseSelectableDescriptor();
            }

            if (captureAdded)
            {
                _handle.DangerousRelease();
            }
        }
    }

    /// <inheritdoc/>
    /// <remarks>Adds one to the eventfd counter. Safe from any thread, also during or after <see cref="Dispose"/> (then it does nothing).</remarks>
    public unsafe void Wake() => _wakeEvent.Signal();

    /// <inheritdoc/>
    /// <remarks>
    /// libpcap's counters are 32-bit and wrap; this method widens them to 64 bits by accumulating the
    /// difference since the previous call, so call it at least once per 2^32 frames. On Linux,
    /// <see cref="CaptureStatistics.Received"/> counts frames that passed the filter, including those dropped.
    /// </remarks>
    /// <exception cref="PcapException"><c>pcap_stats</c> failed.</exception>
    public unsafe CaptureStatistics GetStatistics()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        Interop.Pcap.PcapStat stat;
        if (Interop.Pcap.pcap_stats(_handle, &stat) != 0)
        {
            throw PcapException.FromStatus("pcap_stats", Name, Interop.Pcap.Error, PcapLibrary.GetError(_handle));
        }

        _statistics = new CaptureStatistics(
            _statistics.Received + unchecked(stat.Received - _lastStat.Received),
            _statistics.Dropped + unchecked(stat.Dropped - _lastStat.Dropped),
            _statistics.InterfaceDropped + unchecked(stat.InterfaceDropped - _lastStat.InterfaceDropped));
        _lastStat = stat;
        return _statistics;
    }

    /// <inheritdoc/>
    int ISelectableCaptureDevice.AcquireSelectableDescriptor(ref bool added)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        _handle.DangerousAddRef(ref added);
        return _selectableFd;
    }

    /// <inheritdoc/>
    void ISelectableCaptureDevice.ReleaseSelectableDescriptor() => _handle.DangerousRelease();

    /// <summary>Wakes a blocked <see cref="Wait"/> and closes the handle and the eventfd.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // A thread blocked in Wait returns promptly; its reference keeps the descriptors open until then.
        Wake();
        _handle.Dispose();
        _wakeEvent.Dispose();
    }


}
