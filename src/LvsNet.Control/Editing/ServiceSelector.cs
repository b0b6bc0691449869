using System.Globalization;
using LvsNet.Core;
using LvsNet.Core.Configuration;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Control.Editing;

/// <summary>Names a virtual service as ipvsadm's -t/-u option does, or as its -f option does.</summary>
/// <param name="Protocol">"tcp" or "udp" ("tcp" for a firewall-mark service, as ipvsadm sets it).</param>
/// <param name="Address">The VIP, dotted or IPv6 text without brackets ("0.0.0.0" for a firewall-mark service).</param>
/// <param name="Port">The virtual port (0 = any port, persistent services only; 0 for a firewall-mark service).</param>
/// <param name="FirewallMark">The firewall mark of a <c>-f</c> service, or 0.</param>
public sealed record ServiceSelector(string Protocol, string Address, ushort Port, uint FirewallMark = 0)
{
    /// <summary>The selector of <c>-f <paramref name="mark"/></c>, or with <paramref name="ipv6"/> of <c>-f <paramref name="mark"/> -6</c> (address "::").</summary>
    public static ServiceSelector ForMark(uint mark, bool ipv6 = false) => new(ServiceProtocols.Tcp, ipv6 ? "::" : "0.0.0.0", 0, mark);

    /// <summary>The protocol as <see cref="IpProtocol"/>.</summary>
    public IpProtocol IpProtocol => Protocol == ServiceProtocols.Udp ? IpProtocol.Udp : IpProtocol.Tcp;

    /// <summary>The IPv6 VIP when <see cref="Address"/> is IPv6 (<c>::</c> for an IPv6 firewall-mark service), else null.</summary>
    public Ipv6Address? Address6 => Ipv6Address.TryParse(Address, out var v6) ? v6 : null;

    /// <summary>True when the selector names an IPv6 service.</summary>
    public bool IsIpv6 => Address6 is not null;

    /// <summary>The key of the service this selector names.</summary>
    public ServiceKey ToKey() => FirewallMark != 0 ? ServiceKey.ForMark(FirewallMark, IsIpv6)
        : Address6 is { } v6 ? new(IpProtocol, 0, Port, 0, v6)
        : new(IpProtocol, Ipv4Address.Parse(Address), Port);

    /// <summary>True when <paramref name="service"/> is the service this selector names.</summary>
    public bool Matches(VirtualServiceConfig service)
    {
        ArgumentNullException.ThrowIfNull(service);
        return FirewallMark != 0 || service.FirewallMark != 0
            ? service.FirewallMark == FirewallMark && service.IsIpv6 == IsIpv6
            : service.Protocol == IpProtocol && service.Port == Port
                && (service.Address6 is { } v6 ? Address6 == v6 : Ipv4Address.Format(service.Address) == Address);
    }

    /// <summary>The selector of a configured service.</summary>
    public static ServiceSelector From(VirtualServiceConfig service)
    {
        ArgumentNullException.ThrowIfNull(service);
        return service.FirewallMark != 0
            ? ForMark(service.FirewallMark, service.IsIpv6)
            : new ServiceSelector(service.Protocol == IpProtocol.Udp ? ServiceProtocols.Udp : ServiceProtocols.Tcp, service.AddressText, service.Port);
    }

    /// <summary>As ipvsadm writes it: "-t 10.0.0.100:80", "-t [2001:db8::100]:80", "-f 1", "-f 1 -6".</summary>
    public override string ToString() => FirewallMark != 0
        ? string.Create(CultureInfo.InvariantCulture, $"-f {FirewallMark}{(IsIpv6 ? " -6" : "")}")
        : IsIpv6
            ? string.Create(CultureInfo.InvariantCulture, $"{(Protocol == ServiceProtocols.Udp ? "-u" : "-t")} [{Address}]:{Port}")
            : string.Create(CultureInfo.InvariantCulture, $"{(Protocol == ServiceProtocols.Udp ? "-u" : "-t")} {Address}:{Port}");
}
