namespace LvsNet.PacketIo;

/// <summary>The kernel's capture counters (libpcap's <c>pcap_stat</c>).</summary>
/// <param name="Received">Frames received by the filter.</param>
/// <param name="Dropped">Frames dropped because the capture buffer was full.</param>
/// <param name="InterfaceDropped">Frames dropped by the interface or its driver.</param>
public readonly record struct CaptureStatistics(long Received, long Dropped, long InterfaceDropped);
