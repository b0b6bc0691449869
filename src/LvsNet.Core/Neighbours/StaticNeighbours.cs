using LvsNet.Core.Configuration;
using LvsNet.Packets;

namespace LvsNet.Core.Neighbours;

/// <summary>The neighbours whose MAC the configuration fixes: real servers with <c>mac</c> and the gateway with <c>director.gateway_mac</c>.</summary>
public static class StaticNeighbours
{
    /// <summary>Collects the static MACs of <paramref name="config"/> (allocates; once per snapshot).</summary>
    /// <remarks>The validator has already refused two different MACs for one address.</remarks>
    public static IReadOnlyDictionary<uint, MacAddress> From(LvsConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var result = new Dictionary<uint, MacAddress>();
        if (config.Director.Gateway != 0 && config.Director.GatewayMac is { } gatewayMac)
        {
            result[config.Director.Gateway] = gatewayMac;
        }

        foreach (var service in config.VirtualServices)
        {
            foreach (var server in service.RealServers)
            {
                if (server.Mac is { } mac)
                {
                    result[server.Address] = mac;
                }
            }
        }

        return result;
    }
}
