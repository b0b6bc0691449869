
namespace LvsNet.Core.Configuration;

/// <summary>
/// keepalived <c>sorry_server</c>: the server that takes every new connection while the service
/// has lost its quorum (no real server, or too little live weight, is up). It is not health-checked.
/// </summary>
public sealed record SorryServerConfig
{
    /// <summary>The sorry server's address when it is IPv4 (0 for an IPv6 sorry server).</summary>
    public required uint Address { get; init; }

    /// <summary>The sorry server's address when it is IPv6 (the sorry server of an IPv6 service), else null.</summary>
    public Packets.Ipv6.Ipv6Address? Address6 { get; init; }

    /// <summary>True for an IPv6 sorry server.</summary>
    public bool IsIpv6 => Address6 is not null;

    /// <summary>"10.0.0.9:80" or "[2001:db8::9]:80", as ipvsadm prints a server.</summary>
    public string EndpointText => Address6 is { } v6 ? $"[{v6}]:{Port}" : $"{Packets.Ipv4Address.Format(Address)}:{Port}";

    /// <summary>The sorry server's port (for dr and tun the virtual port).</summary>
    public required ushort Port { get; init; }

    /// <summary>keepalived <c>sorry_server_lvs_method</c>; default dr.</summary>
    public ForwardingMethod Method { get; init; } = ForwardingMethod.DirectRouting;

    /// <summary>The weight it is added with; default 1.</summary>
    public int Weight { get; init; } = 1;

    /// <summary>keepalived <c>sorry_server_inhibit</c>: keep it in the pool at weight 0 while unused instead of removing it.</summary>
    public bool Inhibit { get; init; }

    /// <summary>The real-server configuration it is added to the pool with.</summary>
    public RealServerConfig ToRealServer() => new()
    {
        Address = Address,
        Address6 = Address6,
        Port = Port,
        Method = Method,
        Weight = Weight,
    };
}
