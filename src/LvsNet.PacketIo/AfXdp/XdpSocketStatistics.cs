namespace LvsNet.PacketIo.AfXdp;

/// <summary>The kernel's counters of an AF_XDP socket (<c>struct xdp_statistics</c>, getsockopt XDP_STATISTICS).</summary>
/// <param name="RxDropped">Frames the program redirected that the socket dropped for any reason other than an invalid descriptor (this includes those counted in <paramref name="RxFillRingEmpty"/>).</param>
/// <param name="RxInvalidDescriptors">Frames dropped because of an invalid receive descriptor.</param>
/// <param name="TxInvalidDescriptors">Transmit descriptors the kernel refused (bad address or length).</param>
/// <param name="RxRingFull">Frames dropped because the RX ring was full (the capture thread is behind).</param>
/// <param name="RxFillRingEmpty">Times the kernel found no free UMEM frame in the fill ring.</param>
/// <param name="TxRingEmpty">Times the kernel found the TX ring empty when kicked.</param>
public readonly record struct XdpSocketStatistics(
    long RxDropped,
    long RxInvalidDescriptors,
    long TxInvalidDescriptors,
    long RxRingFull,
    long RxFillRingEmpty,
    long TxRingEmpty);
