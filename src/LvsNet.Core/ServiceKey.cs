using LvsNet.Packets;

namespace LvsNet.Core;

/// <summary>
/// Identifies a virtual service: protocol, VIP and port, or (as IPVS's <c>-f</c>) a firewall mark,
/// in which case protocol, address and port are zero.
/// </summary>
/// <param name="Protocol">The protocol (0 for a firewall-mark service).</param>
/// <param name="Address">The virtual IP (0 for a firewall-mark service).</param>
/// <param name="Port">The virtual port (0 for a firewall-mark service).</param>
/// <param name="FirewallMark">The firewall mark, or 0 for an address service.</param>
/// <param name="Address6">The IPv6 VIP of an IPv6 service (then <paramref name="Address"/> is 0), <c>::</c> for an IPv6 firewall-mark service (as the kernel keys it: family inet6, address 0), else null.</param>
public readonly record struct ServiceKey(IpProtocol Protocol, uint Address, ushort Port, uint FirewallMark = 0, Packets.Ipv6.Ipv6Address? Address6 = null)
{
    /// <summary>The key of <paramref name="config"/>.</summary>
    public static ServiceKey Of(Configuration.VirtualServiceConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new ServiceKey(config.Protocol, config.Address, config.Port, config.FirewallMark, config.Address6);
    }

    /// <summary>True for an IPv6 service.</summary>
    public bool IsIpv6 => Address6 is not null;

    /// <summary>The key of the firewall-mark service <paramref name="mark"/> (ipvsadm <c>-f N</c>, or <c>-f N -6</c> with <paramref name="ipv6"/>).</summary>
    public static ServiceKey ForMark(uint mark, bool ipv6 = false) => new(0, 0, 0, mark, ipv6 ? Packets.Ipv6.Ipv6Address.Unspecified : null);

    /// <summary>True for a firewall-mark service.</summary>
    public bool IsFirewallMark => FirewallMark != 0;

    /// <summary>The VIP as text: "10.0.0.100" or "2001:db8::100" (RFC 5952), "0.0.0.0" for a firewall-mark service.</summary>
    public string AddressText => Address6 is { } v6 ? v6.ToString() : Ipv4Address.Format(Address);

    /// <summary>The VIP and port as ipvsadm prints them: "10.0.0.100:80" or "[2001:db8::100]:80".</summary>
    public string EndpointText => Address6 is { } v6 ? $"[{v6}]:{Port}" : $"{Ipv4Address.Format(Address)}:{Port}";

    /// <summary>"TCP 10.0.0.100:80", "TCP [2001:db8::100]:80", "FWM 1" or "FWM 1 IPv6".</summary>
    public override string ToString() => FirewallMark != 0
        ? (IsIpv6 ? $"FWM {FirewallMark} IPv6" : $"FWM {FirewallMark}")
        : $"{(Protocol == IpProtocol.Tcp ? "TCP" : Protocol == IpProtocol.Udp ? "UDP" : Protocol.ToString())} {EndpointText}";
}
