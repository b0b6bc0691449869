namespace LvsNet.Control.Listings;

/// <summary>The five IPVS rate estimates (<c>ipvsadm --rate</c>): per second, bytes not bits.</summary>
/// <param name="Cps">Connections per second.</param>
/// <param name="InPps">Packets per second from clients.</param>
/// <param name="OutPps">Reply packets per second.</param>
/// <param name="InBps">Bytes per second from clients.</param>
/// <param name="OutBps">Reply bytes per second.</param>
public sealed record TrafficRates(long Cps, long InPps, long OutPps, long InBps, long OutBps)
{
    /// <summary>All zero.</summary>
    public static TrafficRates Zero { get; } = new(0, 0, 0, 0, 0);
}
