using System.Globalization;

namespace LvsNet.PacketIo.Pcap;

/// <summary>
/// One capture filter split between two libpcap handles: a main handle for every frame but small bare IPv4 SYNs
/// (SYN without ACK, RST or FIN, at most <see cref="SnapLength"/> bytes), and a SYN queue for those. The two filters
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

    /// <summary>The main handle's filter and the SYN queue's filter for <paramref name="filter"/> (pcap-filter(7)).</summary>
    public static (string Main, string Syns) Filters(string filter)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filter);
        return ($"({filter}) and not ({SmallBareSyn})", $"({filter}) and ({SmallBareSyn})");
    }
}
