using LvsNet.Core.Configuration;
using LvsNet.Core.Scheduling;

namespace LvsNet.Control.Listings;

/// <summary>A virtual service as the listings show it, with its real servers in kernel list order.</summary>
public sealed record ServiceListing
{
    /// <summary>The service's name from the configuration, if any.</summary>
    public string? Name { get; init; }

    /// <summary>"tcp" or "udp".</summary>
    public required string Protocol { get; init; }

    /// <summary>The VIP, dotted.</summary>
    public required string Address { get; init; }

    /// <summary>The virtual port.</summary>
    public required ushort Port { get; init; }

    /// <summary>The firewall mark of a <c>-f</c> service (protocol, address and port are then meaningless), or 0.</summary>
    public uint FirewallMark { get; init; }

    /// <summary>The scheduler name.</summary>
    public required string Scheduler { get; init; }

    /// <summary>Scheduler flag names (-b).</summary>
    public IReadOnlyList<string> SchedulerFlags { get; init; } = [];

    /// <summary>The persistence timeout in seconds, or null when not persistent.</summary>
    public int? PersistenceTimeoutSeconds { get; init; }

    /// <summary>The persistence netmask: dotted for an IPv4 service, the prefix length ("128" by default) for an IPv6 one, as ipvsadm prints them.</summary>
    public string PersistenceNetmask { get; init; } = "255.255.255.255";

    /// <summary>One-packet scheduling.</summary>
    public bool OnePacketScheduling { get; init; }

    /// <summary>FULLNAT local addresses (the source pool), dotted.</summary>
    public IReadOnlyList<string> LocalAddresses { get; init; } = [];

    /// <summary>FULLNAT: the client's address goes to the real servers in TOA.</summary>
    public bool Toa { get; init; }

    /// <summary>The counters.</summary>
    public TrafficStats Stats { get; init; } = TrafficStats.Zero;

    /// <summary>The rate estimates.</summary>
    public TrafficRates Rates { get; init; } = TrafficRates.Zero;

    /// <summary>The real servers in kernel list order (the listings sort them unless --nosort).</summary>
    public IReadOnlyList<ServerListing> Servers { get; init; } = [];

    /// <summary>With <c>--health</c>: the quorum state, or null when the service has neither health checks nor quorum settings.</summary>
    public bool? QuorumUp { get; init; }

    /// <summary>With <c>--health</c>: true while the sorry server takes the new connections.</summary>
    public bool? SorryServerActive { get; init; }
}
