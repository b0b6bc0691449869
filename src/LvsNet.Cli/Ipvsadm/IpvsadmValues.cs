using System.Globalization;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Cli.Ipvsadm;

/// <summary>ipvsadm's value parsers: string_to_number, parse_timeout, parse_netmask, parse_service, -b flags.</summary>
internal static class IpvsadmValues
{
    /// <summary>strtol-like: the whole text must be a base-10 number within [min, max].</summary>
    public static int? ToNumber(string text, int min, int max) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? (int)value
            : null;

    /// <summary>parse_timeout: a number in range, else "invalid timeout value".</summary>
    public static int Timeout(string text, int min, int max) =>
        ToNumber(text, min, max) ?? throw IpvsadmErrors.Fail($"invalid timeout value `{text}' specified");

    /// <summary>parse_netmask: inet_aton (so "255.255.0" is 255.255.0.0), then a host name; LvsNet also wants contiguous ones.</summary>
    public static string Netmask(string? text, INameResolver resolver)
    {
        uint mask = 0;
        if (text is null || !(InetAton.TryParse(text, out mask) || resolver.TryResolveHost(text, out mask)) || ((~mask) & (~mask + 1)) != 0)
        {
            throw IpvsadmErrors.Fail("illegal virtual server persistent mask specified");
        }

        return Ipv4Address.Format(mask);
    }

    /// <summary>
    /// parse_service: <c>host[:port]</c> where host is an inet_aton address or a name and port a
    /// number or a service name, or an IPv6 address, bare (<c>2001:db8::1</c>, no port) or in
    /// brackets with a port (<c>[2001:db8::1]:80</c>; ipvsadm wants the colon after the bracket).
    /// False where ipvsadm's result lacks SERVICE_ADDR (the caller says which "illegal ...
    /// address[:port] specified"), including an empty host (":80"), which ipvsadm's resolver
    /// refuses and .NET's would turn into the local machine. IPv6 names are not resolved.
    /// </summary>
    public static bool TryParseService(string text, string protocol, INameResolver resolver, out uint address, out Ipv6Address? address6, out ushort port, out bool hasPort)
    {
        address = 0;
        address6 = null;
        port = 0;
        hasPort = false;
        if (text.Length == 0 || text.All(char.IsAsciiDigit))
        {
            return false;
        }

        string? portText = null;
        var host = text;
        if (text[0] == '[')
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= text.Length || text[close + 1] != ':')
            {
                return false;
            }

            host = text[1..close];
            portText = text[(close + 2)..];
        }

        if (Ipv6Address.TryParse(host, out var v6))
        {
            address6 = v6;
        }
        else
        {
            if (text[0] != '[')
            {
                var colon = text.LastIndexOf(':');
                host = colon < 0 ? text : text[..colon];
                portText = colon < 0 ? null : text[(colon + 1)..];
            }

            if (host.Length == 0 || host.All(char.IsWhiteSpace))
            {
                return false;
            }

            if (!InetAton.TryParse(host, out address) && !resolver.TryResolveHost(host, out address))
            {
                return false;
            }
        }

        if (portText is null)
        {
            return true;
        }

        hasPort = true;
        if (ToNumber(portText, 0, 65535) is { } number)
        {
            port = (ushort)number;
            return true;
        }

        return resolver.TryResolvePort(portText, protocol, out port);
    }

    /// <summary>-M for an IPv6 service: a prefix length from 1 to 128 (ipvsadm takes atoi of the text; LvsNet wants the whole text a number).</summary>
    public static int Ipv6Netmask(string? text) =>
        text is not null && ToNumber(text, 1, 128) is { } prefix ? prefix : throw IpvsadmErrors.Fail("illegal ipv6 netmask specified");

    /// <summary>-b: comma-separated flags, each known and belonging to the scheduler.</summary>
    public static List<string> SchedulerFlags(string scheduler, string text)
    {
        var flags = new List<string>();
        foreach (var flag in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var owner = flag switch
            {
                "flag-1" or "flag-2" or "flag-3" => null,
                "sh-fallback" or "sh-port" => "sh",
                "mh-fallback" or "mh-port" => "mh",
                _ => throw IpvsadmErrors.Fail($"invalid scheduler flag `{flag}'"),
            };
            if (owner is not null && owner != scheduler)
            {
                throw IpvsadmErrors.Fail($"incompatible scheduler flag `{flag}'");
            }

            if (!flags.Contains(flag))
            {
                flags.Add(flag);
            }
        }

        return flags.Count > 0 ? flags : throw IpvsadmErrors.Fail($"invalid scheduler flag `{text}'");
    }
}
