using System.Globalization;
using LvsNet.Core;
using LvsNet.Core.Configuration;
using LvsNet.Packets;

namespace LvsNet.Control.Editing;

/// <summary>Names a virtual service as ipvsadm's -t/-u option does, or as its -f option does.</summary>
/// <param name="Protocol">"tcp" or "udp" ("tcp" for a firewall-mark service, as ipvsadm sets it).</param>
/// <param name="Address">The VIP, dotted ("0.0.0.0" for a firewall-mark service).</param>
/// <param name="Port">The virtual port (0 = any port, persistent services only; 0 for a firewall-mark service).</param>
/// <param name="FirewallMark">The firewall mark of a <c>-f</c> service, or 0.</param>
public sealed record ServiceSelector(string Protocol, string Address, ushort Port, uint FirewallMark = 0)
{
    /// <summary>The selector of <c>-f <paramref name="mark"/></c>.</summary>
    public static ServiceSelector ForMark(uint mark) => new(ServiceProtocols.Tcp, "0.0.0.0", 0, mark);

    /// <summary>The protocol as <see cref="IpProtocol"/>.</summary>
    public IpProtocol IpProtocol => Protocol == ServiceProtocols.Udp ? IpProtocol.Udp : IpProtocol.Tcp;

    /// <summary>The key of the service this selector names.</summary>
    public ServiceKey ToKey() => FirewallMark != 0 ? ServiceKey.ForMark(FirewallMark) : new(IpProtocol, Ipv4Address.Parse(Address), Port);

    /// <summary>True when <paramref name="service"/> is the service this selector names.</summary>
    public bool Matches(VirtualServiceConfig service)
    {
        ArgumentNullException.ThrowIfNull(service);
        return FirewallMark != 0 || service.FirewallMark != 0
            ? service.FirewallMark == FirewallMark
            : service.Protocol == IpProtocol && service.Port == Port && Ipv4Address.Format(service.Address) == Address;
    }

    /// <summary>The selector of a configured service.</summary>
    public static ServiceSelector From(VirtualServiceConfig service)
    {
        ArgumentNullException.ThrowIfNull(service);
        return service.FirewallMark != 0
            ? ForMark(service.FirewallMark)
            : new ServiceSelector(service.Protocol == IpProtocol.Udp ? ServiceProtocols.Udp : ServiceProtocols.Tcp, Ipv4Address.Format(service.Address), service.Port);
    }

    /// <summary>As ipvsadm writes it: "-t 10.0.0.100:80", "-f 1".</summary>
    public override string ToString() => FirewallMark != 0
        ? string.Create(CultureInfo.InvariantCulture, $"-f {FirewallMark}")
        : string.Create(CultureInfo.InvariantCulture, $"{(Protocol == ServiceProtocols.Udp ? "-u" : "-t")} {Address}:{Port}");
}
