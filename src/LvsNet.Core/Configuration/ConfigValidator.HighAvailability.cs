using LvsNet.Packets;

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
            var path = $"high_availability.floating_addresses[{k}]";
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
    }
}
