using LvsNet.Core;

namespace LvsNet.Control.Listings;

/// <summary>The five IPVS counters (<c>ipvsadm --stats</c>), since start or the last <c>-Z</c>.</summary>
/// <param name="Connections">Connections scheduled.</param>
/// <param name="InPackets">Packets from clients.</param>
/// <param name="OutPackets">Reply packets forwarded back to clients (NAT; 0 in DR and TUN).</param>
/// <param name="InBytes">Bytes from clients.</param>
/// <param name="OutBytes">Reply bytes (NAT).</param>
public sealed record TrafficStats(long Connections, long InPackets, long OutPackets, long InBytes, long OutBytes)
{
    /// <summary>All zero.</summary>
    public static TrafficStats Zero { get; } = new(0, 0, 0, 0, 0);

    /// <summary>The counters of a real server.</summary>
    public static TrafficStats Of(RealServerState server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return new(server.Connections, server.InPackets, server.OutPackets, server.InBytes, server.OutBytes);
    }

    /// <summary>The counters of a virtual service.</summary>
    public static TrafficStats Of(ServiceCounters counters)
    {
        ArgumentNullException.ThrowIfNull(counters);
        return new(counters.Connections, counters.InPackets, counters.OutPackets, counters.InBytes, counters.OutBytes);
    }

    /// <summary>These counters minus a zero point (never below 0).</summary>
    public TrafficStats Since(TrafficStats zeroPoint)
    {
        ArgumentNullException.ThrowIfNull(zeroPoint);
        return new(
            Math.Max(0, Connections - zeroPoint.Connections),
            Math.Max(0, InPackets - zeroPoint.InPackets),
            Math.Max(0, OutPackets - zeroPoint.OutPackets),
            Math.Max(0, InBytes - zeroPoint.InBytes),
            Math.Max(0, OutBytes - zeroPoint.OutBytes));
    }
}
