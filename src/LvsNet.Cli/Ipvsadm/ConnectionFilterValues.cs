using System.Globalization;
using LvsNet.Control.Protocol;
using LvsNet.Packets;

namespace LvsNet.Cli.Ipvsadm;

/// <summary>Parses the values of <c>--client</c>, <c>--server</c> and <c>--service</c> into a <see cref="ConnectionFilter"/> (numeric addresses only: a query names what the table holds).</summary>
internal static class ConnectionFilterValues
{
    /// <summary><c>--client address[/prefix][:port]</c>.</summary>
    public static ConnectionFilter Client(ConnectionFilter? filter, string value)
    {
        var (hostPart, port) = SplitPort(value, "client");
        var prefix = 32;
        var slash = hostPart.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            prefix = IpvsadmValues.ToNumber(hostPart[(slash + 1)..], 0, 32) ?? throw IpvsadmErrors.Fail($"illegal client prefix length in '{value}'");
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
        var colon = value.LastIndexOf(':');
        if (colon < 0)
        {
            return (value, 0);
        }

        var port = IpvsadmValues.ToNumber(value[(colon + 1)..], 1, 65535) ?? throw IpvsadmErrors.Fail($"illegal {what} port in '{value}'");
        return (value[..colon], (ushort)port);
    }

    private static string Address(string text, string what) =>
        Ipv4Address.TryParse(text, out var address)
            ? Ipv4Address.Format(address)
            : throw IpvsadmErrors.Fail(string.Create(CultureInfo.InvariantCulture, $"illegal {what} address '{text}' (a numeric IPv4 address)"));
}
