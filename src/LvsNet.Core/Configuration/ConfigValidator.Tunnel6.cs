namespace LvsNet.Core.Configuration;

/// <summary>
/// Services whose real servers are of the other address family: the kernel allows that only for
/// tunnels (ip_vs_ctl.c refuses a destination of another family unless it forwards by tun), the
/// outer header then being of the real server's family (IPv4-in-IPv6 or IPv6-in-IPv4).
/// </summary>
public static partial class ConfigValidator
{
    /// <summary>
    /// A real server of the other family than its VIP: only tun, sourced from the director's
    /// address of the server's family (<c>director.address6</c> for an IPv6 one), on the virtual
    /// port, with no IPv4-only health check when the server is IPv6.
    /// </summary>
    /// <returns>True when the server was checked here (its family differs from the VIP's).</returns>
    private static bool ValidateMixedFamilyServer(LvsConfig config, VirtualServiceConfig service, RealServerConfig server, string serverPath, int? serverLine, List<ConfigError> errors)
    {
        if (server.IsIpv6 == service.IsIpv6)
        {
            return false;
        }

        var vipFamily = service.IsIpv6 ? "IPv6" : "IPv4";
        var serverFamily = server.IsIpv6 ? "IPv6" : "IPv4";
        if (server.Method != ForwardingMethod.Tunnel)
        {
            errors.Add(new ConfigError(serverPath + ".address", serverLine, $"{server.AddressText} is {serverFamily} but the service's VIP is {vipFamily}; mixing address families is only possible with tunnels (method: tun), as in the kernel{(service.IsIpv6 ? ", or by NAT64 (method: fullnat with IPv4 local_addresses)" : string.Empty)}"));
            return true;
        }

        if (server.Port != service.Port && service.FirewallMark == 0)
        {
            errors.Add(new ConfigError(serverPath + ".port", serverLine, $"tun cannot change the port: the real server must listen on the virtual port {service.Port} (got {server.Port})"));
        }

        if (server.Address6 is { } rip)
        {
            if (config.Director.Address6 is null)
            {
                errors.Add(new ConfigError(serverPath + ".address", serverLine, "an IPv6 tunnel needs director.address6: the outer IPv6 header's source"));
            }

            if (Ipv6AddressProblem(rip, "a real server") is { } problem)
            {
                errors.Add(new ConfigError(serverPath + ".address", serverLine, problem));
            }
            else if (rip == config.Director.Address6)
            {
                errors.Add(new ConfigError(serverPath + ".address", serverLine, "a real server cannot be the director itself"));
            }
        }
        else if (server.Address == config.Director.Address)
        {
            errors.Add(new ConfigError(serverPath + ".address", serverLine, "a real server cannot be the director itself"));
        }
        else if (AddressRules.Problem(server.Address, "a real server", config.Director) is { } problem)
        {
            errors.Add(new ConfigError(serverPath + ".address", serverLine, problem));
        }

        return true;
    }
}
