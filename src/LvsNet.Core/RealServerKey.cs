using LvsNet.Packets;

namespace LvsNet.Core;

/// <summary>Identifies a real server of a virtual service: the service's key, the server's address and port.</summary>
/// <param name="Service">The virtual service.</param>
/// <param name="Address">The real server's address.</param>
/// <param name="Port">The real server's port.</param>
/// <param name="Address6">The IPv6 address of an IPv6 server (then <paramref name="Address"/> is 0), else null.</param>
public readonly record struct RealServerKey(ServiceKey Service, uint Address, ushort Port, Packets.Ipv6.Ipv6Address? Address6 = null)
{
    /// <summary>The key of <paramref name="server"/>.</summary>
    public static RealServerKey Of(RealServerState server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return new RealServerKey(server.Service, server.Address, server.Port, server.IsIpv6 ? server.Address6 : null);
    }

    /// <summary>The server's address as text: "10.0.0.11" or "2001:db8::11".</summary>
    public string AddressText => Address6 is { } v6 ? v6.ToString() : Ipv4Address.Format(Address);

    /// <summary>"10.0.0.11:80" or "[2001:db8::11]:80".</summary>
    public string ServerText => Address6 is { } v6 ? $"[{v6}]:{Port}" : $"{Ipv4Address.Format(Address)}:{Port}";

    /// <summary>"TCP 10.0.0.100:80 -> 10.0.0.11:80".</summary>
    public override string ToString() => $"{Service} -> {ServerText}";
}
