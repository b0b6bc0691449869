using System.Collections.Immutable;
using LvsNet.Core.Configuration;
using LvsNet.Core.Scheduling;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Control.Editing;

/// <summary>
/// Applies ipvsadm editing commands to a configuration, producing a new configuration (records are
/// immutable; nothing is changed in place). A batch is all or nothing: the first failing operation
/// throws and the caller keeps its configuration.
/// </summary>
/// <remarks>
/// Semantics follow ipvsadm and the kernel: <c>-E</c> and <c>-e</c> replace every setting they
/// control, so an omitted option goes back to its default (scheduler wlc, persistence off, mask /32,
/// no ops or flags; weight 1, method dr, no thresholds). A new real server goes to the head of the
/// service's list, where the kernel puts it (the configuration's list order is the kernel's).
/// Settings ipvsadm does not know (service names, LvsNet-only scheduler options) are kept by
/// <c>-E</c>. Cross-field rules (DR on the director's segment, scheduler flags that fit the
/// scheduler, ...) are left to <see cref="ConfigValidator"/>, which <c>LvsRuntime.Apply</c> runs.
/// </remarks>
public static class ConfigEditor
{
    /// <summary>Applies <paramref name="operations"/> in order.</summary>
    /// <exception cref="ConfigEditException">An operation cannot be applied; the message is ipvsadm's.</exception>
    public static LvsConfig Apply(LvsConfig config, IEnumerable<EditOperation> operations)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(operations);
        foreach (var operation in operations)
        {
            config = Apply(config, operation);
        }

        return config;
    }

    /// <summary>Applies one operation.</summary>
    /// <exception cref="ConfigEditException">The operation cannot be applied; the message is ipvsadm's.</exception>
    public static LvsConfig Apply(LvsConfig config, EditOperation operation)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(operation);
        var services = config.VirtualServices;
        switch (operation.Kind)
        {
            case EditKind.Clear:
                return config with { VirtualServices = [] };

            case EditKind.SetTimeouts:
                var t = operation.Timeouts ?? throw Error(operation, "--set option requires 3 timeout values");
                var connections = config.Connections;
                return config with
                {
                    Connections = connections with
                    {
                        TcpTimeout = t.Tcp > 0 ? TimeSpan.FromSeconds(t.Tcp) : connections.TcpTimeout,
                        TcpFinTimeout = t.TcpFin > 0 ? TimeSpan.FromSeconds(t.TcpFin) : connections.TcpFinTimeout,
                        UdpTimeout = t.Udp > 0 ? TimeSpan.FromSeconds(t.Udp) : connections.UdpTimeout,
                    },
                };

            case EditKind.AddService:
                if (Find(services, operation) >= 0)
                {
                    throw Error(operation, "Service already exists");
                }

                var selector = RequireService(operation);
                var added = ServiceSettings(
                    selector.FirewallMark != 0
                        ? new VirtualServiceConfig { Protocol = 0, Address = 0, Address6 = selector.Address6, Port = 0, FirewallMark = selector.FirewallMark }
                        : selector.Address6 is { } vip6
                            ? new VirtualServiceConfig { Protocol = selector.IpProtocol, Address = 0, Address6 = vip6, Port = selector.Port }
                            : new VirtualServiceConfig { Protocol = selector.IpProtocol, Address = Ipv4Address.Parse(selector.Address), Port = selector.Port },
                    operation);
                return config with { VirtualServices = services.Add(added) };

            case EditKind.EditService:
            {
                var index = Find(services, operation);
                if (index < 0)
                {
                    throw Error(operation, "No such service");
                }

                return config with { VirtualServices = services.SetItem(index, ServiceSettings(services[index], operation)) };
            }

            case EditKind.DeleteService:
            {
                var index = Find(services, operation);
                if (index < 0)
                {
                    throw Error(operation, "No such service");
                }

                return config with { VirtualServices = services.RemoveAt(index) };
            }

            case EditKind.AddServer:
            case EditKind.EditServer:
            case EditKind.DeleteServer:
            {
                var index = Find(services, operation);
                if (index < 0)
                {
                    throw Error(operation, "Service not defined");
                }

                var service = services[index];
                var (address, address6) = ServerAddress(operation);
                var serverIndex = IndexOf(service, address, address6, operation.ServerPort);

                ImmutableArray<RealServerConfig> servers;
                if (operation.Kind == EditKind.AddServer)
                {
                    if (serverIndex >= 0)
                    {
                        throw Error(operation, "Destination already exists");
                    }

                    // The kernel links a new destination at the head of the service's list.
                    servers = service.RealServers.Insert(0, ServerSettings(address, address6, operation));
                }
                else if (serverIndex < 0)
                {
                    throw Error(operation, "No such destination");
                }
                else
                {
                    servers = operation.Kind == EditKind.EditServer
                        ? service.RealServers.SetItem(serverIndex, ServerSettings(address, address6, operation))
                        : service.RealServers.RemoveAt(serverIndex);
                }

                return config with { VirtualServices = services.SetItem(index, service with { RealServers = servers }) };
            }

            case EditKind.SetWeight:
            {
                var index = Find(services, operation);
                if (index < 0)
                {
                    throw Error(operation, "Service not defined");
                }

                var service = services[index];
                var weight = operation.Weight ?? throw Error(operation, "a weight is needed");
                if (operation.ServerAddress is null)
                {
                    return config with { VirtualServices = services.SetItem(index, service with { RealServers = [.. service.RealServers.Select(r => r with { Weight = weight })] }) };
                }

                var (address, address6) = ServerAddress(operation);
                var serverIndex = IndexOf(service, address, address6, operation.ServerPort);

                if (serverIndex < 0)
                {
                    throw Error(operation, "No such destination");
                }

                return config with { VirtualServices = services.SetItem(index, service with { RealServers = service.RealServers.SetItem(serverIndex, service.RealServers[serverIndex] with { Weight = weight }) }) };
            }

            case EditKind.AddLocalAddress:
            case EditKind.DeleteLocalAddress:
            {
                var index = Find(services, operation);
                if (index < 0)
                {
                    throw Error(operation, "Service not defined");
                }

                var service = services[index];
                var adding = operation.Kind == EditKind.AddLocalAddress;
                if (Ipv4Address.TryParse(operation.LocalAddress, out var local))
                {
                    CheckPoolEdit(operation, adding, service.LocalAddresses.Contains(local));
                    var pool = adding ? service.LocalAddresses.Add(local) : service.LocalAddresses.Remove(local);
                    return config with { VirtualServices = services.SetItem(index, service with { LocalAddresses = pool }) };
                }

                if (Ipv6Address.TryParse(operation.LocalAddress, out var local6))
                {
                    CheckPoolEdit(operation, adding, service.LocalAddresses6.Contains(local6));
                    var pool6 = adding ? service.LocalAddresses6.Add(local6) : service.LocalAddresses6.Remove(local6);
                    return config with { VirtualServices = services.SetItem(index, service with { LocalAddresses6 = pool6 }) };
                }

                throw Error(operation, "illegal local address specified");
            }

            default:
                throw Error(operation, $"unknown operation {operation.Kind}");
        }
    }

    // ipvsadm's (DPVS's) refusals: adding an address the pool holds, deleting one it does not.
    private static void CheckPoolEdit(EditOperation operation, bool adding, bool present)
    {
        if (adding && present)
        {
            throw Error(operation, "Local address already exists");
        }

        if (!adding && !present)
        {
            throw Error(operation, "No such local address");
        }
    }

    private static VirtualServiceConfig ServiceSettings(VirtualServiceConfig service, EditOperation operation)
    {
        var scheduler = operation.Scheduler ?? SchedulerNames.WeightedLeastConnection;
        if (!SchedulerNames.IsKnown(scheduler))
        {
            throw Error(operation, "Scheduler or persistence engine not found");
        }

        // -M is a dotted mask for an IPv4 service and a prefix length (1..128) for an IPv6 one, as ipvsadm takes it.
        var netmask = uint.MaxValue;
        var prefixLength = 128;
        if (operation.PersistenceNetmask is { } maskText)
        {
            if (service.IsIpv6)
            {
                if (!int.TryParse(maskText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out prefixLength) || prefixLength is < 1 or > 128)
                {
                    throw Error(operation, "illegal ipv6 netmask specified");
                }
            }
            else if (!Ipv4Address.TryParse(maskText, out netmask))
            {
                throw Error(operation, "illegal virtual server persistent mask specified");
            }
        }

        return service with
        {
            Scheduler = scheduler,
            PersistenceTimeout = operation.PersistenceTimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            PersistenceNetmask = netmask,
            PersistencePrefixLength = prefixLength,
            OnePacketScheduling = operation.OnePacketScheduling,
            SchedulerFlags = operation.SchedulerFlags is { } flags ? [.. flags] : [],
            Toa = operation.Toa,
        };
    }

    // -r's address: dotted for an IPv4 server, IPv6 text for an IPv6 one.
    private static (uint Address, Ipv6Address? Address6) ServerAddress(EditOperation operation) =>
        Ipv6Address.TryParse(operation.ServerAddress, out var v6) ? (0u, v6)
        : Ipv4Address.TryParse(operation.ServerAddress, out var v4) ? (v4, null)
        : throw Error(operation, "illegal real server address[:port] specified");

    private static int IndexOf(VirtualServiceConfig service, uint address, Ipv6Address? address6, ushort port)
    {
        for (var j = 0; j < service.RealServers.Length; j++)
        {
            var server = service.RealServers[j];
            if (server.Address == address && server.Address6 == address6 && server.Port == port)
            {
                return j;
            }
        }

        return -1;
    }

    private static RealServerConfig ServerSettings(uint address, Ipv6Address? address6, EditOperation operation)
    {
        var method = ForwardingMethod.DirectRouting;
        if (operation.Method is { } methodText && !ForwardingMethods.TryParse(methodText, out method))
        {
            throw Error(operation, $"unknown forwarding method '{methodText}'");
        }

        var upper = operation.UpperThreshold ?? 0;
        var lower = operation.LowerThreshold ?? 0;
        if (lower > upper)
        {
            // The kernel refuses a lower threshold above the upper one with ERANGE.
            throw Error(operation, "Numerical result out of range");
        }

        return new RealServerConfig
        {
            Address = address,
            Address6 = address6,
            Port = operation.ServerPort,
            Weight = operation.Weight ?? 1,
            Method = method,
            UpperThreshold = upper,
            LowerThreshold = lower,
        };
    }

    private static int Find(ImmutableArray<VirtualServiceConfig> services, EditOperation operation)
    {
        var selector = RequireService(operation);
        for (var i = 0; i < services.Length; i++)
        {
            if (selector.Matches(services[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static ServiceSelector RequireService(EditOperation operation) =>
        operation.Service ?? throw Error(operation, "You need to supply the 'service-address' option");

    private static ConfigEditException Error(EditOperation operation, string message) => new(message, operation.Line);
}
