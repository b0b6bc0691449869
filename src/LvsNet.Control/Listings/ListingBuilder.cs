using LvsNet.Control.Editing;
using LvsNet.Core;
using LvsNet.Core.Configuration;
using LvsNet.Core.Runtime;
using LvsNet.Core.Scheduling;
using LvsNet.Packets;

namespace LvsNet.Control.Listings;

/// <summary>Builds the listing the daemon sends for <c>ipvsadm -L</c>/<c>-S</c> from a snapshot and its statistics.</summary>
public static class ListingBuilder
{
    /// <summary>The listing of <paramref name="snapshot"/>.</summary>
    /// <param name="snapshot">The running snapshot.</param>
    /// <param name="book">Zero points and rates; null lists raw counters and zero rates.</param>
    /// <param name="tableSize">What ipvsadm prints as "size=" (the connection table's hash buckets).</param>
    /// <param name="only">One service instead of all; the listing is then empty when it does not exist.</param>
    public static IpvsListing Build(LvsSnapshot snapshot, StatisticsBook? book, int tableSize, ServiceSelector? only = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var connections = snapshot.Config.Connections;
        var services = new List<ServiceListing>(snapshot.Services.Count);
        foreach (var service in snapshot.Services)
        {
            if (only is not null && !only.Matches(service.Config))
            {
                continue;
            }

            services.Add(Service(service, book));
        }

        return new IpvsListing
        {
            TableSize = tableSize,
            Timeouts = new TimeoutSettings(Seconds(connections.TcpTimeout), Seconds(connections.TcpFinTimeout), Seconds(connections.UdpTimeout)),
            Services = services,
        };
    }

    private static ServiceListing Service(VirtualServiceState service, StatisticsBook? book)
    {
        var config = service.Config;
        var (stats, rates) = book?.Of(service) ?? (TrafficStats.Of(service.Counters), TrafficRates.Zero);
        var servers = new List<ServerListing>(service.Servers.Length);
        foreach (var server in service.Servers)
        {
            var (serverStats, serverRates) = book?.Of(server) ?? (TrafficStats.Of(server), TrafficRates.Zero);
            servers.Add(new ServerListing
            {
                Address = Ipv4Address.Format(server.Address),
                Port = server.Port,
                Method = ForwardingMethods.ToConfigName(server.Method),
                Weight = server.Weight,
                ActiveConnections = server.ActiveConnections,
                InactiveConnections = server.InactiveConnections,
                PersistentConnections = server.PersistentConnections,
                UpperThreshold = server.Config.UpperThreshold,
                LowerThreshold = server.Config.LowerThreshold,
                Stats = serverStats,
                Rates = serverRates,
            });
        }

        return new ServiceListing
        {
            Name = config.Name,
            Protocol = config.Protocol == IpProtocol.Udp ? ServiceProtocols.Udp : ServiceProtocols.Tcp,
            Address = Ipv4Address.Format(config.Address),
            Port = config.Port,
            FirewallMark = config.FirewallMark,
            Scheduler = config.Scheduler,
            SchedulerFlags = [.. config.SchedulerFlags],
            PersistenceTimeoutSeconds = config.PersistenceTimeout is { } timeout ? Seconds(timeout) : null,
            PersistenceNetmask = Ipv4Address.Format(config.PersistenceNetmask),
            OnePacketScheduling = config.OnePacketScheduling,
            LocalAddresses = [.. config.LocalAddresses.Select(Ipv4Address.Format)],
            Toa = config.Toa,
            Stats = stats,
            Rates = rates,
            Servers = servers,
        };
    }

    private static int Seconds(TimeSpan value) => (int)Math.Min(int.MaxValue, (long)value.TotalSeconds);
}
