using LvsNet.Packets;

namespace LvsNet.Core.Configuration;

public static partial class ConfigValidator
{
    /// <summary>The shortest destination prefix of a <c>firewall_marks</c> rule: every address in it becomes a VIP.</summary>
    public const int MinFirewallMarkPrefixLength = 24;

    /// <summary>The shortest IPv6 destination prefix of a <c>firewall_marks</c> rule (256 addresses, as a /24): every address in it becomes a VIP.</summary>
    public const int MinFirewallMarkPrefixLength6 = 120;

    // Every address a rule covers is a VIP the director answers ARP for and keeps off the kernel, so
    // it must pass the VIP rules, and must not be a real server's or a FULLNAT local address.
    private static void ValidateFirewallMarks(LvsConfig config, Func<string, int?> lineOf, List<ConfigError> errors)
    {
        var servers = new HashSet<uint>(config.VirtualServices.SelectMany(s => s.RealServers).Select(r => r.Address));
        var locals = new HashSet<uint>(config.VirtualServices.SelectMany(s => s.LocalAddresses));
        for (var i = 0; i < config.FirewallMarks.Length; i++)
        {
            var rule = config.FirewallMarks[i];
            var path = $"firewall_marks[{i}]";
            var line = lineOf(path);
            if (rule.Mark == 0)
            {
                errors.Add(new ConfigError(path + ".mark", line, "must be 1 or more (0 means no mark)"));
            }

            if (rule.Destinations.IsDefaultOrEmpty && rule.Destinations6.IsDefaultOrEmpty)
            {
                errors.Add(new ConfigError(path + ".destinations", line, "must list the destination addresses or prefixes the mark covers"));
                continue;
            }

            ValidateFirewallMarks6(config, rule, path, line, errors);

            for (var k = 0; k < rule.Destinations.Length; k++)
            {
                var destination = rule.Destinations[k];
                var itemPath = $"{path}.destinations[{(k < rule.DestinationPositions.Length ? rule.DestinationPositions[k] : k)}]";
                if (destination.PrefixLength < MinFirewallMarkPrefixLength)
                {
                    errors.Add(new ConfigError(itemPath, line, $"{destination} is wider than /{MinFirewallMarkPrefixLength}: every address a mark covers becomes a VIP the director answers ARP for"));
                    continue;
                }

                foreach (var address in AddressesOf(destination))
                {
                    var problem = AddressRules.Problem(address, "a marked destination (a VIP)", config.Director)
                        ?? (servers.Contains(address) ? $"{Ipv4Address.Format(address)} is a real server's address; a marked destination is a VIP" : null)
                        ?? (locals.Contains(address) ? $"{Ipv4Address.Format(address)} is a FULLNAT local address; a marked destination is a VIP" : null);
                    if (problem is not null)
                    {
                        errors.Add(new ConfigError(itemPath, line, destination.PrefixLength == 32 ? problem : $"{destination} contains {problem}"));
                        break;
                    }
                }
            }
        }
    }

    // IPv6 destinations: VIPs too (the director answers neighbour solicitations for them), so each
    // must be a global or unique-local unicast address, not the director's, a server's or a local address.
    private static void ValidateFirewallMarks6(LvsConfig config, FirewallMarkRule rule, string path, int? line, List<ConfigError> errors)
    {
        if (rule.Destinations6.IsDefaultOrEmpty)
        {
            return;
        }

        var servers = new HashSet<Packets.Ipv6.Ipv6Address>(config.VirtualServices.SelectMany(s => s.RealServers).Where(r => r.Address6 is not null).Select(r => r.Address6!.Value));
        var locals = new HashSet<Packets.Ipv6.Ipv6Address>(config.VirtualServices.SelectMany(s => s.LocalAddresses6));
        for (var j = 0; j < rule.Destinations6.Length; j++)
        {
            var destination = rule.Destinations6[j];
            var itemPath = $"{path}.destinations[{(j < rule.Destination6Positions.Length ? rule.Destination6Positions[j] : rule.Destinations.Length + j)}]";
            if (destination.PrefixLength < MinFirewallMarkPrefixLength6)
            {
                errors.Add(new ConfigError(itemPath, line, $"{destination} is wider than /{MinFirewallMarkPrefixLength6}: every address a mark covers becomes a VIP the director answers neighbour solicitations for"));
                continue;
            }

            var count = 1 << (128 - destination.PrefixLength);
            for (var k = 0; k < count; k++)
            {
                var address = new Packets.Ipv6.Ipv6Address(destination.Address.Value + (UInt128)(uint)k);
                var problem = Ipv6AddressProblem(address, "a marked destination (a VIP)")
                    ?? (address == config.Director.Address6 ? $"{address} is the director's address6; a marked destination is a VIP" : null)
                    ?? (servers.Contains(address) ? $"{address} is a real server's address; a marked destination is a VIP" : null)
                    ?? (locals.Contains(address) ? $"{address} is a FULLNAT local address; a marked destination is a VIP" : null);
                if (problem is not null)
                {
                    errors.Add(new ConfigError(itemPath, line, destination.PrefixLength == 128 ? problem : $"{destination} contains {problem}"));
                    break;
                }
            }
        }
    }

    private static IEnumerable<uint> AddressesOf(AddressPrefix prefix)
    {
        var count = ~prefix.Mask + 1UL;
        for (var k = 0UL; k < count; k++)
        {
            yield return (uint)(prefix.Address + k);
        }
    }
}
