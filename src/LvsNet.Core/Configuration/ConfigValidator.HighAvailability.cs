using LvsNet.Packets;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Core.Configuration;

public static partial class ConfigValidator
{
    // Floating addresses are the director's own while it is master, like the VIPs: the same rules,
    // and none may be anything else's (the director, a VIP, a local address, a real server).
    private static void ValidateFloatingAddresses(LvsConfig config, Func<string, int?> lineOf, List<ConfigError> errors)
    {
        var floating = config.HighAvailability.FloatingAddresses;
        var line = lineOf("high_availability.floating_addresses");
        var seen = new HashSet<uint>();
        for (var k = 0; k < floating.Length; k++)
        {
            var address = floating[k];
            var path = $"high_availability.floating_addresses[{FloatingAddress4Position(config.HighAvailability, k)}]";
            if (!seen.Add(address))
            {
                errors.Add(new ConfigError(path, line, $"{Ipv4Address.Format(address)} is listed twice"));
            }

            if (address == config.Director.Address)
            {
                errors.Add(new ConfigError(path, line, "a floating address must not be the director's own address (the kernel holds that one)"));
            }
            else if (AddressRules.Problem(address, "a floating address", config.Director) is { } problem)
            {
                errors.Add(new ConfigError(path, line, problem));
            }

            if (config.VirtualServices.Any(s => s.Address == address))
            {
                errors.Add(new ConfigError(path, line, $"{Ipv4Address.Format(address)} is a VIP; the VIPs move with the role already"));
            }

            if (config.VirtualServices.Any(s => s.LocalAddresses.Contains(address)))
            {
                errors.Add(new ConfigError(path, line, $"{Ipv4Address.Format(address)} is a FULLNAT local address; those move with the role already"));
            }

            if (config.VirtualServices.Any(s => s.RealServers.Any(r => r.Address == address)))
            {
                errors.Add(new ConfigError(path, line, $"{Ipv4Address.Format(address)} is a real server's address"));
            }
        }

        ValidateFloatingAddresses6(config, line, errors);
    }

    // IPv6 floating addresses: the IPv6 NAT real servers' gateway, answered by neighbour
    // advertisements while master. The real servers resolve their gateway on the link, so it must
    // be an address of the director's IPv6 prefix (director.address6), and, as for IPv4, nothing
    // else's: not the director's address6, a VIP, a local address or a real server.
    private static void ValidateFloatingAddresses6(LvsConfig config, int? line, List<ConfigError> errors)
    {
        var ha = config.HighAvailability;
        var director = config.Director;
        var seen = new HashSet<Ipv6Address>();
        for (var k = 0; k < ha.FloatingAddresses6.Length; k++)
        {
            var address = ha.FloatingAddresses6[k];
            var position = k < ha.FloatingAddress6Positions.Length ? ha.FloatingAddress6Positions[k] : ha.FloatingAddresses.Length + k;
            var path = $"high_availability.floating_addresses[{position}]";
            if (!seen.Add(address))
            {
                errors.Add(new ConfigError(path, line, $"{address} is listed twice"));
            }

            if (address == director.Address6)
            {
                errors.Add(new ConfigError(path, line, "a floating address must not be the director's own address6 (the kernel holds that one)"));
            }
            else if (Ipv6AddressProblem(address, "a floating address") is { } problem)
            {
                errors.Add(new ConfigError(path, line, problem));
            }
            else if (director.Address6 is not { } own)
            {
                errors.Add(new ConfigError(path, line, $"{address} is IPv6 but the director has no address6; an IPv6 floating address must be on the director's IPv6 link"));
            }
            else if (address.Mask(director.PrefixLength6) != own.Mask(director.PrefixLength6))
            {
                errors.Add(new ConfigError(path, line, $"{address} is not on the director's IPv6 link {own.Mask(director.PrefixLength6)}/{director.PrefixLength6}; the real servers resolve their gateway there"));
            }

            if (config.VirtualServices.Any(s => s.Address6 == address))
            {
                errors.Add(new ConfigError(path, line, $"{address} is a VIP; the VIPs move with the role already"));
            }

            if (config.VirtualServices.Any(s => s.LocalAddresses6.Contains(address)))
            {
                errors.Add(new ConfigError(path, line, $"{address} is a FULLNAT local address; those move with the role already"));
            }

            if (config.VirtualServices.Any(s => s.RealServers.Any(r => r.Address6 == address)))
            {
                errors.Add(new ConfigError(path, line, $"{address} is a real server's address"));
            }
        }
    }

    // The YAML list position of the k-th IPv4 floating address: the k-th position no IPv6 entry holds.
    private static int FloatingAddress4Position(HighAvailabilityConfig ha, int k)
    {
        var position = 0;
        for (var seen = -1; ; position++)
        {
            if (!ha.FloatingAddress6Positions.Contains(position) && ++seen == k)
            {
                return position;
            }
        }
    }
}
