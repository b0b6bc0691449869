using LvsNet.Packets;

namespace LvsNet.Control.Protocol;

/// <summary>
/// Which connection entries <c>lvsnetadm -L -c</c> asks for: by client, real server or virtual
/// service (all given parts must match), at most <see cref="Limit"/> rows. The daemon applies it on
/// each capture thread while it walks its table, so a query on a table of millions sends only the
/// matching rows (and their counts).
/// </summary>
public sealed record ConnectionFilter
{
    /// <summary>The client's address (dotted), or null for any.</summary>
    public string? ClientAddress { get; init; }

    /// <summary>The client's prefix length with <see cref="ClientAddress"/> (32 = that address only).</summary>
    public int ClientPrefixLength { get; init; } = 32;

    /// <summary>The client's port, or 0 for any.</summary>
    public ushort ClientPort { get; init; }

    /// <summary>The real server's address (dotted), or null for any.</summary>
    public string? ServerAddress { get; init; }

    /// <summary>The real server's port, or 0 for any.</summary>
    public ushort ServerPort { get; init; }

    /// <summary>The VIP (dotted), or null for any.</summary>
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
        if (ClientAddress is not null && !Ipv4Address.TryParse(ClientAddress, out _))
        {
            error = $"client address '{ClientAddress}' is not an IPv4 address";
        }
        else if (ServerAddress is not null && !Ipv4Address.TryParse(ServerAddress, out _))
        {
            error = $"server address '{ServerAddress}' is not an IPv4 address";
        }
        else if (ServiceAddress is not null && !Ipv4Address.TryParse(ServiceAddress, out _))
        {
            error = $"service address '{ServiceAddress}' is not an IPv4 address";
        }
        else if (ClientPrefixLength is < 0 or > 32)
        {
            error = $"client prefix length {ClientPrefixLength} is not between 0 and 32";
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
}
