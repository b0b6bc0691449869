using System.Globalization;
using LvsNet.Control.Editing;
using LvsNet.Core;
using LvsNet.Core.Configuration;
using LvsNet.Core.Health;
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
    /// <param name="health">
    /// With health (<c>-L --health</c>): the monitor's view of every checked server. Each service then
    /// lists every configured real server, the ones health took out of the pool and its sorry server
    /// included, with its state and checkers. Null lists the scheduler's pool as ipvsadm does.
    /// </param>
    public static IpvsListing Build(LvsSnapshot snapshot, StatisticsBook? book, int tableSize, ServiceSelector? only = null, IReadOnlyList<ServerHealthDetail>? health = null)
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

            services.Add(Service(service, book, health is null ? null : health.ToDictionary(h => h.Server)));
        }

        return new IpvsListing
        {
            TableSize = tableSize,
            Timeouts = new TimeoutSettings(Seconds(connections.TcpTimeout), Seconds(connections.TcpFinTimeout), Seconds(connections.UdpTimeout)),
            Services = services,
        };
    }

    private static ServiceListing Service(VirtualServiceState service, StatisticsBook? book, Dictionary<RealServerKey, ServerHealthDetail>? health)
    {
        var config = service.Config;
        var (stats, rates) = book?.Of(service) ?? (TrafficStats.Of(service.Counters), TrafficRates.Zero);
        IReadOnlyList<RealServerState> listed = service.Servers;
        if (health is not null && service.Health is { } view)
        {
            listed = view.SorryServer is { } sorry ? [.. view.ConfiguredServers, sorry] : view.ConfiguredServers;
        }

        var servers = new List<ServerListing>(listed.Count);
        foreach (var server in listed)
        {
            var (serverStats, serverRates) = book?.Of(server) ?? (TrafficStats.Of(server), TrafficRates.Zero);
            var listing = new ServerListing
            {
                Address = server.IsIpv6 ? server.Address6.ToString() : Ipv4Address.Format(server.Address),
                Port = server.Port,
                Method = ForwardingMethods.ToConfigName(server.Method),
                Weight = server.Weight,
                ActiveConnections = server.ActiveConnections,
                InactiveConnections = server.InactiveConnections,
                PersistentConnections = server.PersistentConnections,
                UpperThreshold = server.Config.UpperThreshold,
                LowerThreshold = server.Config.LowerThreshold,
                EffectiveWeight = server.EffectiveWeight,
                Overloaded = server.IsOverloaded,
                Stats = serverStats,
                Rates = serverRates,
            };
            servers.Add(health is null ? listing : WithHealth(listing, server, service, health));
        }

        return new ServiceListing
        {
            Name = config.Name,
            Protocol = config.Protocol == IpProtocol.Udp ? ServiceProtocols.Udp : ServiceProtocols.Tcp,
            Address = config.AddressText,
            Port = config.Port,
            FirewallMark = config.FirewallMark,
            Scheduler = config.Scheduler,
            SchedulerFlags = [.. config.SchedulerFlags],
            PersistenceTimeoutSeconds = config.PersistenceTimeout is { } timeout ? Seconds(timeout) : null,
            PersistenceNetmask = config.IsIpv6 ? config.PersistencePrefixLength.ToString(CultureInfo.InvariantCulture) : Ipv4Address.Format(config.PersistenceNetmask),
            OnePacketScheduling = config.OnePacketScheduling,
            LocalAddresses = [.. config.LocalAddresses.Select(Ipv4Address.Format), .. config.LocalAddresses6.Select(a => a.ToString())],
            Toa = config.Toa,
            Stats = stats,
            Rates = rates,
            Servers = servers,
            QuorumUp = health is null ? null : service.Health?.QuorumUp,
            SorryServerActive = health is null || service.Health?.SorryServer is null ? null : service.Health.SorryServerActive,
        };
    }

    private static ServerListing WithHealth(ServerListing listing, RealServerState server, VirtualServiceState service, Dictionary<RealServerKey, ServerHealthDetail> health)
    {
        var status = server.Health;
        health.TryGetValue(RealServerKey.Of(server), out var detail);
        return listing with
        {
            ConfiguredWeight = server.Config.Weight,
            Health = status?.ToString() ?? (detail is null ? "not checked" : detail.State == HealthState.Up ? "up" : "down"),
            InPool = Array.IndexOf(service.Servers, server) >= 0,
            HealthSince = status?.Since ?? detail?.Since,
            HealthReason = status?.Reason ?? detail?.Reason,
            Checkers = detail is null ? null : [.. detail.Checkers.Select(c => new CheckerListing
            {
                Checker = c.Checker,
                Target = c.Target,
                Up = c.IsUp,
                PendingFailures = c.PendingFailures,
                Checks = c.Checks,
                Failures = c.Failures,
                LastCheckAt = c.LastCheckAt,
                LastMessage = c.LastMessage,
                LatencyMilliseconds = c.LastLatency?.TotalMilliseconds,
            })],
        };
    }

    private static int Seconds(TimeSpan value) => (int)Math.Min(int.MaxValue, (long)value.TotalSeconds);
}
