using LvsNet.Packets;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Control.Protocol;

/// <summary>
/// Which connection entries <c>lvsnetadm -L -c</c> asks for: by client, real server or virtual
/// service (all given parts must match), at most <see cref="Limit"/> rows. The daemon applies it on
/// each capture thread while it walks its table, so a query on a table of millions sends only the
/// matching rows (and their counts).
/// </summary>
public sealed record ConnectionFilter
{
    /// <summary>The client's address (dotted, or IPv6 text), or null for any.</summary>
    public string? ClientAddress { get; init; }

    /// <summary>The client's prefix length with <see cref="ClientAddress"/> (32 = that address only; up to 128 for an IPv6 client).</summary>
    public int ClientPrefixLength { get; init; } = 32;

    /// <summary>The client's port, or 0 for any.</summary>
    public ushort ClientPort { get; init; }

    /// <summary>The real server's address (dotted, or IPv6 text), or null for any.</summary>
    public string? ServerAddress { get; init; }

    /// <summary>The real server's port, or 0 for any.</summary>
    public ushort ServerPort { get; init; }

    /// <summary>The VIP (dotted, or IPv6 text), or null for any.</summary>
    public string? ServiceAddress { get; init; }

    /// <summary>The virtual port, or 0 for any.</summary>
    public ushort ServicePort { get; init; }

    /// <summary>"tcp" or "udp", or null for any.</summary>
    public string? Protocol { get; init; }

    /// <summary>The most rows returned (the counts cover every match).</summary>
    public int Limit { get; init; } = 1000;

    /// <summary>True when every given part is well-formed; <paramref name="error"/> says what is not.</summary>
    public bool IsValid(out string? error)
    {
        error = null;
        if (ClientAddress is not null && !IsAddress(ClientAddress))
        {
            error = $"client address '{ClientAddress}' is not an IP address";
        }
        else if (ServerAddress is not null && !IsAddress(ServerAddress))
        {
            error = $"server address '{ServerAddress}' is not an IP address";
        }
        else if (ServiceAddress is not null && !IsAddress(ServiceAddress))
        {
            error = $"service address '{ServiceAddress}' is not an IP address";
        }
        else if (ClientPrefixLength < 0 || ClientPrefixLength > (ClientAddress is not null && Ipv6Address.TryParse(ClientAddress, out _) ? 128 : 32))
        {
            error = $"client prefix length {ClientPrefixLength} is not between 0 and {(ClientAddress is not null && Ipv6Address.TryParse(ClientAddress, out _) ? 128 : 32)}";
        }
        else if (Protocol is not (null or "tcp" or "udp"))
        {
            error = $"protocol '{Protocol}' is not tcp or udp";
        }
        else if (Limit < 0)
        {
            error = "the row limit must not be negative";
        }

        return error is null;
    }

    /// <summary>The filter as one predicate over (protocol, client, client port, VIP, virtual port, server, server port); call only when <see cref="IsValid"/>.</summary>
    public Func<IpProtocol, uint, ushort, uint, ushort, uint, ushort, bool> ToPredicate()
    {
        if (NamesIpv6)
        {
            // An IPv6 address in the filter: no IPv4 entry matches.
            return static (_, _, _, _, _, _, _) => false;
        }

        var client = ClientAddress is null ? 0u : Ipv4Address.Parse(ClientAddress);
        var mask = ClientAddress is null || ClientPrefixLength == 0 ? 0u : uint.MaxValue << (32 - ClientPrefixLength);
        var clientPort = ClientPort;
        var hasServer = ServerAddress is not null;
        var server = hasServer ? Ipv4Address.Parse(ServerAddress!) : 0u;
        var serverPort = ServerPort;
        var hasService = ServiceAddress is not null;
        var service = hasService ? Ipv4Address.Parse(ServiceAddress!) : 0u;
        var servicePort = ServicePort;
        var protocol = Protocol switch { "tcp" => IpProtocol.Tcp, "udp" => IpProtocol.Udp, _ => (IpProtocol?)null };
        return (proto, cip, cport, vip, vport, rip, rport) =>
            (protocol is null || proto == protocol.Value)
            && (cip & mask) == (client & mask)
            && (clientPort == 0 || cport == clientPort)
            && (!hasService || vip == service)
            && (servicePort == 0 || vport == servicePort)
            && (!hasServer || rip == server)
            && (serverPort == 0 || rport == serverPort);
    }

    /// <summary>
    /// The filter over IPv6 entries (protocol, client, client port, VIP, virtual port, server or
    /// null when unknown, server port); a filter naming an IPv4 address matches none. Call only when <see cref="IsValid"/>.
    /// </summary>
    public Func<IpProtocol, Ipv6Address, ushort, Ipv6Address, ushort, Ipv6Address?, ushort, bool> ToPredicate6()
    {
        if (NamesIpv4)
        {
            return static (_, _, _, _, _, _, _) => false;
        }

        var hasClient = ClientAddress is not null;
        var prefix = hasClient ? ClientPrefixLength : 0;
        var client = hasClient ? Ipv6Address.Parse(ClientAddress!).Mask(prefix) : default;
        var clientPort = ClientPort;
        var hasServer = ServerAddress is not null;
        var server = hasServer ? Ipv6Address.Parse(ServerAddress!) : default;
        var serverPort = ServerPort;
        var hasService = ServiceAddress is not null;
        var service = hasService ? Ipv6Address.Parse(ServiceAddress!) : default;
        var servicePort = ServicePort;
        var protocol = Protocol switch { "tcp" => IpProtocol.Tcp, "udp" => IpProtocol.Udp, _ => (IpProtocol?)null };
        return (proto, cip, cport, vip, vport, rip, rport) =>
            (protocol is null || proto == protocol.Value)
            && (!hasClient || cip.Mask(prefix) == client)
            && (clientPort == 0 || cport == clientPort)
            && (!hasService || vip == service)
            && (servicePort == 0 || vport == servicePort)
            && (!hasServer || rip == server)
            && (serverPort == 0 || rport == serverPort);
    }

    private bool NamesIpv6 => Is6(ClientAddress) || Is6(ServerAddress) || Is6(ServiceAddress);

    private bool NamesIpv4 => Is4(ClientAddress) || Is4(ServerAddress) || Is4(ServiceAddress);

    private static bool Is6(string? address) => address is not null && Ipv6Address.TryParse(address, out _);

    private static bool Is4(string? address) => address is not null && Ipv4Address.TryParse(address, out _);

    private static bool IsAddress(string address) => Is4(address) || Is6(address);
}
