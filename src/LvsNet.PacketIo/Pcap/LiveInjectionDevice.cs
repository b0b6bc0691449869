namespace LvsNet.PacketIo.Pcap;

/// <summary>Sends whole Ethernet frames on an interface through its own libpcap handle.</summary>
/// <remarks>
/// <para>
/// Thread contract: one thread sends (a <c>pcap_t</c> is not thread-safe); the handle is never shared
/// with a <see cref="LiveCaptureDevice"/>, even on the same interface (sharppcap#345). <see cref="SendFailures"/>
/// may be read from any thread.
/// </para>
/// <para>
/// A libpcap handle always receives as well: every frame on the interface would be copied into its
/// ring and, unread, only dropped once the ring is full. The handle is therefore opened so that the
/// kernel discards received frames up front: a socket filter that matches nothing (<c>less 1</c>, i.e.
/// frames of at most one byte, which Ethernet cannot carry) runs before any copy into the ring, and a
/// tiny snap length and buffer bound what could slip in before the filter is attached. Direction
/// <c>out</c> and no promiscuous mode keep even that minimal. The handle stays in blocking mode, so a
/// full socket send buffer makes <see cref="Send"/> wait briefly instead of dropping the frame.
/// </para>
/// </remarks>
public sealed class LiveInjectionDevice : IInjectionDevice
{
    /// <summary>A filter that no Ethernet frame matches (length at most 1 byte).</summary>
    internal const string MatchNothingFilter = "less 1";

    private const int ReceiveSnapLength = 64;
    private const int ReceiveBufferSizeBytes = 64 * 1024;

    private readonly PcapHandle _handle;
    private long _sendFailures;
    private int _disposed;

    /// <summary>Opens an injection handle on <paramref name="interfaceName"/>.</summary>
    /// <param name="interfaceName">The interface to send on.</param>
    /// <exception cref="ArgumentException">The name is empty.</exception>
    /// <exception cref="PcapException">A libpcap step failed (e.g. no such device, or no CAP_NET_RAW).</exception>
    public LiveInjectionDevice(string interfaceName)
    {
        Name = interfaceName;
        _handle = LiveHandleOpener.Open(CreateConfiguration(interfaceName), out _);
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public long SendFailures => Interlocked.Read(ref _sendFailures);

    /// <summary>
    /// libpcap's text for the most recent failed <see cref="Send"/> (e.g. "send: Message too long"), or
    /// <see langword="null"/> when no send has failed. Read it on the sending thread, after a failure.
    /// </summary>
    /// <remarks>Nothing is allocated when a send fails; the text is copied out of libpcap's error buffer (which only sends on this handle write to) when this property is read.</remarks>
    public string? LastSendError
    {
        get
        {
            if (SendFailures == 0 || Volatile.Read(ref _disposed) != 0)
            {
                return null;
            }

            return PcapLibrary.GetError(_handle);
        }
    }

    /// <inheritdoc/>
    /// <remarks>Sends straight from <paramref name="frame"/> (pinned for the call) with <c>pcap_sendpacket</c>; nothing is allocated.</remarks>
    public unsafe bool Send(ReadOnlySpan<byte> frame)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        int status;
        var added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            fixed (byte* data = frame)
            {
                status = Interop.Pcap.pcap_sendpacket(_handle.DangerousGetHandle(), data, frame.Length);
            }
        }
        finally
        {
            if (added)
            {
                _handle.DangerousRelease();
            }
        }

        if (status != 0)
        {
            Interlocked.Increment(ref _sendFailures);
            return false;
        }

        return true;
    }

    /// <summary>
    /// The handle's own receive counters (<c>pcap_stats</c>): frames that passed the match-nothing filter
    /// into the ring. Expected to stay zero; exposed for tests and diagnostics. Call it on the sending thread.
    /// </summary>
    /// <exception cref="PcapException"><c>pcap_stats</c> failed.</exception>
    internal unsafe CaptureStatistics GetReceiveStatistics()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        Interop.Pcap.PcapStat stat;
        if (Interop.Pcap.pcap_stats(_handle, &stat) != 0)
        {
            throw PcapException.FromStatus("pcap_stats", Name, Interop.Pcap.Error, PcapLibrary.GetError(_handle));
        }

        return new CaptureStatistics(stat.Received, stat.Dropped, stat.InterfaceDropped);
    }

    /// <summary>Closes the handle.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _handle.Dispose();
        }
    }

    internal static DeviceConfiguration CreateConfiguration(string interfaceName) => new(interfaceName)
    {
        SnapLength = ReceiveSnapLength,
        Promiscuous = false,
        BufferSizeBytes = ReceiveBufferSizeBytes,
        ImmediateMode = true,
        Direction = CaptureDirection.Out,
        Filter = MatchNothingFilter,
        NonBlocking = false,
    };
}
