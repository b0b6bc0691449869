using LvsNet.Packets;

namespace LvsNet.Core.Configuration;

/// <summary>
/// Cross-field rules of a configuration. Every rule runs; the result lists every error (no
/// short-circuit), each with its YAML path.
/// </summary>
public static partial class ConfigValidator
{
    /// <summary>The error of a fullnat server in a service without a source pool.</summary>
    internal const string FullNatNeedsLocalAddresses = "fullnat needs the service's local_addresses (the pool of source addresses the real servers see)";

    /// <summary>Validates a configuration.</summary>
    /// <param name="config">The configuration.</param>
    /// <param name="lineOf">Maps a YAML path of a list item to its line, when the configuration came from a file.</param>
    public static IReadOnlyList<ConfigError> Validate(LvsConfig config, Func<string, int?>? lineOf = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        lineOf ??= static _ => null;
        var errors = new List<ConfigError>();
        var seenServices = new Dictionary<(IpProtocol, uint, ushort, uint, Packets.Ipv6.Ipv6Address?), int>();

        if (config.Capture.Workers > 1 && config.Capture.Backend != CaptureBackend.AfPacket)
        {
            errors.Add(new ConfigError("capture.workers", lineOf("capture"), $"{config.Capture.Workers} workers need backend afpacket (a PACKET_FANOUT group steers each connection to its worker); {config.Capture.Backend.ToString().ToLowerInvariant()} runs one"));
        }

        if (config.Capture.SynQueueBytes != 0 && (config.Capture.Backend != CaptureBackend.Pcap || config.Capture.SynQueueBytes < 64 * 1024))
        {
            errors.Add(new ConfigError("capture.syn_queue_bytes", lineOf("capture"), $"a SYN queue is a second libpcap buffer of at least 65536 bytes (backend pcap); got {config.Capture.SynQueueBytes} bytes with backend {config.Capture.Backend.ToString().ToLowerInvariant()}"));
        }

        ValidateStaticMacs(config, lineOf, errors);
        ValidateDirector6(config.Director, lineOf, errors);
        ValidateFirewallMarks(config, lineOf, errors);
        ValidateFloatingAddresses(config, lineOf, errors);
        for (var i = 0; i < config.VirtualServices.Length; i++)
        {
            var service = config.VirtualServices[i];
            var path = $"virtual_services[{i}]";
            var line = lineOf(path);
            if (!seenServices.TryAdd((service.Protocol, service.Address, service.Port, service.FirewallMark, service.Address6), i))
            {
                errors.Add(new ConfigError(path, line, $"duplicates virtual_services[{seenServices[(service.Protocol, service.Address, service.Port, service.FirewallMark, service.Address6)]}] ({Describe(service)})"));
            }

            if (!SchedulerNames.IsKnown(service.Scheduler))
            {
                errors.Add(new ConfigError(path + ".scheduler", line, $"unknown scheduler '{service.Scheduler}'; expected one of: {string.Join(", ", SchedulerNames.Implemented)}"));
            }

            ValidateScheduling(service, path, line, errors);
            HealthConfigValidator.Validate(config, service, path, line, lineOf, errors);

            var isMark = service.FirewallMark != 0;
            if (service.Port == 0 && service.PersistenceTimeout is null && !isMark)
            {
                errors.Add(new ConfigError(path + ".port", line, "port 0 (any port) is only valid with persistence_timeout, as in IPVS"));
            }

            // ipvsadm lets -o go with -f: the kernel applies it to the UDP packets of the mark.
            if (service.OnePacketScheduling && service.Protocol != IpProtocol.Udp && !isMark)
            {
                errors.Add(new ConfigError(path + ".one_packet_scheduling", line, "one-packet scheduling is for UDP services only (ipvsadm -o)"));
            }

            if (service.IsIpv6)
            {
                ValidateIpv6Service(config, service, path, line, lineOf, errors);
                continue;
            }

            if (isMark)
            {
                // No VIP of its own: the firewall_marks rules' destinations are checked as VIPs.
            }
            else if (service.Address == config.Director.Address)
            {
                errors.Add(new ConfigError(path + ".address", line, "the VIP must not be the director's own address (the kernel holds that one)"));
            }
            else if (AddressRules.Problem(service.Address, "a VIP", config.Director) is { } vipProblem)
            {
                errors.Add(new ConfigError(path + ".address", line, vipProblem));
            }

            ValidateLocalAddresses(config, service, path, line, errors);
            var seenServers = new Dictionary<(uint, ushort), int>();
            for (var j = 0; j < service.RealServers.Length; j++)
            {
                var server = service.RealServers[j];
                var serverPath = $"{path}.real_servers[{j}]";
                var serverLine = lineOf(serverPath) ?? line;
                ValidateThresholds(server, serverPath, serverLine, errors);
                if (ValidateMixedFamilyServer(config, service, server, serverPath, serverLine, errors))
                {
                    continue;
                }

                if (!seenServers.TryAdd((server.Address, server.Port), j))
                {
                    errors.Add(new ConfigError(serverPath, serverLine, $"duplicates real_servers[{seenServers[(server.Address, server.Port)]}] ({Ipv4Address.Format(server.Address)}:{server.Port})"));
                }

                // ipvsadm forces the virtual port on dr and tun servers, except in fwmark services (which have none).
                if (server.Method is ForwardingMethod.DirectRouting or ForwardingMethod.Tunnel && server.Port != service.Port && !isMark)
                {
                    errors.Add(new ConfigError(serverPath + ".port", serverLine, $"{ForwardingMethods.ToConfigName(server.Method)} cannot change the port: the real server must listen on the virtual port {service.Port} (got {server.Port})"));
                }

                if (server.Method is ForwardingMethod.FullNat && service.LocalAddresses.IsEmpty)
                {
                    errors.Add(new ConfigError(serverPath + ".method", serverLine, FullNatNeedsLocalAddresses));
                }

                if (server.Method is ForwardingMethod.FullNat && service.OnePacketScheduling)
                {
                    errors.Add(new ConfigError(serverPath + ".method", serverLine, "fullnat cannot be used with one_packet_scheduling: a reply needs the connection entry that maps it back"));
                }

                if (server.Method == ForwardingMethod.DirectRouting && !SameSubnet(server.Address, config.Director))
                {
                    errors.Add(new ConfigError(serverPath + ".address", serverLine, $"dr needs the real server on the director's segment {Ipv4Address.Format(config.Director.Address & Ipv4Address.PrefixToMask(config.Director.PrefixLength))}/{config.Director.PrefixLength}"));
                }

                if ((server.Address == service.Address && !isMark) || server.Address == config.Director.Address)
                {
                    errors.Add(new ConfigError(serverPath + ".address", serverLine, "a real server cannot be the VIP or the director itself"));
                }
                else if (AddressRules.Problem(server.Address, "a real server", config.Director) is { } serverProblem)
                {
                    errors.Add(new ConfigError(serverPath + ".address", serverLine, serverProblem));
                }
            }
        }

        return errors;
    }

    // One address has one MAC: the same real server listed in several services (or as the gateway)
    // must not be given two different ones.
    private static void ValidateStaticMacs(LvsConfig config, Func<string, int?> lineOf, List<ConfigError> errors)
    {
        var first = new Dictionary<uint, (Packets.MacAddress Mac, string Path)>();
        if (config.Director.Gateway != 0 && config.Director.GatewayMac is { } gatewayMac)
        {
            first[config.Director.Gateway] = (gatewayMac, "director.gateway_mac");
        }

        for (var i = 0; i < config.VirtualServices.Length; i++)
        {
            var servers = config.VirtualServices[i].RealServers;
            for (var j = 0; j < servers.Length; j++)
            {
                if (servers[j].Mac is not { } mac)
                {
                    continue;
                }

                var serverPath = $"virtual_services[{i}].real_servers[{j}]";
                if (!first.TryAdd(servers[j].Address, (mac, serverPath + ".mac")) && first[servers[j].Address].Mac != mac)
                {
                    var earlier = first[servers[j].Address];
                    errors.Add(new ConfigError(serverPath + ".mac", lineOf(serverPath) ?? lineOf($"virtual_services[{i}]"), $"{Ipv4Address.Format(servers[j].Address)} is given {mac} here but {earlier.Mac} at {earlier.Path}: one address has one MAC"));
                }
            }
        }
    }

    // FULLNAT's pool: addresses of the director's own, so none may be anything else's.
    private static void ValidateLocalAddresses(LvsConfig config, VirtualServiceConfig service, string path, int? line, List<ConfigError> errors)
    {
        RefuseIpv6LocalAddresses(service, path, line, errors);
        var seen = new HashSet<uint>();
        for (var k = 0; k < service.LocalAddresses.Length; k++)
        {
            var address = service.LocalAddresses[k];
            var itemPath = $"{path}.local_addresses[{k}]";
            if (!seen.Add(address))
            {
                errors.Add(new ConfigError(itemPath, line, $"{Ipv4Address.Format(address)} is listed twice"));
            }

            if (address == config.Director.Address)
            {
                errors.Add(new ConfigError(itemPath, line, "a local address must not be the director's own address (the kernel holds that one)"));
            }
            else if (AddressRules.Problem(address, "a local address", config.Director) is { } localProblem)
            {
                errors.Add(new ConfigError(itemPath, line, localProblem));
            }

            if (config.VirtualServices.Any(s => s.Address == address))
            {
                errors.Add(new ConfigError(itemPath, line, $"{Ipv4Address.Format(address)} is a VIP; local addresses must be addresses of their own"));
            }

            if (config.VirtualServices.Any(s => s.RealServers.Any(r => r.Address == address)))
            {
                errors.Add(new ConfigError(itemPath, line, $"{Ipv4Address.Format(address)} is a real server's address"));
            }
        }

        if (service.Toa && service.Protocol != IpProtocol.Tcp)
        {
            errors.Add(new ConfigError(path + ".toa", line, "toa is a TCP option; this service is udp"));
        }
        else if (service.Toa && service.LocalAddresses.IsEmpty)
        {
            errors.Add(new ConfigError(path + ".toa", line, "toa applies to fullnat servers, which need local_addresses"));
        }

        if (service.SynProxy && service.Protocol != IpProtocol.Tcp)
        {
            errors.Add(new ConfigError(path + ".syn_proxy", line, "syn_proxy is for TCP services; this service is udp"));
        }
        else if (service.SynProxy && service.RealServers.Any(r => r.Method is not (ForwardingMethod.Nat or ForwardingMethod.FullNat)))
        {
            errors.Add(new ConfigError(path + ".syn_proxy", line, "syn_proxy needs every real server to use method nat or fullnat (the director must see both directions to splice sequence numbers)"));
        }
    }

    // Scheduler flags, mh table size, locality expiration and the dynamic-weight policy only where
    // the scheduler uses them (the kernel silently ignores meaningless flags; a typo here is an error).
    private static void ValidateScheduling(VirtualServiceConfig service, string path, int? line, List<ConfigError> errors)
    {
        var scheduler = service.Scheduler;
        foreach (var flag in service.SchedulerFlags)
        {
            if (!SchedulerFlagNames.TryParse(flag, out _))
            {
                errors.Add(new ConfigError(path + ".scheduler_flags", line, $"unknown scheduler flag '{flag}'; expected one of: {string.Join(", ", SchedulerFlagNames.All)}"));
            }
            else if (!SchedulerFlagNames.AppliesTo(scheduler, flag))
            {
                var accepted = SchedulerFlagNames.For(scheduler);
                errors.Add(new ConfigError(path + ".scheduler_flags", line, accepted.Count == 0
                    ? $"flag '{flag}' does not apply: scheduler {scheduler} takes no flags (only sh and mh do)"
                    : $"flag '{flag}' does not apply to scheduler {scheduler}; it accepts: {string.Join(", ", accepted)}"));
            }
        }

        if (service.MaglevTableSize is { } size)
        {
            if (scheduler != SchedulerNames.MaglevHash)
            {
                errors.Add(new ConfigError(path + ".mh_table_size", line, $"applies only to scheduler mh (this service uses {scheduler})"));
            }
            else if (!SchedulerNames.MaglevTableSizes.Contains(size))
            {
                errors.Add(new ConfigError(path + ".mh_table_size", line, $"must be one of the kernel's primes {string.Join(", ", SchedulerNames.MaglevTableSizes)}, got {size}"));
            }
        }

        var tableSize = service.MaglevTableSize ?? SchedulerNames.MaglevDefaultTableSize;
        if (scheduler == SchedulerNames.MaglevHash && service.RealServers.Length > tableSize)
        {
            errors.Add(new ConfigError(path + ".real_servers", line, $"mh holds at most {tableSize} real servers (its table size), got {service.RealServers.Length}"));
        }

        if (service.LocalityExpiration is { } expiration)
        {
            if (scheduler is not (SchedulerNames.LocalityBasedLeastConnection or SchedulerNames.LocalityBasedLeastConnectionReplication))
            {
                errors.Add(new ConfigError(path + ".lblc_expiration", line, $"applies only to schedulers lblc and lblcr (this service uses {scheduler})"));
            }
            else if (expiration <= TimeSpan.Zero)
            {
                errors.Add(new ConfigError(path + $".{scheduler}_expiration", line, "must be positive"));
            }
        }

        ValidateAgentCheck(service, scheduler, path, line, errors);
        if (service.DynamicWeights is { } dynamic)
        {
            var dynamicPath = path + ".dynamic_weights";
            if (dynamic.Enabled && !SchedulerNames.SupportsDynamicWeights(scheduler))
            {
                errors.Add(new ConfigError(dynamicPath, line, $"scheduler {scheduler} does not use weights as load shares; dynamic weights work with wrr, wlc, sed, nq, ovf, twos, lblc and lblcr"));
            }

            if (dynamic.MinWeightPercent is < 1 or > 100)
            {
                errors.Add(new ConfigError(dynamicPath + ".min_weight_percent", line, $"must be between 1 and 100, got {dynamic.MinWeightPercent}"));
            }

            if (dynamic.MaxWeightPercent < dynamic.MinWeightPercent || dynamic.MaxWeightPercent is < 100 or > 1000)
            {
                errors.Add(new ConfigError(dynamicPath + ".max_weight_percent", line, $"must be between 100 and 1000 and not below min_weight_percent ({dynamic.MinWeightPercent}), got {dynamic.MaxWeightPercent}"));
            }

            if (dynamic.Interval < TimeSpan.FromSeconds(1))
            {
                errors.Add(new ConfigError(dynamicPath + ".interval", line, "must be at least 1s"));
            }

            if (dynamic.Smoothing is not (> 0 and <= 1) || dynamic.Gain is not (> 0 and <= 2))
            {
                errors.Add(new ConfigError(dynamicPath, line, "smoothing must be above 0 and at most 1, gain above 0 and at most 2"));
            }

            if (dynamic.MaxStepPercent is < 1 or > 100 || dynamic.DeadBandPercent is < 0 or > 50)
            {
                errors.Add(new ConfigError(dynamicPath, line, "max_step_percent must be 1..100 and dead_band_percent 0..50"));
            }

            if (dynamic.HoldIntervals is < 0 or > 10 || dynamic.NoiseBandFactor is < 0 or > 10 || dynamic.FlapHalfLife < TimeSpan.Zero || dynamic.FlapHalfLife > TimeSpan.FromHours(1))
            {
                errors.Add(new ConfigError(dynamicPath, line, "hold_intervals must be 0..10, noise_band_factor 0..10 and flap_half_life 0..1h"));
            }

            if (dynamic.ConnectionCoefficient < 0 || dynamic.LatencyCoefficient < 0 || dynamic.FailureCoefficient < 0 || dynamic.HandshakeCoefficient < 0)
            {
                errors.Add(new ConfigError(dynamicPath, line, "coefficients must not be negative"));
            }
        }
    }

    // ip_vs_ctl.c rejects l_threshold > u_threshold with ERANGE (so a lower threshold needs an upper one).
    private static void ValidateThresholds(RealServerConfig server, string serverPath, int? serverLine, List<ConfigError> errors)
    {
        if (server.UpperThreshold < 0 || server.LowerThreshold < 0)
        {
            errors.Add(new ConfigError(serverPath + ".upper_threshold", serverLine, "thresholds must not be negative"));
        }
        else if (server.LowerThreshold > server.UpperThreshold)
        {
            errors.Add(new ConfigError(serverPath + ".lower_threshold", serverLine, server.UpperThreshold == 0
                ? $"a lower threshold ({server.LowerThreshold}) needs an upper_threshold at least as large (0 = unset)"
                : $"must not exceed upper_threshold ({server.UpperThreshold}), got {server.LowerThreshold}"));
        }
    }

    private static bool SameSubnet(uint address, DirectorConfig director)
    {
        var mask = Ipv4Address.PrefixToMask(director.PrefixLength);
        return (address & mask) == (director.Address & mask);
    }

    private static string Describe(VirtualServiceConfig service) => service.FirewallMark != 0 ? $"fwmark {service.FirewallMark}" :
        $"{(service.Protocol == IpProtocol.Tcp ? "tcp" : "udp")} {service.EndpointText}";
}
