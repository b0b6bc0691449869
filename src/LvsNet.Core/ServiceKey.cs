using LvsNet.Packets;

namespace LvsNet.Core;

/// <summary>Identifies a virtual service: protocol, VIP and port.</summary>
/// <param name="Protocol">The protocol.</param>
/// <param name="Address">The virtual IP.</param>
/// <param name="Port">The virtual port.</param>
public readonly record struct ServiceKey(IpProtocol Protocol, uint Address, ushort Port)
{
    /// <summary>"TCP 10.0.0.100:80".</summary>
    public override string ToString() => $"{(Protocol == IpProtocol.Tcp ? "TCP" : Protocol == IpProtocol.Udp ? "UDP" : Protocol.ToString())} {Ipv4Address.Format(Address)}:{Port}";
}
