namespace LvsNet.PacketIo;

/// <summary>How a live capture handle is opened. Immutable; derive variants with <c>with</c>.</summary>
/// <param name="InterfaceName">The network interface, e.g. <c>eth0</c>.</param>
public sealed record DeviceConfiguration(string InterfaceName)
{
    /// <summary>The default snap length: whole frames, since forwarding needs the entire packet.</summary>
    public const int DefaultSnapLength = 65535;

    /// <summary>The default kernel buffer size: 32 MiB (libpcap's own default of 2 MiB drops bursts).</summary>
    public const int DefaultBufferSizeBytes = 32 * 1024 * 1024;

    /// <summary>The largest snap length libpcap accepts for Ethernet (MAXIMUM_SNAPLEN).</summary>
    public const int MaximumSnapLength = 262144;

    /// <summary>Bytes captured per frame; longer frames are truncated (the wire length is still reported).</summary>
    public int SnapLength { get; init; } = DefaultSnapLength;

    /// <summary>Whether to put the interface in promiscuous mode (needed to see frames for a VIP's MAC in some modes).</summary>
    public bool Promiscuous { get; init; } = true;

    /// <summary>The kernel capture buffer size in bytes (pcap_set_buffer_size).</summary>
    /// <remarks>
    /// On Linux the buffer is a ring of fixed-size slots, one frame each. libpcap sizes a slot from the
    /// snap length, capped at MTU + 18 bytes, but only when the interface has no TSO/GSO/GRO offload
    /// enabled; with offloads on (the veth default) the cap is 65535 + 18. So 32 MiB holds about 500
    /// frames at the default snap length with offloads on, but about 20,000 at a 1500-byte MTU with
    /// offloads off. Turn offloads off on capture interfaces (which forwarding needs anyway) or lower
    /// <see cref="SnapLength"/> to the largest frame expected.
    /// </remarks>
    public int BufferSizeBytes { get; init; } = DefaultBufferSizeBytes;

    /// <summary>
    /// Whether frames are delivered as soon as they arrive (pcap_set_immediate_mode). Without it, libpcap
    /// on Linux uses TPACKET_V3 blocks that are only handed over when full or when
    /// <see cref="PacketBufferTimeout"/> expires, which adds latency on a forwarding path.
    /// </summary>
    public bool ImmediateMode { get; init; } = true;

    /// <summary>
    /// The packet buffer timeout (pcap_set_timeout); only matters when <see cref="ImmediateMode"/> is off,
    /// where it bounds how long a partly filled block waits.
    /// </summary>
    public TimeSpan PacketBufferTimeout { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Which direction of traffic is captured; <see cref="CaptureDirection.In"/> hides frames the host itself sends.</summary>
    public CaptureDirection Direction { get; init; } = CaptureDirection.In;

    /// <summary>A BPF filter expression (pcap-filter(7)) run in the kernel, or <see langword="null"/> for every frame.</summary>
    public string? Filter { get; init; }

    /// <summary>
    /// Whether reads never block (pcap_setnonblock). Keep the default: <see cref="ICaptureDevice.Dispatch"/>
    /// promises not to block, and in immediate mode libpcap 1.10 ignores the read timeout, so a blocking
    /// read would wait for the next frame indefinitely.
    /// </summary>
    public bool NonBlocking { get; init; } = true;

    /// <summary>Checks the values, throwing for the first invalid one.</summary>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(InterfaceName);
        if (InterfaceName.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("The interface name contains a NUL character.", nameof(InterfaceName));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(SnapLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(SnapLength, MaximumSnapLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BufferSizeBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(PacketBufferTimeout, TimeSpan.FromMilliseconds(1));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(PacketBufferTimeout, TimeSpan.FromMilliseconds(int.MaxValue));
        if (!Enum.IsDefined(Direction))
        {
            throw new ArgumentOutOfRangeException(nameof(Direction), Direction, "Unknown capture direction.");
        }

        if (Filter is not null && Filter.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("The filter contains a NUL character.", nameof(Filter));
        }
    }
}
