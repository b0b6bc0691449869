using System.Globalization;
using System.Text;
using LvsNet.Control.Listings;

namespace LvsNet.Cli.Ipvsadm;

/// <summary>
/// <c>-L --weights</c> (LvsNet): per real server the configured weight, the weight in force (after
/// health checks and MISC checks) and the effective weight the load-sharing schedulers use (after
/// dynamic-feedback weights and agents). The default <c>-L</c> stays byte-identical to ipvsadm's,
/// whose Weight column is the weight in force.
/// </summary>
public static class WeightsFormatter
{
    /// <summary>The listing, every configured real server with its three weights and connections.</summary>
    public static string List(IpvsListing listing, ListFormat format, INameResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(listing);
        ArgumentNullException.ThrowIfNull(resolver);
        var text = new StringBuilder();
        text.Append("Prot LocalAddress:Port Scheduler\n");
        text.Append("  -> RemoteAddress:Port           Configured InForce Effective ActiveConn InActConn\n");
        foreach (var service in listing.Services)
        {
            text.Append(service.Protocol.ToUpperInvariant().PadRight(4)).Append(' ')
                .Append(Endpoint(service.Address, service.Port, service.Protocol, format, resolver)).Append(' ')
                .Append(service.Scheduler).Append('\n');
            foreach (var server in HealthFormatter.Servers(service, format))
            {
                text.Append("  -> ").Append(Endpoint(server.Address, server.Port, service.Protocol, format, resolver).PadRight(28)).Append(' ')
                    .Append(Number(server.ConfiguredWeight ?? server.Weight).PadRight(10)).Append(' ')
                    .Append(Number(server.Weight).PadRight(7)).Append(' ')
                    .Append(Number(server.EffectiveWeight).PadRight(9)).Append(' ')
                    .Append(Number(server.ActiveConnections).PadRight(10)).Append(' ')
                    .Append(Number(server.InactiveConnections)).Append('\n');
            }
        }

        return text.ToString();
    }

    private static string Number(long value) => HealthFormatter.Number(value);

    private static string Endpoint(string address, ushort port, string protocol, ListFormat format, INameResolver resolver) =>
        HealthFormatter.Endpoint(address, port, protocol, format, resolver);
}
