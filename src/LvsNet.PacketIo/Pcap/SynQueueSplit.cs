using System.Globalization;

namespace LvsNet.PacketIo.Pcap;

/// <summary>
/// One capture split between two libpcap handles: a main handle for every frame but small bare IPv4 SYNs (SYN
/// without ACK, RST or FIN, at most <see cref="SnapLength"/> bytes), and a SYN queue for those. The two filters
/// together match exactly what the original matches, and no frame matches both.
/// </summary>
/// <remarks>
/// libpcap in immediate mode uses a TPACKET_V2 ring: one fixed slot per frame, sized from the snap length (capped
/// at MTU + 18 bytes without segmentation offloads). At the default snap length a slot is 2 KiB, so 1 MiB holds 512
/// SYNs, a few milliseconds of a flood. At <see cref="SnapLength"/> a slot is about 270 bytes and the same megabyte
/// holds about 3,800. Only SYNs that fit it whole go to the queue, so no frame is ever cut short.
/// </remarks>
public static class SynQueueSplit
{
    /// <summary>
    /// The SYN queue's snap length and the longest frame it takes: Ethernet, two VLAN tags, and IPv4 and TCP headers
    /// with their largest options (14 + 8 + 60 + 60 = 142 bytes) fit; a SYN that carries data beyond that stays in the
    /// main buffer.
    /// </summary>
    public const int SnapLength = 192;

    private static readonly string SmallBareSyn = string.Create(CultureInfo.InvariantCulture,
        $"ip and tcp[tcpflags] & (tcp-syn|tcp-ack|tcp-rst|tcp-fin) == tcp-syn and len <= {SnapLength}");

    /// <summary>
    /// The two handles' configurations for <paramref name="capture"/>: the main one as given with the SYNs filtered
    /// out, the SYN queue with <paramref name="synQueueBytes"/> of buffer and the <see cref="SnapLength"/>.
    /// </summary>
    public static (DeviceConfiguration Main, DeviceConfiguration Syns) Configurations(DeviceConfiguration capture, int synQueueBytes)
    {
        ArgumentNullException.ThrowIfNull(capture);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(synQueueBytes);
        var main = capture.Filter is null ? $"not ({SmallBareSyn})" : $"({capture.Filter}) and not ({SmallBareSyn})";
        var syns = capture.Filter is null ? SmallBareSyn : $"({capture.Filter}) and ({SmallBareSyn})";
        return (capture with { Filter = main }, capture with { Filter = syns, BufferSizeBytes = synQueueBytes, SnapLength = SnapLength });
    }
}
