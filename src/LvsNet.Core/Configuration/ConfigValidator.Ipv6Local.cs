using LvsNet.Packets.Ipv6;

namespace LvsNet.Core.Configuration;

/// <summary>The FULLNAT local addresses of IPv6 services (IPv6 ones, and IPv4 ones for NAT64) and the refusal of IPv6 ones in IPv4 services.</summary>
public static partial class ConfigValidator
{
    // An IPv6 service's IPv6 pool: addresses of the director's own (it answers neighbour
    // solicitations for them), so none may be the director's address6, a VIP or a real server.
    private static void ValidateIpv6LocalAddresses(LvsConfig config, VirtualServiceConfig service, string path, int? line, List<ConfigError> errors)
    {
        var seen = new HashSet<Ipv6Address>();
        for (var k = 0; k < service.LocalAddresses6.Length; k++)
        {
            var address = service.LocalAddresses6[k];
            var itemPath = $"{path}.local_addresses[{LocalAddress6Position(service, k)}]";
            if (!seen.Add(address))
            {
                errors.Add(new ConfigError(itemPath, line, $"{address} is listed twice"));
            }

            if (address == config.Director.Address6)
            {
                errors.Add(new ConfigError(itemPath, line, "a local address must not be the director's own address6 (the kernel holds that one)"));
            }
            else if (Ipv6AddressProblem(address, "a local address") is { } problem)
            {
                errors.Add(new ConfigError(itemPath, line, problem));
            }

            if (config.VirtualServices.Any(s => s.Address6 == address))
            {
                errors.Add(new ConfigError(itemPath, line, $"{address} is a VIP; local addresses must be addresses of their own"));
            }

            if (config.VirtualServices.Any(s => s.RealServers.Any(r => r.Address6 == address)))
            {
                errors.Add(new ConfigError(itemPath, line, $"{address} is a real server's address"));
            }
        }

        ValidateNat64LocalAddresses(config, service, path, line, errors);
    }

    // An IPv6 fullnat server: its connections come from the service's IPv6 local addresses.
    private static void ValidateIpv6FullNatServer(VirtualServiceConfig service, string serverPath, int? serverLine, List<ConfigError> errors)
    {
        if (service.LocalAddresses6.IsEmpty)
        {
            errors.Add(new ConfigError(serverPath + ".method", serverLine, "fullnat needs the service's IPv6 local_addresses (the pool of source addresses the IPv6 real servers see)"));
        }
    }

    // An IPv4 service cannot use IPv6 local addresses: its real servers are IPv4.
    private static void RefuseIpv6LocalAddresses(VirtualServiceConfig service, string path, int? line, List<ConfigError> errors)
    {
        for (var k = 0; k < service.LocalAddresses6.Length; k++)
        {
            errors.Add(new ConfigError($"{path}.local_addresses[{LocalAddress6Position(service, k)}]", line, $"{service.LocalAddresses6[k]} is IPv6 but the service's VIP is IPv4; its fullnat servers need IPv4 local addresses"));
        }
    }

    private static int LocalAddress6Position(VirtualServiceConfig service, int k) =>
        k < service.LocalAddress6Positions.Length ? service.LocalAddress6Positions[k] : service.LocalAddresses.Length + k;
}
