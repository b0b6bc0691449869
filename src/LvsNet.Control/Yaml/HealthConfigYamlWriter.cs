using System.Globalization;
using System.Text;
using LvsNet.Core.Configuration;
using LvsNet.Core.Health;
using LvsNet.Packets;

namespace LvsNet.Control.Yaml;

/// <summary>
/// Writes the health part of a service or real server as YAML that <see cref="LvsConfigReader"/>
/// reads back to equal records (for <c>ConfigYamlWriter</c>: export-yaml, --write-config, import).
/// Values at their defaults are left out.
/// </summary>
public static class HealthConfigYamlWriter
{
    /// <summary>Writes <c>health_check</c>, <c>quorum</c>, <c>hysteresis</c>, <c>quorum_up</c>, <c>quorum_down</c> and <c>sorry_server</c> of a service, each key at <paramref name="indent"/> spaces.</summary>
    public static void WriteService(StringBuilder yaml, VirtualServiceConfig service, int indent)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(service);
        if (service.HealthCheck is { } health)
        {
            Key(yaml, indent, "health_check", null);
            WriteParameters(yaml, indent + 2, health.Parameters);
            if (health.InhibitOnFailure)
            {
                Key(yaml, indent + 2, "inhibit_on_failure", "true");
            }

            Command(yaml, indent + 2, "notify_up", health.NotifyUp);
            Command(yaml, indent + 2, "notify_down", health.NotifyDown);
            if (health.Omega)
            {
                Key(yaml, indent + 2, "omega", "true");
            }

            if (health.HaSuspend)
            {
                Key(yaml, indent + 2, "ha_suspend", "true");
            }

            WriteCheckers(yaml, indent + 2, health.Checks);
        }

        if (service.Quorum is { } quorum)
        {
            if (quorum.Quorum != QuorumConfig.Default.Quorum)
            {
                Key(yaml, indent, "quorum", Number(quorum.Quorum));
            }

            if (quorum.Hysteresis != QuorumConfig.Default.Hysteresis)
            {
                Key(yaml, indent, "hysteresis", Number(quorum.Hysteresis));
            }

            Command(yaml, indent, "quorum_up", quorum.UpCommand);
            Command(yaml, indent, "quorum_down", quorum.DownCommand);
            if (quorum.SorryServer is { } sorry)
            {
                Key(yaml, indent, "sorry_server", null);
                Key(yaml, indent + 2, "address", sorry.Address6 is { } sorry6 ? ConfigYamlWriter.Scalar(sorry6.ToString()) : Ipv4Address.Format(sorry.Address));
                Key(yaml, indent + 2, "port", Number(sorry.Port));
                Key(yaml, indent + 2, "method", ForwardingMethods.ToConfigName(sorry.Method));
                if (sorry.Weight != 1)
                {
                    Key(yaml, indent + 2, "weight", Number(sorry.Weight));
                }

                if (sorry.Inhibit)
                {
                    Key(yaml, indent + 2, "inhibit", "true");
                }
            }
            else if (quorum == QuorumConfig.Default)
            {
                // Explicit defaults still mark the service as quorum-tracked.
                Key(yaml, indent, "quorum", Number(quorum.Quorum));
            }
        }
    }

    /// <summary>Writes a real server's <c>health_check</c> (nothing when it has none), each key at <paramref name="indent"/> spaces.</summary>
    public static void WriteServer(StringBuilder yaml, RealServerConfig server, int indent)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(server);
        if (server.HealthCheck is not { } health)
        {
            return;
        }

        Key(yaml, indent, "health_check", null);
        var before = yaml.Length;
        if (!health.Enabled)
        {
            Key(yaml, indent + 2, "enabled", "false");
        }

        WriteParameters(yaml, indent + 2, health.Parameters);
        if (health.InhibitOnFailure is { } inhibit)
        {
            Key(yaml, indent + 2, "inhibit_on_failure", inhibit ? "true" : "false");
        }

        Command(yaml, indent + 2, "notify_up", health.NotifyUp);
        Command(yaml, indent + 2, "notify_down", health.NotifyDown);
        if (!health.Checks.IsDefaultOrEmpty)
        {
            WriteCheckers(yaml, indent + 2, health.Checks);
        }

        if (yaml.Length == before)
        {
            // An empty mapping still reads back as "inherit everything".
            yaml.Length -= 1;
            yaml.Append(" {}\n");
        }
    }

    private static void WriteCheckers(StringBuilder yaml, int indent, System.Collections.Immutable.ImmutableArray<CheckerConfig> checks)
    {
        if (checks.IsDefaultOrEmpty)
        {
            Key(yaml, indent, "checks", "[]");
            return;
        }

        Key(yaml, indent, "checks", null);
        foreach (var check in checks)
        {
            yaml.Append(' ', indent + 2).Append("- type: ").Append(check.Kind).Append('\n');
            var inner = indent + 4;
            WriteParameters(yaml, inner, check.Parameters);
            if (check.ConnectAddress is { } address)
            {
                Key(yaml, inner, "connect_ip", Ipv4Address.Format(address));
            }

            if (check.ConnectPort is { } port)
            {
                Key(yaml, inner, "connect_port", Number(port));
            }

            if (check.ViaVirtualAddress)
            {
                Key(yaml, inner, "via_vip", "true");
            }

            switch (check)
            {
                case HttpGetCheckConfig http:
                    WriteHttp(yaml, inner, http);
                    break;
                case MiscCheckConfig misc:
                    Key(yaml, inner, "command", Scalar(misc.Command));
                    if (misc.Timeout is { } timeout)
                    {
                        Key(yaml, inner, "timeout", DurationParser.Format(timeout));
                    }

                    if (misc.Dynamic)
                    {
                        Key(yaml, inner, "dynamic", "true");
                    }

                    if (misc.Feedback)
                    {
                        Key(yaml, inner, "feedback", "true");
                    }

                    break;
                case DnsCheckConfig dns:
                    Key(yaml, inner, "query_type", dns.QueryType);
                    Key(yaml, inner, "name", Scalar(dns.Name));
                    break;
                case SmtpCheckConfig smtp:
                    WriteSmtp(yaml, inner, smtp);
                    break;
                case UdpCheckConfig udp:
                    WriteUdp(yaml, inner, udp);
                    break;
                case FileCheckConfig file:
                    Key(yaml, inner, "path", Scalar(file.Path));
                    if (file.Weight != 0)
                    {
                        Key(yaml, inner, "weight", Number(file.Weight));
                    }

                    if (file.Reverse)
                    {
                        Key(yaml, inner, "reverse", "true");
                    }

                    break;
            }
        }
    }

    private static void WriteSmtp(StringBuilder yaml, int indent, SmtpCheckConfig smtp)
    {
        if (smtp.HeloName != SmtpCheckConfig.DefaultHeloName)
        {
            Key(yaml, indent, "helo_name", Scalar(smtp.HeloName));
        }

        if (smtp.Hosts.IsDefaultOrEmpty)
        {
            return;
        }

        Key(yaml, indent, "hosts", null);
        foreach (var host in smtp.Hosts)
        {
            if (host.Address is null && host.Port is null)
            {
                yaml.Append(' ', indent + 2).Append("- {}\n");
                continue;
            }

            var first = true;
            if (host.Address is { } address)
            {
                yaml.Append(' ', indent + 2).Append("- connect_ip: ").Append(Ipv4Address.Format(address)).Append('\n');
                first = false;
            }

            if (host.Port is { } port)
            {
                yaml.Append(' ', indent + 2).Append(first ? "- " : "  ").Append("connect_port: ").Append(Number(port)).Append('\n');
            }
        }
    }

    private static void WriteUdp(StringBuilder yaml, int indent, UdpCheckConfig udp)
    {
        if (!udp.Payload.IsDefaultOrEmpty)
        {
            Key(yaml, indent, "payload", Scalar(Convert.ToHexStringLower(udp.Payload.AsSpan())));
        }

        // require_reply is always written: a reply alone would imply it, but false must survive too.
        Key(yaml, indent, "require_reply", udp.RequireReply ? "true" : "false");
        if (!udp.Reply.IsDefaultOrEmpty)
        {
            Key(yaml, indent, "reply", Scalar(Convert.ToHexStringLower(udp.Reply.AsSpan())));
        }

        if (udp.MinReplyLength != 0)
        {
            Key(yaml, indent, "min_reply_length", Number(udp.MinReplyLength));
        }

        if (udp.MaxReplyLength != UdpCheckConfig.DefaultMaxReplyLength)
        {
            Key(yaml, indent, "max_reply_length", Number(udp.MaxReplyLength));
        }
    }

    private static void WriteHttp(StringBuilder yaml, int indent, HttpGetCheckConfig http)
    {
        var defaults = new HttpGetCheckConfig();
        Key(yaml, indent, "path", Scalar(http.Path));
        if (!http.StatusCodes.IsDefaultOrEmpty)
        {
            Key(yaml, indent, "status_codes", "[" + string.Join(", ", http.StatusCodes.Select(r => Scalar(r.ToString()))) + "]");
        }

        if (http.Digest is { } digest)
        {
            Key(yaml, indent, "digest", digest);
        }

        if (http.BodyContains is { } text)
        {
            Key(yaml, indent, "body_contains", Scalar(text));
        }

        if (http.Regex is { } regex)
        {
            Key(yaml, indent, "regex", Scalar(regex));
        }

        if (http.RegexNoMatch)
        {
            Key(yaml, indent, "regex_no_match", "true");
        }

        if (http.RegexMaxOffset is { } offset)
        {
            Key(yaml, indent, "regex_max_offset", Number(offset));
        }

        if (http.VirtualHost is { } host)
        {
            Key(yaml, indent, "virtualhost", Scalar(host));
        }

        if (http.HttpVersion != defaults.HttpVersion)
        {
            Key(yaml, indent, "http_version", Scalar(http.HttpVersion));
        }

        if (http.SniName is { } sni)
        {
            Key(yaml, indent, "sni_name", Scalar(sni));
        }

        if (http.MaxBodyBytes != defaults.MaxBodyBytes)
        {
            Key(yaml, indent, "max_body_bytes", Number(http.MaxBodyBytes));
        }
    }

    private static void WriteParameters(StringBuilder yaml, int indent, HealthCheckParameters parameters)
    {
        Duration(yaml, indent, "delay_loop", parameters.DelayLoop);
        Duration(yaml, indent, "connect_timeout", parameters.ConnectTimeout);
        if (parameters.Retry is { } retry)
        {
            Key(yaml, indent, "retry", Number(retry));
        }

        Duration(yaml, indent, "delay_before_retry", parameters.DelayBeforeRetry);
        if (parameters.Rise is { } rise)
        {
            Key(yaml, indent, "rise", Number(rise));
        }

        Duration(yaml, indent, "warmup", parameters.Warmup);
        if (parameters.Alpha is { } alpha)
        {
            Key(yaml, indent, "alpha", alpha ? "true" : "false");
        }
    }

    private static void Duration(StringBuilder yaml, int indent, string key, TimeSpan? value)
    {
        if (value is { } duration)
        {
            Key(yaml, indent, key, DurationParser.Format(duration));
        }
    }

    private static void Command(StringBuilder yaml, int indent, string key, string? command)
    {
        if (command is not null)
        {
            Key(yaml, indent, key, Scalar(command));
        }
    }

    private static void Key(StringBuilder yaml, int indent, string key, string? value) =>
        yaml.Append(' ', indent).Append(key).Append(value is null ? ":\n" : ": " + value + "\n");

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    // Double-quoted YAML scalar: always safe for paths, commands and texts.
    private static string Scalar(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
