using LvsNet.Packets;

namespace LvsNet.Core.Configuration;

/// <summary>
/// NAT64 (DPVS's fullnat from an IPv6 VIP to IPv4 real servers): IPv4 real servers with
/// <c>method: fullnat</c> in an IPv6 service, whose connections come from the service's IPv4
/// <c>local_addresses</c>.
/// </summary>
public static partial class ConfigValidator
{
    /// <summary>The message for a NAT64 server in a service without IPv4 local addresses.</summary>
    internal const string Nat64NeedsIpv4LocalAddresses = "fullnat to an IPv4 real server in an IPv6 service (NAT64) needs IPv4 entries in the service's local_addresses (the IPv4 source addresses the real servers see)";

    // An IPv4 fullnat server of an IPv6 service: a usable IPv4 address, once, not the director's own,
    // and an IPv4 pool to come from.
    private static void ValidateNat64Server(LvsConfig config, VirtualServiceConfig service, RealServerConfig server, string serverPath, int? serverLine, Dictionary<(uint, ushort), int> seen, int j, List<ConfigError> errors)
    {
        if (service.LocalAddresses.IsEmpty)
        {
            errors.Add(new ConfigError(serverPath + ".method", serverLine, Nat64NeedsIpv4LocalAddresses));
        }

        if (!seen.TryAdd((server.Address, server.Port), j))
        {
            errors.Add(new ConfigError(serverPath, serverLine, $"duplicates real_servers[{seen[(server.Address, server.Port)]}] ({server.EndpointText})"));
        }

        if (server.Address == config.Director.Address)
        {
            errors.Add(new ConfigError(serverPath + ".address", serverLine, "a real server cannot be the director itself"));
        }
        else if (AddressRules.Problem(server.Address, "a real server", config.Director) is { } problem)
        {
            errors.Add(new ConfigError(serverPath + ".address", serverLine, problem));
        }
    }

    // An IPv6 service's IPv4 pool (NAT64): addresses of the director's own (it answers ARP for them),
    // so none may be the DIP, a VIP or a real server, each listed once.
    private static void ValidateNat64LocalAddresses(LvsConfig config, VirtualServiceConfig service, string path, int? line, List<ConfigError> errors)
    {
        var seen = new HashSet<uint>();
        for (var k = 0; k < service.LocalAddresses.Length; k++)
        {
            var address = service.LocalAddresses[k];
            var itemPath = $"{path}.local_addresses[{LocalAddress4Position(service, k)}]";
            if (!seen.Add(address))
            {
                errors.Add(new ConfigError(itemPath, line, $"{Ipv4Address.Format(address)} is listed twice"));
            }

            if (address == config.Director.Address)
            {
                errors.Add(new ConfigError(itemPath, line, "a local address must not be the director's own address (the kernel holds that one)"));
            }
            else if (AddressRules.Problem(address, "a local address", config.Director) is { } problem)
            {
                errors.Add(new ConfigError(itemPath, line, problem));
            }

            if (config.VirtualServices.Any(s => s.Address == address && !s.IsIpv6))
            {
                errors.Add(new ConfigError(itemPath, line, $"{Ipv4Address.Format(address)} is a VIP; local addresses must be addresses of their own"));
            }

            if (config.VirtualServices.Any(s => s.RealServers.Any(r => !r.IsIpv6 && r.Address == address)))
            {
                errors.Add(new ConfigError(itemPath, line, $"{Ipv4Address.Format(address)} is a real server's address"));
            }
        }
    }

    // Where the k-th IPv4 entry stood in a list that mixes IPv4 and IPv6 entries.
    private static int LocalAddress4Position(VirtualServiceConfig service, int k)
    {
        var positions6 = service.LocalAddress6Positions;
        for (int i = 0, seen = 0; i < service.LocalAddresses.Length + positions6.Length; i++)
        {
            if (positions6.Contains(i))
            {
                continue;
            }

            if (seen++ == k)
            {
                return i;
            }
        }

        return k;
    }
}
