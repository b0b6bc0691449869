namespace LvsNet.PacketIo.Files;

/// <summary>An <see cref="ICaptureDevice"/> that replays the frames of a .pcap file, for tests and debugging.</summary>
/// <remarks>
/// <para>
/// The whole file is read (with <see cref="PcapFileReader"/>, no libpcap) when the device is created,
/// so <see cref="Dispatch"/> allocates nothing. <see cref="Wait"/> reports
/// <see cref="WaitResult.Readable"/> while frames remain; once they are exhausted it blocks until
/// <see cref="Wake"/> or the timeout, like an idle interface. Timestamps are not replayed.
/// </para>
/// <para>Thread contract: as <see cref="ICaptureDevice"/>: one reading thread; <see cref="Wake"/> from any thread.</para>
/// </remarks>
public sealed class OfflineCaptureDevice : ICaptureDevice
{
    private readonly PcapRecord[] _records;
    private readonly object _gate = new();
    private int _next;
    private bool _wakePending;
    private bool _disposed;

    /// <summary>Loads the Ethernet frames of the .pcap file at <paramref name="path"/>.</summary>
    /// <exception cref="PcapFileFormatException">The file is malformed, truncated or not Ethernet.</exception>
    public OfflineCaptureDevice(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var reader = PcapFileReader.Open(path);
        Name = path;
        _records = Load(reader);
    }

    /// <summary>Loads the Ethernet frames of a .pcap file from <paramref name="stream"/>.</summary>
    /// <param name="name">The name to report as <see cref="Name"/>.</param>
    /// <param name="stream">The file's content; read to the end and left open.</param>
    /// <exception cref="PcapFileFormatException">The content is malformed, truncated or not Ethernet.</exception>
    public OfflineCaptureDevice(string name, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(name);
        using var reader = new PcapFileReader(stream, leaveOpen: true);
        Name = name;
        _records = Load(reader);
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>The number of frames in the file.</summary>
    public int FrameCount => _records.Length;

    /// <summary>The number of frames not yet dispatched.</summary>
    public int RemainingFrames => _records.Length - Volatile.Read(ref _next);

    /// <inheritdoc/>
    public int Dispatch(IFrameHandler handler, int maxFrames)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxFrames);
        ObjectDisposedException.ThrowIf(_disposed, this);

        var count = 0;
        while (count < maxFrames && _next < _records.Length)
        {
            var record = _records[_next];
            Volatile.Write(ref _next, _next + 1);
            count++;
            handler.OnFrame(record.Data, record.WireLength);
        }

        return count;
    }

    /// <inheritdoc/>
    public WaitResult Wait(TimeSpan timeout)
    {
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        }

        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_gate)
        {
            if (!_wakePending && RemainingFrames == 0 && timeout != TimeSpan.Zero)
            {
                // Monitor.Wait has no spurious wake-ups; a Pulse only comes from Wake.
                Monitor.Wait(_gate, timeout);
            }

            if (_wakePending)
            {
                _wakePending = false;
                return WaitResult.Woken;
            }

            return RemainingFrames > 0 ? WaitResult.Readable : WaitResult.Timeout;
        }
    }

    /// <inheritdoc/>
    public void Wake()
    {
        lock (_gate)
        {
            _wakePending = true;
            Monitor.PulseAll(_gate);
        }
    }

    /// <inheritdoc/>
    /// <remarks><see cref="CaptureStatistics.Received"/> is the number of frames dispatched so far; nothing is ever dropped.</remarks>
    public CaptureStatistics GetStatistics() => new(Volatile.Read(ref _next), 0, 0);

    /// <summary>Marks the device disposed and wakes a blocked <see cref="Wait"/>.</summary>
    public void Dispose()
    {
        _disposed = true;
        Wake();
    }

    private static PcapRecord[] Load(PcapFileReader reader)
    {
        if (reader.LinkType != (int)PcapFileFormat.LinkTypeEthernet)
        {
            throw new PcapFileFormatException($"Link type {reader.LinkType} is not Ethernet (1).", 20);
        }

        return [.. reader.ReadRecords()];
    }
}
