namespace LvsNet.Core.Health;

/// <summary>
/// Sets up the policy routing that sends a probe addressed to a VIP to one real server's MAC
/// (checks with <c>via_vip</c>), and names the socket mark that selects it.
/// </summary>
public interface IProbeRouteProvider
{
    /// <summary>Makes sure probes to <paramref name="virtualAddress"/> marked with the returned mark leave through <paramref name="realServer"/>.</summary>
    /// <returns>The SO_MARK value, or null when the route could not be set up (the probe then fails).</returns>
    int? Prepare(uint virtualAddress, uint realServer);

    /// <summary>Makes sure probes to the IPv6 VIP <paramref name="virtualAddress"/> marked with the returned mark leave through the IPv6 real server <paramref name="realServer"/>.</summary>
    /// <returns>The SO_MARK value, or null when the route could not be set up (the probe then fails).</returns>
    int? Prepare6(Packets.Ipv6.Ipv6Address virtualAddress, Packets.Ipv6.Ipv6Address realServer);
}
