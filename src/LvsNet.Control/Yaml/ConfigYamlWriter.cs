using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using LvsNet.Core.Configuration;
using LvsNet.Core.Health;
using LvsNet.Core.Scheduling;
using LvsNet.Packets;

namespace LvsNet.Control.Yaml;

/// <summary>
/// Writes a configuration as the YAML that <see cref="LvsConfigReader"/> reads back to an equal
/// configuration (<c>lvsnetadm export-yaml</c>, <c>lvsnetd --write-config</c>, <c>lvsnetadm import</c>).
/// Sections and keys at their defaults are left out, except the ones an operator looks for
/// (protocol, scheduler, port, weight and method are always written).
/// </summary>
/// <remarks>Comments of the file the configuration came from are not kept.</remarks>
public static partial class ConfigYamlWriter
{
    /// <summary>The configuration as YAML.</summary>
    /// <param name="config">The configuration.</param>
    /// <param name="header">Comment lines written first (without the leading '#').</param>
    public static string Write(LvsConfig config, IEnumerable<string>? header = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var yaml = new StringBuilder();
        foreach (var line in header ?? [])
        {
            yaml.Append("# ").Append(line).Append('\n');
        }

        WriteDirector(yaml, config.Director);
        WriteCapture(yaml, config.Capture);
        WriteConnections(yaml, config.Connections);
        WriteFragments(yaml, config.Fragments);
        HighAvailabilityYamlWriter.Write(yaml, config.HighAvailability);
        AnnounceYamlWriter.Write(yaml, config.Announce);
        WriteFirewallMarks(yaml, config.FirewallMarks);
        WriteHttp(yaml, config.Http);
        if (config.VirtualServices.IsEmpty)
        {
            yaml.Append("virtual_services: []\n");
            return yaml.ToString();
        }

        yaml.Append("virtual_services:\n");
        foreach (var service in config.VirtualServices)
        {
            WriteService(yaml, service);
        }

        return yaml.ToString();
    }

    private static void WriteFirewallMarks(StringBuilder yaml, ImmutableArray<FirewallMarkRule> rules)
    {
        if (rules.IsDefaultOrEmpty)
        {
            return;
        }

        yaml.Append("firewall_marks:\n");
        foreach (var rule in rules)
        {
            yaml.Append("  - mark: ").Append(Number(rule.Mark)).Append('\n');
            if (rule.Protocol is { } protocol)
            {
                Key(yaml, 4, "protocol", protocol == IpProtocol.Udp ? ServiceProtocols.Udp : ServiceProtocols.Tcp);
            }

            Key(yaml, 4, "destinations", "[" + string.Join(", ", [.. rule.Destinations.Select(d => d.ToString()), .. rule.Destinations6.Select(d => Scalar(d.ToString()))]) + "]");
            if (!rule.Ports.IsDefaultOrEmpty)
            {
                Key(yaml, 4, "ports", "[" + string.Join(", ", rule.Ports) + "]");
            }
        }
    }

    private static void WriteDirector(StringBuilder yaml, DirectorConfig director)
    {
        yaml.Append("director:\n");
        Key(yaml, 2, "interface", Scalar(director.Interface));
        Key(yaml, 2, "address", string.Create(CultureInfo.InvariantCulture, $"{Ipv4Address.Format(director.Address)}/{director.PrefixLength}"));
        if (director.Gateway != 0)
        {
            Key(yaml, 2, "gateway", Ipv4Address.Format(director.Gateway));
        }

        if (director.GatewayMac is { } gatewayMac)
        {
            Key(yaml, 2, "gateway_mac", gatewayMac.ToString());
        }

        if (director.Address6 is { } address6)
        {
            Key(yaml, 2, "address6", string.Create(CultureInfo.InvariantCulture, $"{address6}/{director.PrefixLength6}"));
        }

        if (director.Gateway6 is { } gateway6)
        {
            Key(yaml, 2, "gateway6", gateway6.ToString());
        }

        if (!director.PrepareHost)
        {
            Key(yaml, 2, "prepare_host", "false");
        }

        if (director.Vlan != 0)
        {
            Key(yaml, 2, "vlan", Number(director.Vlan));
        }
    }

    private static void WriteHttp(StringBuilder yaml, HttpEndpointConfig? http)
    {
        if (http is null)
        {
            return;
        }

        yaml.Append("http:\n");
        if (http.Address != HttpEndpointConfig.Loopback)
        {
            Key(yaml, 2, "address", Ipv4Address.Format(http.Address));
        }

        Key(yaml, 2, "port", Number(http.Port));
        if (http.Username is { } username)
        {
            yaml.Append("  basic_auth:\n");
            Key(yaml, 4, "username", Scalar(username));
            Key(yaml, 4, "password_sha256", Scalar(http.PasswordSha256 ?? ""));
        }

        if (http.TlsCertificate is { } certificate)
        {
            yaml.Append("  tls:\n");
            Key(yaml, 4, "certificate", Scalar(certificate));
            Key(yaml, 4, "key", Scalar(http.TlsKey ?? ""));
        }

        if (http.AdminActions)
        {
            Key(yaml, 2, "admin_actions", "true");
        }
    }

    private static void WriteCapture(StringBuilder yaml, CaptureConfig capture)
    {
        var defaults = new CaptureConfig();
        var lines = new StringBuilder();
        if (capture.Backend != defaults.Backend)
        {
            Key(lines, 2, "backend", capture.Backend.ToString().ToLowerInvariant());
        }

        if (capture.Workers != defaults.Workers)
        {
            Key(lines, 2, "workers", Number(capture.Workers));
        }

        if (capture.BufferSizeBytes != defaults.BufferSizeBytes)
        {
            Key(lines, 2, "buffer_size_bytes", Number(capture.BufferSizeBytes));
        }

        if (capture.BatchSize != defaults.BatchSize)
        {
            Key(lines, 2, "batch_size", Number(capture.BatchSize));
        }

        if (capture.AfPacketRing != defaults.AfPacketRing)
        {
            Key(lines, 2, "afpacket_ring", Number(capture.AfPacketRing));
        }

        if (capture.BusyPoll != defaults.BusyPoll)
        {
            Key(lines, 2, "busy_poll_us", Number((long)capture.BusyPoll.TotalMicroseconds));
        }

        if (capture.SynQueueBytes != defaults.SynQueueBytes)
        {
            Key(lines, 2, "syn_queue_bytes", Number(capture.SynQueueBytes));
        }

        if (capture.CaptureTo is { } path)
        {
            Key(lines, 2, "capture_to", Scalar(path));
        }

        Section(yaml, "capture", lines);
    }

    private static void WriteConnections(StringBuilder yaml, ConnectionTableConfig connections)
    {
        var defaults = new ConnectionTableConfig();
        var lines = new StringBuilder();
        if (connections.MaxEntries != defaults.MaxEntries)
        {
            Key(lines, 2, "max_entries", Number(connections.MaxEntries));
        }

        if (connections.TcpTimeout != defaults.TcpTimeout)
        {
            Key(lines, 2, "tcp_timeout", DurationParser.Format(connections.TcpTimeout));
        }

        if (connections.TcpFinTimeout != defaults.TcpFinTimeout)
        {
            Key(lines, 2, "tcp_fin_timeout", DurationParser.Format(connections.TcpFinTimeout));
        }

        if (connections.UdpTimeout != defaults.UdpTimeout)
        {
            Key(lines, 2, "udp_timeout", DurationParser.Format(connections.UdpTimeout));
        }

        if (connections.ExpireNodestConnections != defaults.ExpireNodestConnections)
        {
            Key(lines, 2, "expire_nodest_conn", Boolean(connections.ExpireNodestConnections));
        }

        if (connections.ExpireQuiescentTemplates != defaults.ExpireQuiescentTemplates)
        {
            Key(lines, 2, "expire_quiescent_template", Boolean(connections.ExpireQuiescentTemplates));
        }

        if (connections.SloppyTcp != defaults.SloppyTcp)
        {
            Key(lines, 2, "sloppy_tcp", Boolean(connections.SloppyTcp));
        }

        // The flood defences (IPVS sysctl names, then the per-source limit), written when not at their defaults.
        foreach (var (key, value, standard) in new (string, int?, int?)[]
        {
            ("drop_entry", connections.DropEntry, defaults.DropEntry),
            ("drop_packet", connections.DropPacket, defaults.DropPacket),
            ("secure_tcp", connections.SecureTcp, defaults.SecureTcp),
            ("am_droprate", connections.AmDropRate, defaults.AmDropRate),
            ("amemthresh", connections.AmemThreshold, defaults.AmemThreshold),
            ("per_source_rate", connections.PerSourceRate, defaults.PerSourceRate),
            ("per_source_burst", connections.PerSourceBurst, defaults.PerSourceBurst),
            ("per_source_prefix", connections.PerSourcePrefix, defaults.PerSourcePrefix),
        })
        {
            if (value != standard && value is { } number)
            {
                Key(lines, 2, key, Number(number));
            }
        }

        Section(yaml, "connections", lines);
    }

    private static void WriteFragments(StringBuilder yaml, FragmentConfig fragments)
    {
        var defaults = new FragmentConfig();
        var lines = new StringBuilder();
        if (fragments.MemoryBytes != defaults.MemoryBytes)
        {
            Key(lines, 2, "memory_bytes", Number(fragments.MemoryBytes));
        }

        if (fragments.MaxDatagrams != defaults.MaxDatagrams)
        {
            Key(lines, 2, "max_datagrams", Number(fragments.MaxDatagrams));
        }

        if (fragments.Timeout != defaults.Timeout)
        {
            Key(lines, 2, "timeout", DurationParser.Format(fragments.Timeout));
        }

        Section(yaml, "fragments", lines);
    }

    private static void WriteService(StringBuilder yaml, VirtualServiceConfig service)
    {
        var first = true;
        void Item(string key, string? value)
        {
            yaml.Append(first ? "  - " : "    ").Append(key).Append(value is null ? ":\n" : ": " + value + "\n");
            first = false;
        }

        if (service.Name is { } name)
        {
            Item("name", Scalar(name));
        }

        if (service.FirewallMark != 0)
        {
            Item("fwmark", Number(service.FirewallMark));
            if (service.IsIpv6)
            {
                Item("family", ServiceFamilies.Inet6);
            }
        }
        else
        {
            Item("protocol", service.Protocol == IpProtocol.Udp ? ServiceProtocols.Udp : ServiceProtocols.Tcp);
            Item("address", service.IsIpv6 ? Scalar(service.AddressText) : service.AddressText);
            Item("port", Number(service.Port));
        }

        Item("scheduler", service.Scheduler);
        if (!service.SchedulerFlags.IsEmpty)
        {
            Item("scheduler_flags", "[" + string.Join(", ", service.SchedulerFlags) + "]");
        }

        if (service.PersistenceTimeout is { } persistence)
        {
            Item("persistence_timeout", DurationParser.Format(persistence));
        }

        if (service.PersistenceNetmask != uint.MaxValue)
        {
            Item("persistence_netmask", Ipv4Address.Format(service.PersistenceNetmask));
        }

        if (service.IsIpv6 && service.PersistencePrefixLength != 128)
        {
            Item("persistence_netmask", "/" + service.PersistencePrefixLength.ToString(CultureInfo.InvariantCulture));
        }

        if (service.OnePacketScheduling)
        {
            Item("one_packet_scheduling", "true");
        }

        if (!service.LocalAddresses.IsEmpty || !service.LocalAddresses6.IsEmpty)
        {
            Item("local_addresses", "[" + string.Join(", ", service.LocalAddresses.Select(Ipv4Address.Format).Concat(service.LocalAddresses6.Select(a => a.ToString()))) + "]");
        }

        if (service.Toa)
        {
            Item("toa", "true");
        }

        if (service.SynProxy)
        {
            Item("syn_proxy", "true");
        }

        if (service.MaglevTableSize is { } tableSize)
        {
            Item("mh_table_size", Number(tableSize));
        }

        if (service.LocalityExpiration is { } expiration)
        {
            Item(service.Scheduler == SchedulerNames.LocalityBasedLeastConnectionReplication ? "lblcr_expiration" : "lblc_expiration", DurationParser.Format(expiration));
        }

        if (service.DynamicWeights is { } dynamic)
        {
            Item("dynamic_weights", null);
            WriteDynamicWeights(yaml, dynamic);
        }

        if (service.AgentCheck is { } agent)
        {
            Item("agent_check", null);
            WriteAgentCheck(yaml, 6, agent);
        }

        // Health checks, quorum and sorry server: written by the health feature's own writer.
        HealthConfigYamlWriter.WriteService(yaml, service, 4);

        if (service.RealServers.IsEmpty)
        {
            Item("real_servers", "[]");
            return;
        }

        Item("real_servers", null);
        foreach (var server in service.RealServers)
        {
            yaml.Append("      - address: ").Append(server.IsIpv6 ? Scalar(server.AddressText) : server.AddressText).Append('\n');
            Key(yaml, 8, "port", Number(server.Port));
            Key(yaml, 8, "weight", Number(server.Weight));
            Key(yaml, 8, "method", ForwardingMethods.ToConfigName(server.Method));
            if (server.Mac is { } mac)
            {
                Key(yaml, 8, "mac", mac.ToString());
            }

            if (server.UpperThreshold != 0)
            {
                Key(yaml, 8, "upper_threshold", Number(server.UpperThreshold));
            }

            if (server.LowerThreshold != 0)
            {
                Key(yaml, 8, "lower_threshold", Number(server.LowerThreshold));
            }

            if (server.AgentCheck is { } serverAgent)
            {
                yaml.Append(' ', 8).Append("agent_check:\n");
                WriteAgentCheck(yaml, 10, serverAgent);
            }

            HealthConfigYamlWriter.WriteServer(yaml, server, 8);
        }
    }

    private static void WriteAgentCheck(StringBuilder yaml, int indent, AgentCheckConfig agent)
    {
        var empty = true;
        void Write(string key, string value)
        {
            Key(yaml, indent, key, value);
            empty = false;
        }

        if (agent.Enabled is { } enabled)
        {
            Write("enabled", Boolean(enabled));
        }

        if (agent.Port is { } port)
        {
            Write("port", Number(port));
        }

        if (agent.Interval is { } interval)
        {
            Write("interval", DurationParser.Format(interval));
        }

        if (agent.Timeout is { } timeout)
        {
            Write("timeout", DurationParser.Format(timeout));
        }

        if (agent.Send is { } send)
        {
            Write("send", Scalar(send));
        }

        if (empty)
        {
            // An empty mapping still turns the check on (every key inherited).
            yaml.Length--;
            yaml.Append(" {}\n");
        }
    }

    private static void WriteDynamicWeights(StringBuilder yaml, DynamicWeightsConfig dynamic)
    {
        Key(yaml, 6, "enabled", Boolean(dynamic.Enabled));
        Key(yaml, 6, "min_weight_percent", Number(dynamic.MinWeightPercent));
        Key(yaml, 6, "max_weight_percent", Number(dynamic.MaxWeightPercent));
        Key(yaml, 6, "interval", DurationParser.Format(dynamic.Interval));
        Key(yaml, 6, "smoothing", Real(dynamic.Smoothing));
        Key(yaml, 6, "gain", Real(dynamic.Gain));
        Key(yaml, 6, "max_step_percent", Number(dynamic.MaxStepPercent));
        Key(yaml, 6, "dead_band_percent", Number(dynamic.DeadBandPercent));
        Key(yaml, 6, "hold_intervals", Number(dynamic.HoldIntervals));
        Key(yaml, 6, "noise_band_factor", Real(dynamic.NoiseBandFactor));
        Key(yaml, 6, "flap_half_life", DurationParser.Format(dynamic.FlapHalfLife));
        Key(yaml, 6, "connection_coefficient", Real(dynamic.ConnectionCoefficient));
        Key(yaml, 6, "latency_coefficient", Real(dynamic.LatencyCoefficient));
        Key(yaml, 6, "failure_coefficient", Real(dynamic.FailureCoefficient));
        Key(yaml, 6, "handshake_coefficient", Real(dynamic.HandshakeCoefficient));
    }

    private static void Section(StringBuilder yaml, string name, StringBuilder lines)
    {
        if (lines.Length > 0)
        {
            yaml.Append(name).Append(":\n").Append(lines);
        }
    }

    private static void Key(StringBuilder yaml, int indent, string key, string value) =>
        yaml.Append(' ', indent).Append(key).Append(": ").Append(value).Append('\n');

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Real(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Boolean(bool value) => value ? "true" : "false";

    /// <summary>A string as a YAML scalar: plain when that reads back as the same string, else double-quoted.</summary>
    public static string Scalar(string value)
    {
        if (PlainScalar().IsMatch(value)
            && !value.Contains(": ", StringComparison.Ordinal)
            && !value.Contains(" #", StringComparison.Ordinal)
            && !value.EndsWith(':')
            && !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
            && value.ToLowerInvariant() is not ("true" or "false" or "yes" or "no" or "on" or "off" or "null" or "~" or "y" or "n"))
        {
            return value;
        }

        var quoted = new StringBuilder("\"");
        foreach (var c in value)
        {
            _ = c switch
            {
                '"' => quoted.Append("\\\""),
                '\\' => quoted.Append("\\\\"),
                '\n' => quoted.Append("\\n"),
                '\t' => quoted.Append("\\t"),
                < ' ' => quoted.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}"),
                _ => quoted.Append(c),
            };
        }

        return quoted.Append('"').ToString();
    }

    [GeneratedRegex(@"^[A-Za-z0-9_./][A-Za-z0-9 _./:@+=,-]*$")]
    private static partial Regex PlainScalar();
}
