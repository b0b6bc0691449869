using System.Collections.Immutable;
using System.Globalization;
using LvsNet.Cli.Ipvsadm;
using LvsNet.Core.Configuration;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;

namespace LvsNet.Cli.Import;

/// <summary>
/// Imports the LVS part of a keepalived.conf: <c>virtual_server</c> (by address, or by
/// <c>group</c> over a <c>virtual_server_group</c>) with its real servers, checkers, quorum and
/// sorry server, and the LVS settings of <c>global_defs</c>. VRRP and the other non-LVS blocks are
/// listed as staying in keepalived; LVS constructs LvsNet cannot express are errors with their line.
/// </summary>
internal static class KeepalivedImporter
{
    // Top-level blocks that are not LVS configuration: keepalived keeps running them beside lvsnetd.
    private static readonly HashSet<string> NotLvs = new(StringComparer.Ordinal)
    {
        "vrrp_instance", "vrrp_sync_group", "vrrp_script", "vrrp_track_process", "vrrp_track_file", "track_file",
        "static_ipaddress", "static_routes", "static_rules", "linkbeat_interfaces", "bfd_instance", "net_namespace",
        "net_namespace_ipvs", "instance", "use_pid_dir", "garp_group", "track_process",
    };

    /// <summary>Imports <paramref name="text"/> into <paramref name="config"/>.</summary>
    public static LvsConfig Import(string text, LvsConfig config, ImportNotes notes)
    {
        var nodes = KeepalivedReader.Read(text);
        var groups = new Dictionary<string, KeepalivedGroup>(StringComparer.Ordinal);
        foreach (var node in nodes.Where(n => n.Keyword == "virtual_server_group"))
        {
            var group = KeepalivedGroup.Read(node, notes);
            if (!groups.TryAdd(group.Name, group))
            {
                notes.Error(node.Line, $"virtual_server_group {group.Name}: defined twice");
            }
        }

        // FILE_CHECK names a global track_file block (VRRP can use the same blocks).
        var trackFiles = new Dictionary<string, KeepalivedNode>(StringComparer.Ordinal);
        foreach (var node in nodes.Where(n => n.Keyword is "track_file" or "vrrp_track_file" && n.Value is not null && n.Children is not null))
        {
            trackFiles.TryAdd(node.Value!, node);
        }

        var services = ImmutableArray.CreateBuilder<VirtualServiceConfig>();
        var origins = new List<int>();
        foreach (var node in nodes)
        {
            switch (node.Keyword)
            {
                case "virtual_server":
                    foreach (var service in VirtualServer(node, groups, config.Director, trackFiles, notes))
                    {
                        var earlier = services.ToList().FindIndex(s => s.Protocol == service.Protocol && s.Address == service.Address && s.Address6 == service.Address6 && s.Port == service.Port && s.FirewallMark == service.FirewallMark);
                        if (earlier >= 0)
                        {
                            var what = service.FirewallMark != 0 ? $"fwmark {service.FirewallMark}" : service.EndpointText;
                            notes.Error(node.Line, $"virtual_server {node.Rest}: {what} duplicates the virtual_server of line {origins[earlier]}");
                            continue;
                        }

                        if (service.FirewallMark != 0)
                        {
                            notes.FirewallMarkLines.TryAdd(service.FirewallMark, node.Line);
                        }

                        services.Add(service);
                        origins.Add(node.Line);
                    }

                    break;
                case "virtual_server_group":
                    break;
                case "global_defs":
                    config = GlobalDefs(node, config, notes);
                    break;
                case "include":
                    notes.Error(node.Line, $"{node.Text}: included files are not read; import them separately");
                    break;
                case "SSL":
                    notes.Error(node.Line, "SSL: LvsNet's SSL_GET presents no client certificate and checks no server certificate (as keepalived without this block)");
                    break;
                case "track_file" or "vrrp_track_file" when node.Value is { } name && FileChecksName(nodes, name):
                    notes.NotLvs(node.Line, $"{node.Text}: read for the FILE_CHECKs that name it; its use by VRRP stays in keepalived");
                    break;
                default:
                    if (NotLvs.Contains(node.Keyword))
                    {
                        notes.NotLvs(node.Line, $"{node.Text}: not LVS configuration (VRRP can run beside lvsnetd)");
                    }
                    else
                    {
                        notes.Error(node.Line, $"{node.Text}: unknown keyword");
                    }

                    break;
            }
        }

        return config with { VirtualServices = services.ToImmutable() };
    }

    private static List<VirtualServiceConfig> VirtualServer(KeepalivedNode node, Dictionary<string, KeepalivedGroup> groups, DirectorConfig director, Dictionary<string, KeepalivedNode> trackFiles, ImportNotes notes)
    {
        List<(uint, ushort, uint, Ipv6Address?)> endpoints;
        if (node.Value == "group")
        {
            var name = node.Args.Count > 1 ? node.Args[1] : "";
            if (!groups.TryGetValue(name, out var group))
            {
                notes.Error(node.Line, $"virtual_server {node.Rest}: no virtual_server_group {name}");
                return [];
            }

            endpoints = group.Endpoints.Select(e => (e.Address, e.Port, e.Mark, (Ipv6Address?)null)).ToList();
            if (endpoints.Count == 0)
            {
                notes.Error(node.Line, $"virtual_server {node.Rest}: the group has no address LvsNet can serve");
                return [];
            }
        }
        else if (KeepalivedVirtualServer.Endpoint(node, notes) is { } endpoint)
        {
            endpoints = [endpoint];
        }
        else
        {
            return [];
        }

        return KeepalivedVirtualServer.Read(node, director, notes, trackFiles) is { } vs ? KeepalivedServiceBuilder.Build(vs, endpoints, notes) : [];
    }

    // True when some real server's FILE_CHECK names the track_file "name".
    private static bool FileChecksName(IReadOnlyList<KeepalivedNode> nodes, string name)
    {
        return nodes.Any(Names);

        bool Names(KeepalivedNode node) =>
            (node.Keyword == "FILE_CHECK" && node.Child("track_file")?.Value == name)
            || (node.Keyword != "track_file" && node.Children is { } children && children.Any(Names));
    }

    private static LvsConfig GlobalDefs(KeepalivedNode node, LvsConfig config, ImportNotes notes)
    {
        foreach (var child in node.Children ?? [])
        {
            switch (child.Keyword)
            {
                case "lvs_timeouts":
                    config = config with { Connections = Timeouts(child, config.Connections, notes) };
                    break;
                case "lvs_sync_daemon":
                    config = KeepalivedSyncDaemon.Apply(child, config, notes);
                    break;
                case "lvs_flush":
                    notes.Adjusted(child.Line, "global_defs lvs_flush: lvsnetd's table starts empty at every start, as after the flush");
                    break;
                case "lvs_flush_onstop" or "lvs_flush_on_stop":
                    notes.Adjusted(child.Line, $"global_defs {child.Text}: lvsnetd's table goes away when it stops");
                    break;
                case "checker_log_all_failures":
                    notes.Adjusted(child.Line, $"global_defs {child.Text}: ignored (lvsnetd logs every state change of a checker)");
                    break;
                default:
                    if (child.Keyword.StartsWith("lvs_", StringComparison.Ordinal) || child.Keyword.StartsWith("checker_", StringComparison.Ordinal))
                    {
                        notes.Unmapped("global_defs", child, "not supported by LvsNet");
                    }

                    // Everything else in global_defs (router_id, notification_email, vrrp_*, ...) concerns keepalived itself.
                    break;
            }
        }

        return config;
    }

    // lvs_timeouts [tcp N] [tcpfin N] [udp N]: the ipvsadm --set timeouts.
    private static ConnectionTableConfig Timeouts(KeepalivedNode node, ConnectionTableConfig connections, ImportNotes notes)
    {
        for (var i = 0; i < node.Args.Count; i += 2)
        {
            var value = i + 1 < node.Args.Count ? node.Args[i + 1] : null;
            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds is < 1 or > IpvsadmParser.MaxTimeoutSeconds)
            {
                notes.Error(node.Line, $"global_defs lvs_timeouts {node.Args[i]} {value}: not a number of seconds");
                continue;
            }

            var timeout = TimeSpan.FromSeconds(seconds);
            switch (node.Args[i])
            {
                case "tcp":
                    connections = connections with { TcpTimeout = timeout };
                    break;
                case "tcpfin":
                    connections = connections with { TcpFinTimeout = timeout };
                    break;
                case "udp":
                    connections = connections with { UdpTimeout = timeout };
                    break;
                default:
                    notes.Error(node.Line, $"global_defs lvs_timeouts {node.Args[i]}: unknown timeout");
                    break;
            }
        }

        return connections;
    }
}
