using System.Collections.Immutable;
using System.Globalization;
using LvsNet.Packets;
using YamlDotNet.RepresentationModel;

namespace LvsNet.Core.Configuration;

public static partial class LvsConfigReader
{
    /// <summary>The largest firewall mark: the kernel's skb mark is 32 bits, and 0 means "no mark".</summary>
    public const uint MaxFirewallMark = uint.MaxValue;

    // firewall_marks: [{ mark, protocol, destinations, ports }], in file order.
    private static ImmutableArray<FirewallMarkRule> ReadFirewallMarks(YamlMapping root, Dictionary<string, int> lines)
    {
        var rules = ImmutableArray.CreateBuilder<FirewallMarkRule>();
        foreach (var item in root.Sequence("firewall_marks"))
        {
            lines[item.Path] = item.Line;
            var mark = (uint?)item.Integer("mark", 1, MaxFirewallMark, required: true);
            IpProtocol? protocol = null;
            if (item.String("protocol") is { } protocolText)
            {
                protocol = protocolText.ToLowerInvariant() switch
                {
                    ServiceProtocols.Tcp => IpProtocol.Tcp,
                    ServiceProtocols.Udp => IpProtocol.Udp,
                    _ => null,
                };
                if (protocol is null && !protocolText.Equals("any", StringComparison.OrdinalIgnoreCase))
                {
                    item.Error("protocol", item.Find("protocol"), $"must be tcp, udp or any, got '{protocolText}'");
                }
            }

            var (destinations, destinations6, positions, positions6) = ReadPrefixes(item, "destinations");
            var ports = ReadPortRanges(item, "ports");
            item.RejectUnknownKeys();
            if (mark is not null)
            {
                rules.Add(new FirewallMarkRule { Mark = mark.Value, Protocol = protocol, Destinations = destinations, Destinations6 = destinations6, DestinationPositions = positions, Destination6Positions = positions6, Ports = ports });
            }
        }

        return rules.ToImmutable();
    }

    private static List<(YamlNode Node, string Path)>? ScalarItems(YamlMapping map, string key)
    {
        return map.Find(key) switch
        {
            null => [],
            YamlSequenceNode sequence => [.. sequence.Children.Select((child, i) => (Node: child, Path: $"{key}[{i}]"))],
            YamlScalarNode scalar => [(Node: (YamlNode)scalar, Path: key)],
            _ => null,
        };
    }

    // IPv4 and IPv6 addresses or prefixes in one list, as an nftables inet table may mark both.
    private static (ImmutableArray<AddressPrefix> Ipv4, ImmutableArray<Ipv6Prefix> Ipv6, ImmutableArray<int> Positions, ImmutableArray<int> Positions6) ReadPrefixes(YamlMapping map, string key)
    {
        var items = ScalarItems(map, key);
        if (items is null || items.Count == 0)
        {
            map.Error(key, map.Find(key), "must list the destination addresses or prefixes the mark covers, such as [10.0.0.100, 10.0.1.0/28, 2001:db8::100]");
            return ([], [], [], []);
        }

        var prefixes = ImmutableArray.CreateBuilder<AddressPrefix>(items.Count);
        var prefixes6 = ImmutableArray.CreateBuilder<Ipv6Prefix>();
        var positions = ImmutableArray.CreateBuilder<int>(items.Count);
        var positions6 = ImmutableArray.CreateBuilder<int>();
        for (var position = 0; position < items.Count; position++)
        {
            var (node, path) = items[position];
            var text = (node as YamlScalarNode)?.Value ?? "";
            var slash = text.IndexOf('/', StringComparison.Ordinal);
            var addressText = slash < 0 ? text : text[..slash];
            var prefix = 32;
            if (Ipv4Address.TryParse(addressText, out var address)
                && (slash < 0 || (int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) && prefix is >= 0 and <= 32)))
            {
                prefixes.Add(new AddressPrefix(address & Ipv4Address.PrefixToMask(prefix), prefix));
                positions.Add(position);
                continue;
            }

            var prefix6 = 128;
            if (addressText.Contains(':', StringComparison.Ordinal)
                && Packets.Ipv6.Ipv6Address.TryParse(addressText.Trim('[', ']'), out var address6)
                && (slash < 0 || (int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix6) && prefix6 is >= 0 and <= 128)))
            {
                prefixes6.Add(new Ipv6Prefix(address6.Mask(prefix6), prefix6));
                positions6.Add(position);
                continue;
            }

            map.Error(path, node, $"must be an IPv4 or IPv6 address or prefix such as 10.0.0.100, 10.0.1.0/28 or 2001:db8::100, got '{text}'");
        }

        return (prefixes.ToImmutable(), prefixes6.ToImmutable(), positions.ToImmutable(), positions6.ToImmutable());
    }

    // "ports: [80, 443, 8000-8080]" (or one port or range); absent = every port.
    private static ImmutableArray<PortRange> ReadPortRanges(YamlMapping map, string key)
    {
        var items = ScalarItems(map, key);
        if (items is null)
        {
            map.Error(key, map.Find(key), "must be a list of ports or ranges such as [80, 443, 8000-8080]");
            return [];
        }

        var ranges = ImmutableArray.CreateBuilder<PortRange>(items.Count);
        foreach (var (node, path) in items)
        {
            var text = (node as YamlScalarNode)?.Value ?? "";
            var dash = text.IndexOf('-', StringComparison.Ordinal);
            if (TryPort(dash < 0 ? text : text[..dash], out var first) && TryPort(dash < 0 ? text : text[(dash + 1)..], out var last) && first <= last)
            {
                ranges.Add(new PortRange(first, last));
            }
            else
            {
                map.Error(path, node, $"must be a port 1..65535 or a range such as 8000-8080, got '{text}'");
            }
        }

        return ranges.ToImmutable();

        static bool TryPort(string text, out ushort port) =>
            ushort.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out port) && port != 0;
    }
}
