namespace LvsNet.PacketIo.AfPacket;

/// <summary>How an <see cref="AfPacketDevice"/> opens its socket: ring geometry, block timeout, filter, batching, fanout.</summary>
/// <remarks>
/// The receive ring is <see cref="BlockCount"/> blocks of <see cref="BlockSizeBytes"/> (TPACKET_V3); the
/// defaults (512 × 64 KiB = 32 MiB) hold about 20,000 full-size or 200,000 minimum-size frames. Many small
/// blocks rather than a few big ones: under light load the kernel hands a block over at each
/// <see cref="BlockTimeout"/> however empty it is, so the ring rides out a stall of the reading thread
/// of up to <see cref="BlockCount"/> × <see cref="BlockTimeout"/> (512 ms by default) without drops. The
/// transmit side stages up to <see cref="TransmitBatchSize"/> frames of at most
/// <see cref="TransmitFrameSizeBytes"/> and sends them with one sendmmsg(2) per batch.
/// </remarks>
/// <param name="InterfaceName">The interface to open.</param>
public sealed record AfPacketOptions(string InterfaceName)
{
    /// <summary>The default <see cref="BlockSizeBytes"/>: 64 KiB.</summary>
    public const int DefaultBlockSizeBytes = 64 * 1024;

    /// <summary>The default <see cref="BlockCount"/>.</summary>
    public const int DefaultBlockCount = 512;

    /// <summary>The default <see cref="FrameSizeBytes"/>.</summary>
    public const int DefaultFrameSizeBytes = 2048;

    /// <summary>The default <see cref="TransmitBatchSize"/>.</summary>
    public const int DefaultTransmitBatchSize = 64;

    /// <summary>The default <see cref="TransmitFrameSizeBytes"/>: a 9000-byte jumbo frame plus headers.</summary>
    public const int DefaultTransmitFrameSizeBytes = 9216;

    /// <summary>The default <see cref="BlockTimeout"/>: 1 ms, the smallest the kernel accepts.</summary>
    public static readonly TimeSpan DefaultBlockTimeout = TimeSpan.FromMilliseconds(1);

    private const int PageSize = 4096;

    /// <summary>Size of one receive block; a multiple of the 4 KiB page size. A frame never spans blocks.</summary>
    public int BlockSizeBytes { get; init; } = DefaultBlockSizeBytes;

    /// <summary>Number of receive blocks.</summary>
    public int BlockCount { get; init; } = DefaultBlockCount;

    /// <summary>
    /// The nominal frame size the kernel uses to size the ring (<c>tp_frame_size</c>); TPACKET_V3 packs
    /// frames of any length into a block, so this is no limit on the frame length.
    /// </summary>
    public int FrameSizeBytes { get; init; } = DefaultFrameSizeBytes;

    /// <summary>
    /// How long the kernel keeps a partly filled block before handing it over (<c>tp_retire_blk_tov</c>,
    /// whole milliseconds, at least 1). Under light load this is the added latency of a frame, so keep it low.
    /// </summary>
    public TimeSpan BlockTimeout { get; init; } = DefaultBlockTimeout;

    /// <summary>Whether to put the interface into promiscuous mode while the socket is open.</summary>
    public bool Promiscuous { get; init; } = true;

    /// <summary>A pcap-filter(7) expression compiled with libpcap and attached as a classic BPF socket filter; <see langword="null"/> accepts all.</summary>
    public string? Filter { get; init; }

    /// <summary>Frames staged before a send is forced (the sendmmsg batch size).</summary>
    public int TransmitBatchSize { get; init; } = DefaultTransmitBatchSize;

    /// <summary>The largest frame <see cref="AfPacketDevice.Send"/> accepts.</summary>
    public int TransmitFrameSizeBytes { get; init; } = DefaultTransmitFrameSizeBytes;

    /// <summary>Sets PACKET_QDISC_BYPASS: sent frames skip the queueing discipline (faster; no traffic shaping, and a full device queue drops).</summary>
    public bool QdiscBypass { get; init; }

    /// <summary>The PACKET_FANOUT group to join (0–65535), or <see langword="null"/> for none. Sockets on one interface with the same group split its frames.</summary>
    public int? FanoutGroupId { get; init; }

    /// <summary>How the fanout group spreads frames (used when <see cref="FanoutGroupId"/> is set).</summary>
    public AfPacketFanoutMode FanoutMode { get; init; } = AfPacketFanoutMode.Hash;

    /// <summary>Total receive ring size in bytes.</summary>
    public long RingSizeBytes => (long)BlockSizeBytes * BlockCount;

    /// <summary>Checks every option.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(InterfaceName);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BlockSizeBytes);
        if (BlockSizeBytes % PageSize != 0)
        {
            throw new ArgumentException($"BlockSizeBytes ({BlockSizeBytes}) must be a multiple of {PageSize}.", nameof(BlockSizeBytes));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BlockCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(FrameSizeBytes, 128);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(FrameSizeBytes, BlockSizeBytes);
        if (FrameSizeBytes % 16 != 0)
        {
            throw new ArgumentException($"FrameSizeBytes ({FrameSizeBytes}) must be a multiple of 16 (TPACKET_ALIGNMENT).", nameof(FrameSizeBytes));
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThan(RingSizeBytes, 1L << 32, nameof(RingSizeBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(BlockTimeout, TimeSpan.FromMilliseconds(1));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(BlockTimeout, TimeSpan.FromSeconds(60));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(TransmitBatchSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(TransmitBatchSize, 1024);
        ArgumentOutOfRangeException.ThrowIfLessThan(TransmitFrameSizeBytes, 60);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(TransmitFrameSizeBytes, 65536);
        if (FanoutGroupId is { } group)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(group, nameof(FanoutGroupId));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(group, ushort.MaxValue, nameof(FanoutGroupId));
        }

        if (!Enum.IsDefined(FanoutMode))
        {
            throw new ArgumentOutOfRangeException(nameof(FanoutMode), FanoutMode, "Unknown fanout mode.");
        }
    }
}
