using System.Globalization;
using LvsNet.Control.Protocol;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Cli.Ipvsadm;

/// <summary>
/// Parses the values of <c>--client</c>, <c>--server</c> and <c>--service</c> into a
/// <see cref="ConnectionFilter"/> (numeric addresses only: a query names what the table holds). An
/// IPv6 address is bare (<c>2001:db8::1</c>, <c>2001:db8::/64</c>) or in brackets with a port
/// (<c>[2001:db8::1]:80</c>, as ipvsadm writes IPv6 endpoints).
/// </summary>
internal static class ConnectionFilterValues
{
    /// <summary><c>--client address[/prefix][:port]</c>.</summary>
    public static ConnectionFilter Client(ConnectionFilter? filter, string value)
    {
        var (hostPart, port) = SplitPort(value, "client");
        var slash = hostPart.IndexOf('/', StringComparison.Ordinal);
        var ipv6 = Ipv6Address.TryParse(slash >= 0 ? hostPart[..slash] : hostPart, out _);
        var prefix = ipv6 ? 128 : 32;
        if (slash >= 0)
        {
            prefix = IpvsadmValues.ToNumber(hostPart[(slash + 1)..], 0, prefix) ?? throw IpvsadmErrors.Fail($"illegal client prefix length in '{value}'");
            hostPart = hostPart[..slash];
        }

        return (filter ?? new ConnectionFilter()) with { ClientAddress = Address(hostPart, "client"), ClientPrefixLength = prefix, ClientPort = port };
    }

    /// <summary><c>--server address[:port]</c>.</summary>
    public static ConnectionFilter Server(ConnectionFilter? filter, string value)
    {
        var (hostPart, port) = SplitPort(value, "server");
        return (filter ?? new ConnectionFilter()) with { ServerAddress = Address(hostPart, "server"), ServerPort = port };
    }

    /// <summary><c>--service [tcp:|udp:]vip[:port]</c>.</summary>
    public static ConnectionFilter Service(ConnectionFilter? filter, string value)
    {
        string? protocol = null;
        var rest = value;
        foreach (var name in (string[])["tcp:", "udp:"])
        {
            if (rest.StartsWith(name, StringComparison.OrdinalIgnoreCase))
            {
                protocol = name[..3];
                rest = rest[4..];
            }
        }

        var (hostPart, port) = SplitPort(rest, "service");
        return (filter ?? new ConnectionFilter()) with { ServiceAddress = Address(hostPart, "service"), ServicePort = port, Protocol = protocol };
    }

    private static (string Host, ushort Port) SplitPort(string value, string what)
    {
        if (value.StartsWith('['))
        {
            var close = value.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || (close + 1 < value.Length && value[close + 1] != ':'))
            {
                throw IpvsadmErrors.Fail($"illegal {what} address '{value}'");
            }

            var host = value[1..close];
            return close + 1 >= value.Length
                ? (host, (ushort)0)
                : (host, (ushort)(IpvsadmValues.ToNumber(value[(close + 2)..], 1, 65535) ?? throw IpvsadmErrors.Fail($"illegal {what} port in '{value}'")));
        }

        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (Ipv6Address.TryParse(slash >= 0 ? value[..slash] : value, out _))
        {
            // A bare IPv6 address has no port (its colons are the address's).
            return (value, 0);
        }

        var colon = value.LastIndexOf(':');
        if (colon < 0)
        {
            return (value, 0);
        }

        var port = IpvsadmValues.ToNumber(value[(colon + 1)..], 1, 65535) ?? throw IpvsadmErrors.Fail($"illegal {what} port in '{value}'");
        return (value[..colon], (ushort)port);
    }

    private static string Address(string text, string what) =>
        Ipv4Address.TryParse(text, out var address) ? Ipv4Address.Format(address)
        : Ipv6Address.TryParse(text, out var address6) ? address6.ToString()
        : throw IpvsadmErrors.Fail(string.Create(CultureInfo.InvariantCulture, $"illegal {what} address '{text}' (a numeric IPv4 or IPv6 address)"));
}
