namespace LvsNet.Control.Protocol;

/// <summary>The capture device's kernel counters (libpcap's pcap_stats).</summary>
/// <param name="Received">Frames the kernel passed to the capture.</param>
/// <param name="Dropped">Frames the kernel dropped because the capture buffer was full.</param>
/// <param name="InterfaceDropped">Frames the interface dropped.</param>
public sealed record CaptureCounters(long Received, long Dropped, long InterfaceDropped);
