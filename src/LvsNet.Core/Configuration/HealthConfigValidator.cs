using LvsNet.Packets;

namespace LvsNet.Core.Configuration;

/// <summary>
/// Cross-field rules of a service's health checks, quorum and sorry server (called by
/// <see cref="ConfigValidator"/>; every rule runs and every error carries its YAML path).
/// </summary>
public static class HealthConfigValidator
{
    /// <summary>Validates the health settings of one service.</summary>
    /// <param name="config">The whole configuration (for the director's address and segment).</param>
    /// <param name="service">The service.</param>
    /// <param name="path">The service's YAML path (<c>virtual_services[0]</c>).</param>
    /// <param name="line">The service's line, when known.</param>
    /// <param name="lineOf">Maps the YAML path of a list item to its line.</param>
    /// <param name="errors">Receives the errors.</param>
    public static void Validate(LvsConfig config, VirtualServiceConfig service, string path, int? line, Func<string, int?> lineOf, List<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(lineOf);
        ArgumentNullException.ThrowIfNull(errors);
        if (service.HealthCheck is { Checks.IsDefaultOrEmpty: true } && !service.RealServers.Any(s => s.HealthCheck is { Checks.IsDefaultOrEmpty: false }))
        {
            errors.Add(new ConfigError(path + ".health_check.checks", line, "health_check needs at least one check, such as '- type: tcp'"));
        }

        if (service.HealthCheck is { } shared)
        {
            ValidateCheckers(shared.Checks, path + ".health_check", line, errors);
        }

        for (var j = 0; j < service.RealServers.Length; j++)
        {
            var server = service.RealServers[j];
            var serverPath = $"{path}.real_servers[{j}]";
            var serverLine = lineOf(serverPath) ?? line;
            if (server.HealthCheck is { } own)
            {
                ValidateCheckers(own.Checks, serverPath + ".health_check", serverLine, errors);
            }

            ValidateServerChecks(config, service, server, serverPath, serverLine, errors);
        }

        if (service.Quorum?.SorryServer is { } sorry)
        {
            ValidateSorryServer(config, service, sorry, path + ".sorry_server", line, errors);
        }
    }

    private static void ValidateCheckers(System.Collections.Immutable.ImmutableArray<CheckerConfig> checks, string path, int? line, List<ConfigError> errors)
    {
        if (checks.IsDefaultOrEmpty)
        {
            return;
        }

        var dynamic = 0;
        for (var k = 0; k < checks.Length; k++)
        {
            var check = checks[k];
            var checkPath = $"{path}.checks[{k}]";
            if (check.ViaVirtualAddress && check.ConnectAddress is not null)
            {
                errors.Add(new ConfigError(checkPath + ".via_vip", line, "via_vip probes the VIP through the real server; it cannot be combined with connect_ip"));
            }

            if (check is FileCheckConfig && (check.ViaVirtualAddress || check.ConnectAddress is not null || check.ConnectPort is not null))
            {
                errors.Add(new ConfigError(checkPath, line, "a file check reads a local file: connect_ip, connect_port and via_vip do not apply"));
            }

            if (check.SetsWeight)
            {
                dynamic++;
            }
        }

        if (dynamic > 1)
        {
            errors.Add(new ConfigError(path + ".checks", line, "only one misc check per real server may set dynamic (its exit code sets the weight); likewise only one weight-setting check (misc with dynamic, file with a weight) per real server"));
        }
    }

    // The rules that depend on the server a checker runs for: its method, segment and port.
    private static void ValidateServerChecks(LvsConfig config, VirtualServiceConfig service, RealServerConfig server, string serverPath, int? serverLine, List<ConfigError> errors)
    {
        var checks = HealthCheckInheritance.EffectiveChecks(service, server);
        for (var k = 0; k < checks.Length; k++)
        {
            var check = checks[k];
            var where = server.HealthCheck is { Checks.IsDefaultOrEmpty: false } ? $"health_check.checks[{k}]" : $"the service's health_check.checks[{k}]";
            if (check.ViaVirtualAddress)
            {
                if (service.FirewallMark != 0)
                {
                    errors.Add(new ConfigError(serverPath, serverLine, $"{where} has via_vip, which needs an address service (a fwmark service has no VIP of its own; use connect_ip)"));
                }
                else if (server.Method is not (ForwardingMethod.DirectRouting or ForwardingMethod.Tunnel))
                {
                    errors.Add(new ConfigError(serverPath, serverLine, $"{where} has via_vip, which needs a dr or tun real server (this one is {ForwardingMethods.ToConfigName(server.Method)}: it does not hold the VIP)"));
                }
                else if (server.IsIpv6 != service.IsIpv6)
                {
                    errors.Add(new ConfigError(serverPath, serverLine, $"{where} has via_vip, which needs a real server of the VIP's family (the probe to the VIP is routed through the server's address)"));
                }
                else if (server.Address6 is { } rip6
                    ? config.Director.Address6 is { } director6 && rip6.Mask(config.Director.PrefixLength6) != director6.Mask(config.Director.PrefixLength6)
                    : !SameSubnet(server.Address, config.Director))
                {
                    errors.Add(new ConfigError(serverPath, serverLine, $"{where} has via_vip, which needs the real server on the director's segment (the probe is routed to its MAC)"));
                }
            }

            var port = check.ConnectPort ?? (check.ViaVirtualAddress ? service.Port : server.Port);
            if (check is SmtpCheckConfig smtp && port == 0 && smtp.Hosts.Any(h => h.Port is null or 0))
            {
                errors.Add(new ConfigError(serverPath, serverLine, $"{where} (smtp) has a host without connect_port: the real server's port is 0 (any port)"));
            }

            if (port == 0 && check.UsesPort && check is not SmtpCheckConfig { Hosts.IsDefaultOrEmpty: false })
            {
                errors.Add(new ConfigError(serverPath, serverLine, $"{where} ({check.Kind}) needs connect_port: the real server's port is 0 (any port)"));
            }
        }
    }

    private static void ValidateSorryServer(LvsConfig config, VirtualServiceConfig service, SorryServerConfig sorry, string path, int? line, List<ConfigError> errors)
    {
        if (service.RealServers.Any(s => s.Address == sorry.Address && s.Address6 == sorry.Address6 && s.Port == sorry.Port))
        {
            errors.Add(new ConfigError(path, line, $"{sorry.EndpointText} is also a real server of this service; the sorry server must be another one"));
        }

        if (sorry.Method is ForwardingMethod.DirectRouting or ForwardingMethod.Tunnel && sorry.Port != service.Port && service.FirewallMark == 0)
        {
            errors.Add(new ConfigError(path + ".port", line, $"{ForwardingMethods.ToConfigName(sorry.Method)} cannot change the port: the sorry server must listen on the virtual port {service.Port} (got {sorry.Port})"));
        }

        if (sorry.IsIpv6 != service.IsIpv6)
        {
            // A sorry server stands in for the real servers: of the service's family, as they are (dr and nat cannot cross families).
            errors.Add(new ConfigError(path + ".address", line, $"the sorry server of an {(service.IsIpv6 ? "IPv6" : "IPv4")} service must be an {(service.IsIpv6 ? "IPv6" : "IPv4")} address"));
            return;
        }

        if (sorry.Address6 is { } sorry6)
        {
            ValidateSorryServer6(config, service, sorry, sorry6, path, line, errors);
            return;
        }

        if (sorry.Address == service.Address || sorry.Address == config.Director.Address)
        {
            errors.Add(new ConfigError(path + ".address", line, "the sorry server cannot be the VIP or the director itself"));
        }

        if (sorry.Method == ForwardingMethod.FullNat && service.LocalAddresses.IsEmpty)
        {
            errors.Add(new ConfigError(path + ".method", line, ConfigValidator.FullNatNeedsLocalAddresses));
        }

        if (sorry.Method == ForwardingMethod.DirectRouting && !SameSubnet(sorry.Address, config.Director))
        {
            errors.Add(new ConfigError(path + ".address", line, $"dr needs the sorry server on the director's segment {Ipv4Address.Format(config.Director.Address & Ipv4Address.PrefixToMask(config.Director.PrefixLength))}/{config.Director.PrefixLength}"));
        }
    }

    // An IPv6 service's sorry server: the rules of its IPv6 real servers.
    private static void ValidateSorryServer6(LvsConfig config, VirtualServiceConfig service, SorryServerConfig sorry, Packets.Ipv6.Ipv6Address address, string path, int? line, List<ConfigError> errors)
    {
        if ((address == service.Address6 && service.FirewallMark == 0) || address == config.Director.Address6)
        {
            errors.Add(new ConfigError(path + ".address", line, "the sorry server cannot be the VIP or the director itself"));
        }
        else if (ConfigValidator.Ipv6AddressProblem(address, "a sorry server") is { } problem)
        {
            errors.Add(new ConfigError(path + ".address", line, problem));
        }

        if (sorry.Method == ForwardingMethod.FullNat && service.LocalAddresses6.IsEmpty)
        {
            errors.Add(new ConfigError(path + ".method", line, "fullnat to an IPv6 sorry server needs IPv6 local_addresses in the service"));
        }

        if (sorry.Method == ForwardingMethod.Tunnel && config.Director.Address6 is null)
        {
            errors.Add(new ConfigError(path + ".address", line, "an IPv6 tunnel needs director.address6: the outer IPv6 header's source"));
        }
    }

    private static bool SameSubnet(uint address, DirectorConfig director)
    {
        var mask = Ipv4Address.PrefixToMask(director.PrefixLength);
        return (address & mask) == (director.Address & mask);
    }
}
