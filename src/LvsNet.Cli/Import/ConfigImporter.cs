using System.Collections.Immutable;
using System.Globalization;
using LvsNet.Cli.Ipvsadm;
using LvsNet.Control.Editing;
using LvsNet.Core.Configuration;
using LvsNet.Core.Scheduling;
using LvsNet.Packets;

namespace LvsNet.Cli.Import;

/// <summary>
/// Converts an existing LVS setup into an LvsNet configuration: an <c>ipvsadm-save</c> /
/// <c>ipvsadm -S</c> file, or the <c>virtual_server</c> blocks of a keepalived.conf (with
/// keepalived's defaults: NAT, wlc, UDP when the protocol is omitted, 360 s for a bare
/// <c>persistence_timeout</c>). Whatever LvsNet cannot express yet (health checkers, sorry servers,
/// quorum, fwmark and IPv6 services, ...) is listed in <see cref="ImportResult.Notes"/>.
/// </summary>
public static class ConfigImporter
{
    private static readonly HashSet<string> CheckerKeywords = new(StringComparer.Ordinal)
    {
        "TCP_CHECK", "HTTP_GET", "SSL_GET", "MISC_CHECK", "SMTP_CHECK", "DNS_CHECK", "UDP_CHECK", "PING_CHECK", "BFD_CHECK", "FILE_CHECK",
    };

    private static readonly HashSet<string> HealthKeywords = new(StringComparer.Ordinal)
    {
        "delay_loop", "connect_timeout", "retry", "delay_before_retry", "warmup", "alpha", "omega", "quorum", "quorum_up",
        "quorum_down", "hysteresis", "ha_suspend", "inhibit_on_failure", "virtualhost", "smtp_alert", "notify_up", "notify_down",
        "retry_interval", "connect_port", "connect_ip", "bindto", "bind_port", "nb_get_retry", "quorum_up_scripts",
    };

    /// <summary>Imports <paramref name="text"/>, detecting its format.</summary>
    /// <param name="text">The file's content.</param>
    /// <param name="director">The director section of the result (neither format has one).</param>
    /// <param name="resolver">Resolves host and service names of a non-numeric ipvsadm-save file.</param>
    public static ImportResult Import(string text, DirectorConfig director, INameResolver? resolver = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(director);
        var empty = new LvsConfig { Director = director };
        var notes = new List<ImportNote>();
        LvsConfig config;
        string format;
        if (LooksLikeKeepalived(text))
        {
            format = "keepalived";
            config = ImportKeepalived(text, empty, notes);
        }
        else
        {
            format = "ipvsadm";
            config = ImportIpvsadm(text, empty, notes, resolver ?? NumericNameResolver.Instance);
        }

        return new ImportResult { Format = format, Config = config, Notes = notes, ValidationErrors = ConfigValidator.Validate(config) };
    }

    private static bool LooksLikeKeepalived(string text)
    {
        foreach (var node in KeepalivedReader.Read(text))
        {
            if (node.Children is not null || node.Keyword is "virtual_server" or "global_defs" or "vrrp_instance")
            {
                return true;
            }
        }

        return false;
    }

    private static LvsConfig ImportIpvsadm(string text, LvsConfig config, List<ImportNote> notes, INameResolver resolver)
    {
        var parser = new IpvsadmParser(resolver);
        foreach (var (line, args) in RestoreReader.Read(new StringReader(text)))
        {
            IpvsadmInvocation invocation;
            try
            {
                invocation = parser.Parse(args);
            }
            catch (IpvsadmUsageException ex)
            {
                notes.Add(new ImportNote(line, false, $"{string.Join(' ', args)}: {ex.Message}"));
                continue;
            }

            if (invocation.Operation is not { } operation)
            {
                notes.Add(new ImportNote(line, false, $"{string.Join(' ', args)}: not a rule (only -A, -E, -D, -C, -a, -e, -d and --set are imported)"));
                continue;
            }

            try
            {
                config = ConfigEditor.Apply(config, operation with { Line = line });
            }
            catch (ConfigEditException ex)
            {
                notes.Add(new ImportNote(line, false, $"{string.Join(' ', args)}: {ex.Message}"));
            }
        }

        return config;
    }

    private static LvsConfig ImportKeepalived(string text, LvsConfig config, List<ImportNote> notes)
    {
        var services = ImmutableArray.CreateBuilder<VirtualServiceConfig>();
        foreach (var node in KeepalivedReader.Read(text))
        {
            switch (node.Keyword)
            {
                case "virtual_server":
                    if (VirtualServer(node, notes) is { } service)
                    {
                        if (services.Any(s => s.Protocol == service.Protocol && s.Address == service.Address && s.Port == service.Port))
                        {
                            notes.Add(new ImportNote(node.Line, false, $"virtual_server {string.Join(' ', node.Args)}: duplicates an earlier virtual_server"));
                        }
                        else
                        {
                            services.Add(service);
                        }
                    }

                    break;
                case "virtual_server_group":
                    notes.Add(new ImportNote(node.Line, false, $"virtual_server_group {string.Join(' ', node.Args)}: groups are not supported; list each address as its own virtual_server"));
                    break;
                case "include":
                    notes.Add(new ImportNote(node.Line, false, $"include {string.Join(' ', node.Args)}: included files are not read; import them separately"));
                    break;
                case "global_defs":
                    foreach (var child in node.Children ?? [])
                    {
                        if (child.Keyword == "lvs_timeouts")
                        {
                            config = config with { Connections = Timeouts(child, config.Connections, notes) };
                        }
                        else if (child.Keyword is "lvs_sync_daemon" or "lvs_flush" or "lvs_flush_onstop" or "lvs_flush_on_stop")
                        {
                            notes.Add(new ImportNote(child.Line, false, $"global_defs {child.Keyword} {string.Join(' ', child.Args)}".TrimEnd() + " (connection sync and flushing are not supported yet)"));
                        }
                    }

                    break;
                default:
                    // vrrp_instance, vrrp_script, static routes: keepalived keeps doing those beside LvsNet.
                    notes.Add(new ImportNote(node.Line, false, $"{node.Keyword} {string.Join(' ', node.Args)}".TrimEnd() + ": not LVS configuration; keep it in keepalived (VRRP can run beside lvsnetd)"));
                    break;
            }
        }

        return config with { VirtualServices = services.ToImmutable() };
    }

    // lvs_timeouts [tcp N] [tcpfin N] [udp N]: the ipvsadm --set timeouts.
    private static ConnectionTableConfig Timeouts(KeepalivedNode node, ConnectionTableConfig connections, List<ImportNote> notes)
    {
        for (var i = 0; i + 1 < node.Args.Count; i += 2)
        {
            if (!int.TryParse(node.Args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds is < 1 or > IpvsadmParser.MaxTimeoutSeconds)
            {
                notes.Add(new ImportNote(node.Line, false, $"lvs_timeouts {node.Args[i]} {node.Args[i + 1]}: not a number of seconds"));
                continue;
            }

            var value = TimeSpan.FromSeconds(seconds);
            switch (node.Args[i])
            {
                case "tcp":
                    connections = connections with { TcpTimeout = value };
                    break;
                case "tcpfin":
                    connections = connections with { TcpFinTimeout = value };
                    break;
                case "udp":
                    connections = connections with { UdpTimeout = value };
                    break;
                default:
                    notes.Add(new ImportNote(node.Line, false, $"lvs_timeouts {node.Args[i]}: unknown timeout"));
                    break;
            }
        }

        return connections;
    }

    private static VirtualServiceConfig? VirtualServer(KeepalivedNode node, List<ImportNote> notes)
    {
        var title = $"virtual_server {string.Join(' ', node.Args)}";
        if (node.Args.Count >= 1 && node.Args[0] is "fwmark" or "group")
        {
            notes.Add(new ImportNote(node.Line, false, $"{title}: {(node.Args[0] == "fwmark" ? "fwmark services" : "virtual_server groups")} are not supported yet"));
            return null;
        }

        if (node.Args.Count < 1 || !Ipv4Address.TryParse(node.Args[0], out var address))
        {
            notes.Add(new ImportNote(node.Line, false, $"{title}: only IPv4 address services are supported"));
            return null;
        }

        ushort port = 0;
        if (node.Args.Count >= 2 && !ushort.TryParse(node.Args[1], NumberStyles.None, CultureInfo.InvariantCulture, out port))
        {
            notes.Add(new ImportNote(node.Line, false, $"{title}: port '{node.Args[1]}' is not a number"));
            return null;
        }

        var protocol = IpProtocol.Udp;
        var scheduler = SchedulerNames.WeightedLeastConnection;
        var method = ForwardingMethod.Nat;
        TimeSpan? persistence = null;
        var netmask = uint.MaxValue;
        var ops = false;
        var flags = ImmutableArray.CreateBuilder<string>();
        var protocolGiven = false;
        var serverNodes = new List<KeepalivedNode>();
        var unmappedHealth = new List<string>();
        foreach (var child in node.Children ?? [])
        {
            var value = child.Args.Count > 0 ? child.Args[0] : null;
            switch (child.Keyword)
            {
                case "protocol":
                    protocolGiven = true;
                    switch (value?.ToUpperInvariant())
                    {
                        case "TCP":
                            protocol = IpProtocol.Tcp;
                            break;
                        case "UDP":
                            protocol = IpProtocol.Udp;
                            break;
                        default:
                            notes.Add(new ImportNote(child.Line, false, $"{title}: protocol {value} is not supported"));
                            return null;
                    }

                    break;
                case "lvs_sched" or "lb_algo":
                    scheduler = value?.ToLowerInvariant() ?? scheduler;
                    if (!SchedulerNames.IsKnown(scheduler))
                    {
                        notes.Add(new ImportNote(child.Line, true, $"{title}: scheduler '{scheduler}' is not available in LvsNet; kept, lvsnetd will refuse it"));
                    }

                    break;
                case "lvs_method" or "lb_kind":
                    if (!TryMethod(value, out method))
                    {
                        notes.Add(new ImportNote(child.Line, false, $"{title}: lvs_method {value} is not known"));
                        return null;
                    }

                    var tunnelOptions = string.Join(' ', child.Args.Skip(1));
                    if (tunnelOptions.Length > 0 && tunnelOptions != "type ipip")
                    {
                        notes.Add(new ImportNote(child.Line, false, $"{title}: tunnel options '{tunnelOptions}' (only IPIP tunnels are supported)"));
                    }

                    break;
                case "persistence_timeout":
                    if (value is null)
                    {
                        persistence = TimeSpan.FromSeconds(IpvsadmParser.DefaultPersistenceSeconds);
                    }
                    else if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds is >= 1 and <= IpvsadmParser.MaxTimeoutSeconds)
                    {
                        persistence = TimeSpan.FromSeconds(seconds);
                    }
                    else
                    {
                        notes.Add(new ImportNote(child.Line, false, $"{title}: persistence_timeout {value} is not a number of seconds between 1 and {IpvsadmParser.MaxTimeoutSeconds}"));
                    }

                    break;
                case "persistence_granularity":
                    if (!Ipv4Address.TryParse(value, out netmask))
                    {
                        netmask = uint.MaxValue;
                        notes.Add(new ImportNote(child.Line, false, $"{title}: persistence_granularity {value} is not an IPv4 netmask"));
                    }

                    break;
                case "ops":
                    ops = true;
                    break;
                case "sh-port" or "sh-fallback" or "mh-port" or "mh-fallback" or "flag-1" or "flag-2" or "flag-3":
                    flags.Add(child.Keyword);
                    break;
                case "persistence_engine":
                    notes.Add(new ImportNote(child.Line, false, $"{title}: persistence_engine {value} (persistence engines are not supported yet)"));
                    break;
                case "sorry_server" or "sorry_server_inhibit" or "sorry_server_lvs_method":
                    notes.Add(new ImportNote(child.Line, false, $"{title}: {child.Keyword} {string.Join(' ', child.Args)}".TrimEnd() + " (sorry servers need health checks, which LvsNet does not have yet)"));
                    break;
                case "real_server":
                    serverNodes.Add(child);
                    break;
                default:
                    if (HealthKeywords.Contains(child.Keyword))
                    {
                        unmappedHealth.Add(child.Keyword);
                    }
                    else
                    {
                        notes.Add(new ImportNote(child.Line, false, $"{title}: {child.Keyword} {string.Join(' ', child.Args)}".TrimEnd()));
                    }

                    break;
            }
        }

        if (unmappedHealth.Count > 0)
        {
            notes.Add(new ImportNote(node.Line, false, $"{title}: health-check settings {string.Join(", ", unmappedHealth)} (LvsNet has no health checks yet; every real server is used)"));
        }

        if (!protocolGiven)
        {
            notes.Add(new ImportNote(node.Line, true, $"{title}: no protocol given; keepalived's default UDP is used (add 'protocol TCP' if that is what you meant)"));
        }

        if (port == 0 && persistence is null)
        {
            persistence = TimeSpan.FromSeconds(IpvsadmParser.DefaultPersistenceSeconds);
            notes.Add(new ImportNote(node.Line, true, $"{title}: port 0 needs persistence; keepalived forces it on, so persistence_timeout 360 is used"));
        }

        var servers = ImmutableArray.CreateBuilder<RealServerConfig>();
        foreach (var server in serverNodes)
        {
            if (RealServer(server, title, port, method, notes) is { } config)
            {
                if (servers.Any(s => s.Address == config.Address && s.Port == config.Port))
                {
                    notes.Add(new ImportNote(server.Line, false, $"{title}: real_server {string.Join(' ', server.Args)} is listed twice"));
                    continue;
                }

                // keepalived adds real servers in file order; each lands at the head of the kernel's list.
                servers.Insert(0, config);
            }
        }

        return new VirtualServiceConfig
        {
            Protocol = protocol,
            Address = address,
            Port = port,
            Scheduler = scheduler,
            PersistenceTimeout = persistence,
            PersistenceNetmask = netmask,
            OnePacketScheduling = ops,
            SchedulerFlags = flags.ToImmutable(),
            RealServers = servers.ToImmutable(),
        };
    }

    private static RealServerConfig? RealServer(KeepalivedNode node, string title, ushort servicePort, ForwardingMethod method, List<ImportNote> notes)
    {
        var name = $"{title}: real_server {string.Join(' ', node.Args)}";
        if (node.Args.Count < 1 || !Ipv4Address.TryParse(node.Args[0], out var address))
        {
            notes.Add(new ImportNote(node.Line, false, $"{name}: only IPv4 real servers are supported"));
            return null;
        }

        var port = servicePort;
        if (node.Args.Count >= 2 && !ushort.TryParse(node.Args[1], NumberStyles.None, CultureInfo.InvariantCulture, out port))
        {
            notes.Add(new ImportNote(node.Line, false, $"{name}: port '{node.Args[1]}' is not a number"));
            return null;
        }

        var weight = 1;
        var upper = 0;
        var lower = 0;
        var checkers = new List<string>();
        var other = new List<string>();
        foreach (var child in node.Children ?? [])
        {
            var value = child.Args.Count > 0 ? child.Args[0] : null;
            switch (child.Keyword)
            {
                case "weight" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var w) && w <= 65535:
                    weight = w;
                    break;
                case "uthreshold" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var u):
                    upper = u;
                    break;
                case "lthreshold" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var l):
                    lower = l;
                    break;
                case "lvs_method" when TryMethod(value, out var own):
                    method = own;
                    break;
                default:
                    if (CheckerKeywords.Contains(child.Keyword))
                    {
                        checkers.Add(child.Keyword);
                    }
                    else
                    {
                        other.Add($"{child.Keyword} {string.Join(' ', child.Args)}".TrimEnd());
                    }

                    break;
            }
        }

        if (checkers.Count > 0)
        {
            notes.Add(new ImportNote(node.Line, false, $"{name}: checkers {string.Join(", ", checkers)} (LvsNet has no health checks yet; the server is always used)"));
        }

        foreach (var item in other)
        {
            notes.Add(new ImportNote(node.Line, false, $"{name}: {item}"));
        }

        if (method is ForwardingMethod.DirectRouting or ForwardingMethod.Tunnel && port != servicePort)
        {
            notes.Add(new ImportNote(node.Line, true, $"{name}: {ForwardingMethods.ToConfigName(method)} cannot change the port; the virtual port {servicePort} is used (as ipvsadm does)"));
            port = servicePort;
        }

        return new RealServerConfig { Address = address, Port = port, Weight = weight, Method = method, UpperThreshold = upper, LowerThreshold = lower };
    }

    private static bool TryMethod(string? value, out ForwardingMethod method)
    {
        method = value?.ToUpperInvariant() switch
        {
            "DR" => ForwardingMethod.DirectRouting,
            "NAT" => ForwardingMethod.Nat,
            "TUN" => ForwardingMethod.Tunnel,
            _ => (ForwardingMethod)255,
        };
        return method != (ForwardingMethod)255;
    }
}
