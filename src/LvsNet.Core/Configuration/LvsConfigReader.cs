using System.Collections.Immutable;
using LvsNet.Packets;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace LvsNet.Core.Configuration;

/// <summary>
/// Reads the YAML configuration into an <see cref="LvsConfig"/>, collecting every error with its
/// YAML path and line, then runs <see cref="ConfigValidator"/>. Nothing is half-applied: the
/// result is a whole valid configuration or a <see cref="ConfigException"/>.
/// </summary>
public static partial class LvsConfigReader
{
    /// <summary>Reads and validates a file.</summary>
    /// <exception cref="ConfigException">The file is missing, unreadable or invalid.</exception>
    public static LvsConfig ReadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"{path}: cannot read the configuration file: {ex.Message}", ex);
        }

        return Parse(text, path);
    }

    /// <summary>Parses and validates YAML text.</summary>
    /// <param name="yaml">The document.</param>
    /// <param name="source">The file name for messages.</param>
    /// <exception cref="ConfigException">The document is invalid.</exception>
    public static LvsConfig Parse(string yaml, string source = "config")
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var errors = new List<ConfigError>();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (Exception ex) when (ex is YamlException or InvalidOperationException)
        {
            // The representation model stops at the error without saying where in the tree; replaying the events does.
            var error = YamlSyntaxError.Find(yaml) ?? new ConfigError("", null, "not valid YAML: " + ex.Message);
            throw new ConfigException(source, [error]);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode rootNode)
        {
            throw new ConfigException(source, [new ConfigError("", 1, "the document must be a mapping with a 'director' section")]);
        }

        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        var root = new YamlMapping(rootNode, "", errors);
        var config = ReadRoot(root, lines);
        root.RejectUnknownKeys();
        if (errors.Count == 0 && config is not null)
        {
            errors.AddRange(ConfigValidator.Validate(config, path => lines.TryGetValue(path, out var line) ? line : null));
        }

        if (errors.Count > 0 || config is null)
        {
            throw new ConfigException(source, errors);
        }

        return config;
    }

    /// <summary>
    /// The top-level key <c>lvsnetadm import</c> writes when it could not map everything: the file is
    /// refused (with the key's line) until the operator has reviewed the import's errors and deleted it.
    /// </summary>
    public const string ImportIncompleteKey = "import_incomplete";

    private static LvsConfig? ReadRoot(YamlMapping root, Dictionary<string, int> lines)
    {
        if (root.Find(ImportIncompleteKey) is { } marker)
        {
            root.Error(ImportIncompleteKey, marker, "this file comes from an lvsnetadm import that could not map everything (the 'error:' lines in the comments at the top); review them, then delete this key");
        }

        var directorMap = root.Mapping("director");
        if (directorMap is null)
        {
            root.Error("director", null, "is required (interface and address of the director)");
        }

        var director = directorMap is null ? null : ReadDirector(directorMap);
        var capture = root.Mapping("capture") is { } captureMap ? ReadCapture(captureMap) : new CaptureConfig();
        var connections = root.Mapping("connections") is { } connMap ? ReadConnections(connMap) : new ConnectionTableConfig();
        var fragments = root.Mapping("fragments") is { } fragmentMap ? ReadFragments(fragmentMap) : new FragmentConfig();
        var haMap = root.Mapping("high_availability");
        var highAvailability = haMap is not null ? ReadHighAvailability(haMap) : new HighAvailabilityConfig();
        if (haMap?.Find("floating_addresses") is { } floating)
        {
            lines["high_availability.floating_addresses"] = YamlMapping.LineOf(floating);
        }

        var http = root.Mapping("http") is { } httpMap ? ReadHttp(httpMap) : null;
        var announce = root.Mapping("announce") is { } announceMap ? ReadAnnounce(announceMap) : null;

        var firewallMarks = ReadFirewallMarks(root, lines);
        var services = ImmutableArray.CreateBuilder<VirtualServiceConfig>();
        foreach (var item in root.Sequence("virtual_services"))
        {
            lines[item.Path] = item.Line;
            if (ReadService(item, lines) is { } service)
            {
                services.Add(service);
            }
        }

        return director is null ? null : new LvsConfig
        {
            Director = director,
            Capture = capture,
            Connections = connections,
            Fragments = fragments,
            Http = http,
            VirtualServices = services.ToImmutable(),
            HighAvailability = highAvailability,
            Announce = announce,
            FirewallMarks = firewallMarks,
        };
    }

    private static DirectorConfig? ReadDirector(YamlMapping map)
    {
        var name = map.String("interface", required: true);
        var addressText = map.String("address", required: true);
        uint address = 0;
        var prefix = 24;
        if (addressText is not null && !TryParseAddressWithPrefix(addressText, out address, out prefix))
        {
            map.Error("address", map.Find("address"), $"must be the director's IPv4 address with its prefix, such as 10.0.0.2/24, got '{addressText}'");
            addressText = null;
        }

        var gateway = map.Ipv4("gateway");
        var gatewayMac = map.Mac("gateway_mac");
        if (gatewayMac is not null && gateway is null && !map.Has("gateway"))
        {
            map.Error("gateway_mac", map.Find("gateway_mac"), "needs gateway: it is the MAC of the gateway's address");
        }

        Packets.Ipv6.Ipv6Address? address6 = null;
        var prefix6 = 64;
        if (map.String("address6") is { } address6Text)
        {
            if (TryParseIpv6WithPrefix(address6Text, out var parsed6, out prefix6))
            {
                address6 = parsed6;
            }
            else
            {
                map.Error("address6", map.Find("address6"), $"must be the director's IPv6 address with its prefix, such as 2001:db8::2/64, got '{address6Text}'");
            }
        }

        Packets.Ipv6.Ipv6Address? gateway6 = null;
        if (map.IpAddress("gateway6", out _, out var gateway6Parsed))
        {
            if (gateway6Parsed is null)
            {
                map.Error("gateway6", map.Find("gateway6"), "must be an IPv6 address such as fe80::1 or 2001:db8::1 (the IPv4 gateway is gateway)");
            }

            gateway6 = gateway6Parsed;
        }

        var prepare = map.Boolean("prepare_host");
        var vlan = (ushort?)map.Integer("vlan", 1, 4094);
        map.RejectUnknownKeys();
        if (name is null || addressText is null)
        {
            return null;
        }

        return new DirectorConfig
        {
            Interface = name,
            Address = address,
            PrefixLength = prefix,
            Gateway = gateway ?? 0,
            GatewayMac = gatewayMac,
            Address6 = address6,
            PrefixLength6 = prefix6,
            Gateway6 = gateway6,
            PrepareHost = prepare ?? true,
            Vlan = vlan ?? 0,
        };
    }

    private static CaptureConfig ReadCapture(YamlMapping map)
    {
        var defaults = new CaptureConfig();
        var backendText = map.String("backend");
        var backend = defaults.Backend;
        if (backendText is not null)
        {
            switch (backendText.ToLowerInvariant())
            {
                case "pcap": backend = CaptureBackend.Pcap; break;
                case "afpacket": backend = CaptureBackend.AfPacket; break;
                case "afxdp": backend = CaptureBackend.AfXdp; break;
                default: map.Error("backend", map.Find("backend"), $"must be pcap, afpacket or afxdp, got '{backendText}'"); break;
            }
        }

        var config = new CaptureConfig
        {
            Backend = backend,
            Workers = (int?)map.Integer("workers", 1, 64) ?? defaults.Workers,
            BufferSizeBytes = (int?)map.Integer("buffer_size_bytes", 64 * 1024, 1L << 30) ?? defaults.BufferSizeBytes,
            BatchSize = (int?)map.Integer("batch_size", 1, 4096) ?? defaults.BatchSize,
            CaptureTo = map.String("capture_to"),
            AfPacketRing = (int?)map.Integer("afpacket_ring", 2, 3) ?? defaults.AfPacketRing,
            BusyPoll = map.Integer("busy_poll_us", 0, 10_000) is { } busyPoll ? TimeSpan.FromMicroseconds(busyPoll) : defaults.BusyPoll,
            SynQueueBytes = (int?)map.Integer("syn_queue_bytes", 0, 1L << 30) ?? defaults.SynQueueBytes,
        };
        map.RejectUnknownKeys();
        return config;
    }

    private static ConnectionTableConfig ReadConnections(YamlMapping map)
    {
        var defaults = new ConnectionTableConfig();
        var max = TimeSpan.FromSeconds(2_678_400);
        var config = new ConnectionTableConfig
        {
            MaxEntries = (int?)map.Integer("max_entries", 1024, 1 << 28) ?? defaults.MaxEntries,
            TcpTimeout = map.Duration("tcp_timeout", TimeSpan.FromSeconds(1), max) ?? defaults.TcpTimeout,
            TcpFinTimeout = map.Duration("tcp_fin_timeout", TimeSpan.FromSeconds(1), max) ?? defaults.TcpFinTimeout,
            UdpTimeout = map.Duration("udp_timeout", TimeSpan.FromSeconds(1), max) ?? defaults.UdpTimeout,
            ExpireNodestConnections = map.Boolean("expire_nodest_conn") ?? defaults.ExpireNodestConnections,
            ExpireQuiescentTemplates = map.Boolean("expire_quiescent_template") ?? defaults.ExpireQuiescentTemplates,
            SloppyTcp = map.Boolean("sloppy_tcp") ?? defaults.SloppyTcp,
            DropEntry = (int?)map.Integer("drop_entry", 0, 3) ?? defaults.DropEntry,
            DropPacket = (int?)map.Integer("drop_packet", 0, 3) ?? defaults.DropPacket,
            SecureTcp = (int?)map.Integer("secure_tcp", 0, 3) ?? defaults.SecureTcp,
            AmDropRate = (int?)map.Integer("am_droprate", 1, int.MaxValue) ?? defaults.AmDropRate,
            AmemThreshold = (int?)map.Integer("amemthresh", 0, 1 << 28),
            PerSourceRate = (int?)map.Integer("per_source_rate", 0, 10_000_000) ?? defaults.PerSourceRate,
            PerSourceBurst = (int?)map.Integer("per_source_burst", 1, 10_000_000),
            PerSourcePrefix = (int?)map.Integer("per_source_prefix", 8, 32) ?? defaults.PerSourcePrefix,
        };
        map.RejectUnknownKeys();
        return config;
    }

    private static VirtualServiceConfig? ReadService(YamlMapping map, Dictionary<string, int> lines)
    {
        var name = map.String("name");

        // A firewall-mark service (ipvsadm -f) has no protocol, VIP or port of its own: the
        // firewall_marks rules say which packets carry its mark.
        var firewallMark = (uint?)map.Integer("fwmark", 1, MaxFirewallMark);
        if (firewallMark is not null)
        {
            foreach (var key in new[] { "protocol", "address", "port" })
            {
                if (map.Find(key) is { } node)
                {
                    map.Error(key, node, "does not go with fwmark: a firewall-mark service takes the packets its firewall_marks rules mark, whatever their protocol, address and port");
                }
            }
        }

        var protocolText = (firewallMark is null ? map.String("protocol") : null) ?? ServiceProtocols.Tcp;
        IpProtocol? protocol = protocolText.ToLowerInvariant() switch
        {
            ServiceProtocols.Tcp => IpProtocol.Tcp,
            ServiceProtocols.Udp => IpProtocol.Udp,
            _ => null,
        };
        if (protocol is null)
        {
            map.Error("protocol", map.Find("protocol"), $"must be tcp or udp, got '{protocolText}'");
        }

        Packets.Ipv6.Ipv6Address? address6 = null;
        uint? address = 0u;
        if (firewallMark is null)
        {
            address = map.IpAddress("address", out var vip, out address6, required: true) ? vip : null;
        }

        // family: inet or inet6 (keepalived's ip_family; ipvsadm's -6). A fwmark service has no
        // address to say its family: inet6 makes it an IPv6 one (keyed as the kernel keys it, ::).
        if (ReadFamily(map) is { } ipv6)
        {
            if (firewallMark is not null)
            {
                address6 = ipv6 ? Packets.Ipv6.Ipv6Address.Unspecified : null;
            }
            else if (address is not null && ipv6 != (address6 is not null))
            {
                map.Error("family", map.Find("family"), $"says {(ipv6 ? ServiceFamilies.Inet6 : ServiceFamilies.Inet)} but the address is {(address6 is not null ? "IPv6" : "IPv4")}");
            }
        }

        var port = firewallMark is null ? (ushort?)map.Integer("port", 0, 65535, required: true) : (ushort)0;
        var scheduler = map.String("scheduler")?.ToLowerInvariant();
        if (scheduler is not null && !SchedulerNames.IsKnown(scheduler))
        {
            map.Error("scheduler", map.Find("scheduler"), $"unknown scheduler '{scheduler}'; expected one of: {string.Join(", ", SchedulerNames.Implemented)}");
            scheduler = null;
        }

        TimeSpan? persistence = null;
        if (map.Has("persistence_timeout"))
        {
            // "persistence_timeout:" with no value means ipvsadm's -p default, 360 s.
            persistence = map.Find("persistence_timeout") is YamlScalarNode { Value: null or "" }
                ? TimeSpan.FromSeconds(360)
                : map.Duration("persistence_timeout", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2_678_400));
        }

        var netmask = uint.MaxValue;
        var prefixLength = 128;
        if (map.String("persistence_netmask") is { } maskText6 && address6 is not null)
        {
            // IPv6: a prefix length, as ipvsadm -M takes it for IPv6 services (the kernel keeps 1..128).
            var prefixText = maskText6.StartsWith('/') ? maskText6[1..] : maskText6;
            if (!int.TryParse(prefixText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out prefixLength) || prefixLength is < 1 or > 128)
            {
                prefixLength = 128;
                map.Error("persistence_netmask", map.Find("persistence_netmask"), $"must be a prefix length from 1 to 128 such as /64 for an IPv6 service, got '{maskText6}'");
            }
        }
        else if (map.String("persistence_netmask") is { } maskText)
        {
            if (!TryParseNetmask(maskText, out netmask))
            {
                map.Error("persistence_netmask", map.Find("persistence_netmask"), $"must be a netmask such as 255.255.255.0 or a prefix length such as /24, got '{maskText}'");
            }
        }

        var onePacket = map.Boolean("one_packet_scheduling") ?? false;
        var (localAddresses, localAddresses6, localPositions6) = ReadLocalAddressList(map);
        var toa = map.Boolean("toa") ?? false;
        var synProxy = map.Boolean("syn_proxy") ?? false;
        var schedulerFlags = ReadSchedulerFlags(map);
        var maglevTableSize = (int?)map.Integer("mh_table_size", 1, 1 << 20);
        var localityExpiration = ReadLocalityExpiration(map, scheduler ?? SchedulerNames.WeightedLeastConnection);
        var dynamicWeights = map.Mapping("dynamic_weights") is { } dynamicMap ? ReadDynamicWeights(dynamicMap) : null;
        var agentCheck = ReadAgentCheck(map);
        var (healthCheck, quorum) = ReadServiceHealth(map, port);

        var servers = ImmutableArray.CreateBuilder<RealServerConfig>();
        foreach (var item in map.Sequence("real_servers"))
        {
            lines[item.Path] = item.Line;
            if (ReadRealServer(item, port) is { } server)
            {
                servers.Add(server);
            }
        }

        map.RejectUnknownKeys();
        if (protocol is null || address is null || port is null)
        {
            return null;
        }

        return new VirtualServiceConfig
        {
            Name = name,
            Protocol = firewallMark is null ? protocol.Value : 0,
            Address = address.Value,
            Address6 = address6,
            Port = port.Value,
            FirewallMark = firewallMark ?? 0,
            Scheduler = scheduler ?? SchedulerNames.WeightedLeastConnection,
            RealServers = servers.ToImmutable(),
            PersistenceTimeout = persistence,
            PersistenceNetmask = netmask,
            PersistencePrefixLength = prefixLength,
            OnePacketScheduling = onePacket,
            SchedulerFlags = schedulerFlags,
            MaglevTableSize = maglevTableSize,
            LocalityExpiration = localityExpiration,
            DynamicWeights = dynamicWeights,
            AgentCheck = agentCheck,
            HealthCheck = healthCheck,
            Quorum = quorum,
            LocalAddresses = localAddresses,
            LocalAddresses6 = localAddresses6,
            LocalAddress6Positions = localPositions6,
            Toa = toa,
            SynProxy = synProxy,
        };
    }

    /// <summary>
    /// Reads <c>local_addresses</c> (or another list of <paramref name="key"/>, such as
    /// <c>floating_addresses</c>): IPv4 and IPv6 addresses (IPv6 entries serve IPv6 fullnat servers,
    /// IPv4 entries IPv4 ones), each error with its item's path.
    /// </summary>
    private static (ImmutableArray<uint> V4, ImmutableArray<Packets.Ipv6.Ipv6Address> V6, ImmutableArray<int> Positions6) ReadLocalAddressList(YamlMapping map, string key = "local_addresses")
    {
        var node = map.Find(key);
        var items = node switch
        {
            null => [],
            YamlSequenceNode sequence => sequence.Children.Select((child, i) => (Node: child, Path: $"{key}[{i}]")).ToList(),
            YamlScalarNode scalar => [(Node: (YamlNode)scalar, Path: key)],
            _ => null,
        };
        if (items is null)
        {
            map.Error(key, node, "must be a list of IPv4 or IPv6 addresses such as [10.0.0.50, 2001:db8::50]");
            return ([], [], []);
        }

        var v4 = ImmutableArray.CreateBuilder<uint>();
        var v6 = ImmutableArray.CreateBuilder<Packets.Ipv6.Ipv6Address>();
        var positions = ImmutableArray.CreateBuilder<int>();
        for (var i = 0; i < items.Count; i++)
        {
            var (item, path) = items[i];
            var text = (item as YamlScalarNode)?.Value;
            if (text is not null && Ipv4Address.TryParse(text, out var address))
            {
                v4.Add(address);
            }
            else if (text is not null && text.Contains(':', StringComparison.Ordinal) && Packets.Ipv6.Ipv6Address.TryParse(text, out var address6))
            {
                v6.Add(address6);
                positions.Add(i);
            }
            else
            {
                map.Error(path, item, $"must be an IPv4 or IPv6 address such as 10.0.0.50 or 2001:db8::50, got '{text}'");
            }
        }

        return (v4.ToImmutable(), v6.ToImmutable(), positions.ToImmutable());
    }

    private static RealServerConfig? ReadRealServer(YamlMapping map, ushort? servicePort)
    {
        uint? address = map.IpAddress("address", out var rip, out var address6, required: true) ? rip : null;
        var port = (ushort?)map.Integer("port", 0, 65535);
        var weight = (int?)map.Integer("weight", 0, 65535);
        var upperThreshold = (int?)map.Integer("upper_threshold", 0, int.MaxValue);
        var lowerThreshold = (int?)map.Integer("lower_threshold", 0, int.MaxValue);
        var methodText = map.String("method");
        var method = ForwardingMethod.DirectRouting;
        if (methodText is not null && !ForwardingMethods.TryParse(methodText, out method))
        {
            map.Error("method", map.Find("method"), $"must be one of {string.Join(", ", ForwardingMethods.All)}, got '{methodText}'");
            return null;
        }

        var mac = map.Mac("mac");
        var healthCheck = ReadServerHealthCheck(map);
        var agentCheck = ReadAgentCheck(map);
        map.RejectUnknownKeys();
        if (address is null)
        {
            return null;
        }

        return new RealServerConfig
        {
            Address = address.Value,
            Address6 = address6,
            Port = port ?? servicePort ?? 0,
            Weight = weight ?? 1,
            Method = method,
            UpperThreshold = upperThreshold ?? 0,
            LowerThreshold = lowerThreshold ?? 0,
            HealthCheck = healthCheck,
            AgentCheck = agentCheck,
            Mac = mac,
        };
    }

    // "scheduler_flags: [sh-port, sh-fallback]", or ipvsadm's comma-separated "sh-port,sh-fallback".
    private static ImmutableArray<string> ReadSchedulerFlags(YamlMapping map)
    {
        var node = map.Find("scheduler_flags");
        if (node is null)
        {
            return [];
        }

        var items = new List<(YamlNode Node, string Path)>();
        switch (node)
        {
            case YamlSequenceNode sequence:
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    items.Add((sequence.Children[i], $"scheduler_flags[{i}]"));
                }

                break;
            case YamlScalarNode scalar:
                items.Add((scalar, "scheduler_flags"));
                break;
            default:
                map.Error("scheduler_flags", node, "must be a list of flag names such as [sh-port, sh-fallback]");
                return [];
        }

        var flags = ImmutableArray.CreateBuilder<string>();
        foreach (var (item, path) in items)
        {
            if (item is not YamlScalarNode { Value: { } text })
            {
                map.Error(path, item, "must be a flag name");
                continue;
            }

            foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var name = part.ToLowerInvariant();
                if (!SchedulerFlagNames.TryParse(name, out _))
                {
                    map.Error(path, item, $"unknown scheduler flag '{part}'; expected one of: {string.Join(", ", SchedulerFlagNames.All)}");
                }
                else if (!flags.Contains(name))
                {
                    flags.Add(name);
                }
            }
        }

        return flags.ToImmutable();
    }

    // lblc_expiration / lblcr_expiration (the kernel's sysctls), each only with its own scheduler.
    // "family: inet6" (or ipv6): true; "inet" (or ipv4): false; absent: null.
    private static bool? ReadFamily(YamlMapping map)
    {
        if (map.String("family") is not { } text)
        {
            return null;
        }

        var ipv6 = ServiceFamilies.TryParse(text);
        if (ipv6 is null)
        {
            map.Error("family", map.Find("family"), $"must be inet or inet6 (ipv4 or ipv6), got '{text}'");
        }

        return ipv6;
    }

    private static TimeSpan? ReadLocalityExpiration(YamlMapping map, string scheduler)
    {
        TimeSpan? expiration = null;
        foreach (var (key, owner) in new[]
        {
            ("lblc_expiration", SchedulerNames.LocalityBasedLeastConnection),
            ("lblcr_expiration", SchedulerNames.LocalityBasedLeastConnectionReplication),
        })
        {
            if (map.Duration(key, TimeSpan.FromSeconds(1), TimeSpan.FromDays(365)) is not { } value)
            {
                continue;
            }

            if (scheduler != owner)
            {
                map.Error(key, map.Find(key), $"applies only to scheduler {owner} (this service uses {scheduler})");
            }
            else
            {
                expiration = value;
            }
        }

        return expiration;
    }

    private static DynamicWeightsConfig ReadDynamicWeights(YamlMapping map)
    {
        var defaults = new DynamicWeightsConfig();
        var config = new DynamicWeightsConfig
        {
            Enabled = map.Boolean("enabled") ?? defaults.Enabled,
            MinWeightPercent = (int?)map.Integer("min_weight_percent", 1, 100) ?? defaults.MinWeightPercent,
            MaxWeightPercent = (int?)map.Integer("max_weight_percent", 100, 1000) ?? defaults.MaxWeightPercent,
            Interval = map.Duration("interval", TimeSpan.FromSeconds(1), TimeSpan.FromHours(1)) ?? defaults.Interval,
            Smoothing = ReadNumber(map, "smoothing", 0, 1, minExclusive: true) ?? defaults.Smoothing,
            Gain = ReadNumber(map, "gain", 0, 2, minExclusive: true) ?? defaults.Gain,
            MaxStepPercent = (int?)map.Integer("max_step_percent", 1, 100) ?? defaults.MaxStepPercent,
            DeadBandPercent = (int?)map.Integer("dead_band_percent", 0, 50) ?? defaults.DeadBandPercent,
            HoldIntervals = (int?)map.Integer("hold_intervals", 0, 10) ?? defaults.HoldIntervals,
            NoiseBandFactor = ReadNumber(map, "noise_band_factor", 0, 10) ?? defaults.NoiseBandFactor,
            FlapHalfLife = map.Duration("flap_half_life", TimeSpan.Zero, TimeSpan.FromHours(1)) ?? defaults.FlapHalfLife,
            ConnectionCoefficient = ReadNumber(map, "connection_coefficient", 0, 100) ?? defaults.ConnectionCoefficient,
            LatencyCoefficient = ReadNumber(map, "latency_coefficient", 0, 100) ?? defaults.LatencyCoefficient,
            FailureCoefficient = ReadNumber(map, "failure_coefficient", 0, 100) ?? defaults.FailureCoefficient,
            HandshakeCoefficient = ReadNumber(map, "handshake_coefficient", 0, 100) ?? defaults.HandshakeCoefficient,
        };
        map.RejectUnknownKeys();
        return config;
    }
}
