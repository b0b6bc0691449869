using System.Globalization;
using LvsNet.Core;
using LvsNet.Core.Configuration;
using LvsNet.Packets;

namespace LvsNet.Control.Editing;

/// <summary>Names a virtual service as ipvsadm's -t/-u option does.</summary>
/// <param name="Protocol">"tcp" or "udp".</param>
/// <param name="Address">The VIP, dotted quad.</param>
/// <param name="Port">The virtual port (0 = any port, persistent services only).</param>
public sealed record ServiceSelector(string Protocol, string Address, ushort Port)
{
    /// <summary>The protocol as <see cref="IpProtocol"/>.</summary>
    public IpProtocol IpProtocol => Protocol == ServiceProtocols.Udp ? IpProtocol.Udp : IpProtocol.Tcp;

    /// <summary>The key of the service this selector names.</summary>
    public ServiceKey ToKey() => new(IpProtocol, Ipv4Address.Parse(Address), Port);

    /// <summary>True when <paramref name="service"/> is the service this selector names.</summary>
    public bool Matches(VirtualServiceConfig service)
    {
        ArgumentNullException.ThrowIfNull(service);
        return service.Protocol == IpProtocol && service.Port == Port && Ipv4Address.Format(service.Address) == Address;
    }

    /// <summary>The selector of a configured service.</summary>
    public static ServiceSelector From(VirtualServiceConfig service)
    {
        ArgumentNullException.ThrowIfNull(service);
        return new ServiceSelector(service.Protocol == IpProtocol.Udp ? ServiceProtocols.Udp : ServiceProtocols.Tcp, Ipv4Address.Format(service.Address), service.Port);
    }

    /// <summary>As ipvsadm writes it: "-t 10.0.0.100:80".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{(Protocol == ServiceProtocols.Udp ? "-u" : "-t")} {Address}:{Port}");
}
