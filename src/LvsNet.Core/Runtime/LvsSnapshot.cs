using System.Collections.Frozen;
using LvsNet.Core.Configuration;

namespace LvsNet.Core.Runtime;

/// <summary>
/// An immutable view of everything the data path needs: services by key, their servers and
/// schedulers, the VIPs to answer ARP for, and the table of servers by id. Published by a single
/// reference swap; the data path reads whichever snapshot is current at the start of a batch.
/// </summary>
public sealed class LvsSnapshot
{
    internal LvsSnapshot(long version, LvsConfig config, VirtualServiceState[] services, RealServerState?[] serversById)
    {
        Version = version;
        Config = config;
        Services = services;
        ServersById = serversById;
        var byKey = new Dictionary<ServiceKey, VirtualServiceState>(services.Length);
        var vips = new HashSet<uint>();
        var marks = new HashSet<uint>();
        var marks6 = new HashSet<uint>();
        var vips6 = new HashSet<Packets.Ipv6.Ipv6Address>();
        foreach (var service in services)
        {
            byKey[service.Key] = service;
            if (service.Key.IsFirewallMark)
            {
                (service.Key.IsIpv6 ? marks6 : marks).Add(service.Key.FirewallMark);
            }
            else if (service.Key.Address6 is { } vip6)
            {
                vips6.Add(vip6);
            }
            else
            {
                vips.Add(service.Key.Address);
            }
        }

        ServicesByKey = byKey.ToFrozenDictionary();
        HasPortZeroServices = services.Any(s => s.Key.Port == 0 && !s.Key.IsFirewallMark);

        // The addresses the mark rules cover are VIPs like any other: ARP, the host and the XDP filter follow them.
        FirewallMarks = FirewallMarkTable.Build(config.FirewallMarks, marks);
        if (FirewallMarks is not null)
        {
            vips.UnionWith(FirewallMarks.Addresses());
        }

        FirewallMarks6 = Ipv6FirewallMarkTable.Build(config.FirewallMarks, marks6);
        if (FirewallMarks6 is not null)
        {
            vips6.UnionWith(FirewallMarks6.Addresses());
        }

        // Every NAT server ever configured (also those a health check or a reload took out), so the
        // replies of their remaining connections are still un-NATed.
        NatServerAddresses = [.. serversById.Where(r => r is { Method: Configuration.ForwardingMethod.Nat, IsIpv6: false }).Select(r => r!.Address).Distinct().Order()];
        NatServerAddresses6 = [.. serversById.Where(r => r is { Method: Configuration.ForwardingMethod.Nat, IsIpv6: true }).Select(r => r!.Address6).Distinct().Order()];
        VirtualAddresses = [.. vips.Order()];
        VirtualAddresses6 = [.. vips6.Order()];
        // An IPv6 floating address alone also needs the IPv6 path: its solicitations are answered there.
        HasIpv6Services = VirtualAddresses6.Length > 0 || !config.HighAvailability.FloatingAddresses6.IsDefaultOrEmpty;
        LocalAddresses = [.. services.SelectMany(s => s.Config.LocalAddresses).Distinct().Order()];
        LocalAddresses6 = [.. services.SelectMany(s => s.Config.LocalAddresses6).Distinct().Order()];
        OwnedAddresses6 = [.. VirtualAddresses6.Concat(LocalAddresses6).Concat(config.HighAvailability.FloatingAddresses6).Distinct().Order()];
        OwnedAddresses = [.. VirtualAddresses.Concat(LocalAddresses).Concat(config.HighAvailability.FloatingAddresses).Distinct().Order()];
    }

    /// <summary>Increases by one with every published snapshot.</summary>
    public long Version { get; }

    /// <summary>The configuration this snapshot was built from.</summary>
    public LvsConfig Config { get; }

    /// <summary>The services in configuration order.</summary>
    public IReadOnlyList<VirtualServiceState> Services { get; }

    /// <summary>The services by (protocol, VIP, port).</summary>
    public FrozenDictionary<ServiceKey, VirtualServiceState> ServicesByKey { get; }

    /// <summary>The compiled <c>firewall_marks</c> rules of the marks that have a service, or null when there are none.</summary>
    public FirewallMarkTable? FirewallMarks { get; }

    /// <summary>The compiled IPv6 destinations of the <c>firewall_marks</c> rules whose mark has an IPv6 service, or null when there are none.</summary>
    public Ipv6FirewallMarkTable? FirewallMarks6 { get; }

    /// <summary>True when some service listens on port 0 (any port), so lookups fall back to it.</summary>
    public bool HasPortZeroServices { get; }

    /// <summary>The distinct VIPs, sorted.</summary>
    public uint[] VirtualAddresses { get; }

    /// <summary>The distinct IPv6 VIPs, sorted: the addresses the director answers neighbour solicitations for.</summary>
    public Packets.Ipv6.Ipv6Address[] VirtualAddresses6 { get; }

    /// <summary>True when some service is IPv6 or an IPv6 floating address is configured (the IPv6 path is skipped otherwise).</summary>
    public bool HasIpv6Services { get; }

    /// <summary>True when <paramref name="address"/> is one of the IPv6 VIPs.</summary>
    public bool IsVirtualAddress6(Packets.Ipv6.Ipv6Address address) => Array.BinarySearch(VirtualAddresses6, address) >= 0;

    /// <summary>The distinct IPv6 FULLNAT local addresses, sorted: replies to them are IPv6 FULLNAT replies.</summary>
    public Packets.Ipv6.Ipv6Address[] LocalAddresses6 { get; }

    /// <summary>The IPv6 VIPs, local addresses and HA floating addresses, sorted: the addresses the director answers neighbour solicitations for (while master) and announces.</summary>
    public Packets.Ipv6.Ipv6Address[] OwnedAddresses6 { get; }

    /// <summary>True when <paramref name="address"/> is an IPv6 FULLNAT local address.</summary>
    public bool IsLocalAddress6(Packets.Ipv6.Ipv6Address address)
    {
        // A handful of addresses: comparing them all costs less than a generic binary search.
        foreach (var local in LocalAddresses6)
        {
            if (local == address)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when <paramref name="address"/> is an IPv6 VIP, an IPv6 local address or an IPv6 floating address.</summary>
    public bool IsOwnedAddress6(Packets.Ipv6.Ipv6Address address) => Array.BinarySearch(OwnedAddresses6, address) >= 0;

    /// <summary>The distinct FULLNAT local addresses of all services, sorted: replies to them are FULLNAT replies.</summary>
    public uint[] LocalAddresses { get; }

    /// <summary>The VIPs, the local addresses and the HA floating addresses, sorted: the addresses the director answers ARP for (while master) and keeps off the kernel.</summary>
    public uint[] OwnedAddresses { get; }

    /// <summary>Every server ever created, by id (removed ones have <see cref="RealServerState.IsAvailable"/> false).</summary>
    public RealServerState?[] ServersById { get; }

    /// <summary>The distinct addresses of NAT real servers, sorted: replies from them are un-NATed.</summary>
    public uint[] NatServerAddresses { get; }

    /// <summary>True when <paramref name="address"/> is a NAT real server's address.</summary>
    public bool IsNatServerAddress(uint address) => SortedAddresses.Contains(NatServerAddresses, address);

    /// <summary>The distinct IPv6 addresses of NAT real servers, sorted: replies from them are un-NATed.</summary>
    public Packets.Ipv6.Ipv6Address[] NatServerAddresses6 { get; }

    /// <summary>True when <paramref name="address"/> is an IPv6 NAT real server's address.</summary>
    public bool IsNatServerAddress6(Packets.Ipv6.Ipv6Address address)
    {
        var servers = NatServerAddresses6;
        if (servers.Length > 8)
        {
            return Array.BinarySearch(servers, address) >= 0;
        }

        // A few servers: comparing them all costs less than a generic binary search.
        foreach (var server in servers)
        {
            if (server == address)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when <paramref name="address"/> is a FULLNAT local address.</summary>
    public bool IsLocalAddress(uint address) => SortedAddresses.Contains(LocalAddresses, address);

    /// <summary>True when <paramref name="address"/> is a VIP or a local address.</summary>
    public bool IsOwnedAddress(uint address) => SortedAddresses.Contains(OwnedAddresses, address);

    /// <summary>True when <paramref name="address"/> is one of the VIPs.</summary>
    public bool IsVirtualAddress(uint address) => SortedAddresses.Contains(VirtualAddresses, address);
}
