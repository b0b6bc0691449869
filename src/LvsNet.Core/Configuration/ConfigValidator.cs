using LvsNet.Core.Scheduling;
using LvsNet.Packets;

namespace LvsNet.Core.Configuration;

/// <summary>
/// Cross-field rules of a configuration. Every rule runs; the result lists every error (no
/// short-circuit), each with its YAML path.
/// </summary>
public static class ConfigValidator
{
    /// <summary>Validates a configuration.</summary>
    /// <param name="config">The configuration.</param>
    /// <param name="lineOf">Maps a YAML path of a list item to its line, when the configuration came from a file.</param>
    public static IReadOnlyList<ConfigError> Validate(LvsConfig config, Func<string, int?>? lineOf = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        lineOf ??= static _ => null;
        var errors = new List<ConfigError>();
        var seenServices = new Dictionary<(IpProtocol, uint, ushort), int>();

        for (var i = 0; i < config.VirtualServices.Length; i++)
        {
            var service = config.VirtualServices[i];
            var path = $"virtual_services[{i}]";
            var line = lineOf(path);
            if (!seenServices.TryAdd((service.Protocol, service.Address, service.Port), i))
            {
                errors.Add(new ConfigError(path, line, $"duplicates virtual_services[{seenServices[(service.Protocol, service.Address, service.Port)]}] ({Describe(service)})"));
            }

            if (!SchedulerNames.IsKnown(service.Scheduler))
            {
                errors.Add(new ConfigError(path + ".scheduler", line, $"unknown scheduler '{service.Scheduler}'; expected one of: {string.Join(", ", SchedulerNames.Implemented)}"));
            }

            if (service.Port == 0 && service.PersistenceTimeout is null)
            {
                errors.Add(new ConfigError(path + ".port", line, "port 0 (any port) is only valid with persistence_timeout, as in IPVS"));
            }

            if (service.OnePacketScheduling && service.Protocol != IpProtocol.Udp)
            {
                errors.Add(new ConfigError(path + ".one_packet_scheduling", line, "one-packet scheduling is for UDP services only (ipvsadm -o)"));
            }

            if (service.Address == config.Director.Address)
            {
                errors.Add(new ConfigError(path + ".address", line, "the VIP must not be the director's own address (the kernel holds that one)"));
            }

            var seenServers = new Dictionary<(uint, ushort), int>();
            for (var j = 0; j < service.RealServers.Length; j++)
            {
                var server = service.RealServers[j];
                var serverPath = $"{path}.real_servers[{j}]";
                var serverLine = lineOf(serverPath) ?? line;
                if (!seenServers.TryAdd((server.Address, server.Port), j))
                {
                    errors.Add(new ConfigError(serverPath, serverLine, $"duplicates real_servers[{seenServers[(server.Address, server.Port)]}] ({Ipv4Address.Format(server.Address)}:{server.Port})"));
                }

                if (server.Method is ForwardingMethod.DirectRouting or ForwardingMethod.Tunnel && server.Port != service.Port)
                {
                    errors.Add(new ConfigError(serverPath + ".port", serverLine, $"{ForwardingMethods.ToConfigName(server.Method)} cannot change the port: the real server must listen on the virtual port {service.Port} (got {server.Port})"));
                }

                if (server.Method is not ForwardingMethod.DirectRouting)
                {
                    errors.Add(new ConfigError(serverPath + ".method", serverLine, $"method {ForwardingMethods.ToConfigName(server.Method)} is not available in this version (dr only)"));
                }

                if (server.Method == ForwardingMethod.DirectRouting && !SameSubnet(server.Address, config.Director))
                {
                    errors.Add(new ConfigError(serverPath + ".address", serverLine, $"dr needs the real server on the director's segment {Ipv4Address.Format(config.Director.Address & Ipv4Address.PrefixToMask(config.Director.PrefixLength))}/{config.Director.PrefixLength}"));
                }

                if (server.Address == service.Address || server.Address == config.Director.Address)
                {
                    errors.Add(new ConfigError(serverPath + ".address", serverLine, "a real server cannot be the VIP or the director itself"));
                }
            }
        }

        return errors;
    }

    private static bool SameSubnet(uint address, DirectorConfig director)
    {
        var mask = Ipv4Address.PrefixToMask(director.PrefixLength);
        return (address & mask) == (director.Address & mask);
    }

    private static string Describe(VirtualServiceConfig service) =>
        $"{(service.Protocol == IpProtocol.Tcp ? "tcp" : "udp")} {Ipv4Address.Format(service.Address)}:{service.Port}";
}
