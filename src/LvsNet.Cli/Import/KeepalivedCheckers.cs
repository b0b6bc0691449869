using LvsNet.Core.Configuration;
using LvsNet.Packets;
using static LvsNet.Cli.Import.KeepalivedValues;

namespace LvsNet.Cli.Import;

/// <summary>
/// The checker blocks of a keepalived <c>real_server</c> mapped onto LvsNet's checkers: TCP_CHECK,
/// HTTP_GET, SSL_GET, MISC_CHECK, DNS_CHECK, SMTP_CHECK, UDP_CHECK, PING_CHECK and FILE_CHECK
/// (<see cref="KeepalivedMoreCheckers"/>) with keepalived's common options (connect_ip,
/// connect_port, bindto, connect_timeout, retry, delay_before_retry, warmup, delay_loop, alpha).
/// Checkers LvsNet does not have (BFD_CHECK), and options it cannot honour, are errors.
/// </summary>
internal static class KeepalivedCheckers
{
    /// <summary>Checker blocks keepalived has and LvsNet does not.</summary>
    private static readonly Dictionary<string, string> Missing = new(StringComparer.Ordinal)
    {
        ["BFD_CHECK"] = "LvsNet has no BFD",
    };

    /// <summary>True when <paramref name="keyword"/> names a keepalived checker block.</summary>
    public static bool IsChecker(string keyword) =>
        keyword is "TCP_CHECK" or "HTTP_GET" or "SSL_GET" or "MISC_CHECK" or "DNS_CHECK" or "SMTP_CHECK" or "UDP_CHECK" or "PING_CHECK" or "FILE_CHECK"
        || Missing.ContainsKey(keyword);

    /// <summary>The LvsNet checkers of one keepalived checker block (an HTTP_GET with several urls gives one per url); empty on error.</summary>
    public static IReadOnlyList<CheckerConfig> Read(KeepalivedNode node, KeepalivedCheckerContext context, ImportNotes notes)
    {
        var title = $"{context.Title}: {node.Keyword}";
        if (Missing.TryGetValue(node.Keyword, out var reason))
        {
            notes.Error(node.Line, $"{context.Title}: {node.Keyword}: {reason}; the real server would be used without this check");
            return [];
        }

        if (node.Keyword == "FILE_CHECK")
        {
            // FILE_CHECK has none of the common options (keepalived.conf(5)).
            return KeepalivedMoreCheckers.File(node, title, context, notes);
        }

        var common = new CommonOptions();
        var ok = true;
        var connection = node.Keyword != "MISC_CHECK";
        var specific = new List<KeepalivedNode>();
        foreach (var child in node.Children ?? [])
        {
            switch (ReadCommon(child, title, connection, context, common, notes))
            {
                case Outcome.Read:
                    break;
                case Outcome.Failed:
                    ok = false;
                    break;
                default:
                    specific.Add(child);
                    break;
            }
        }

        List<CheckerConfig> checkers = node.Keyword switch
        {
            "TCP_CHECK" => Tcp(specific, title, notes),
            "HTTP_GET" or "SSL_GET" => KeepalivedHttpChecker.Read(node, specific, title, context, common, notes),
            "MISC_CHECK" => Misc(node, specific, title, context, common, notes),
            "SMTP_CHECK" => KeepalivedMoreCheckers.Smtp(specific, title, notes),
            "UDP_CHECK" => KeepalivedMoreCheckers.Udp(node, specific, title, notes),
            "PING_CHECK" => KeepalivedMoreCheckers.Ping(specific, title, notes),
            _ => Dns(specific, title, notes),
        };
        if (!ok || checkers.Count == 0)
        {
            return [];
        }

        return checkers.Select(c => c with { Parameters = common.Parameters, ConnectAddress = common.Address, ConnectPort = common.Port }).ToList();
    }

    private enum Outcome
    {
        Read,
        Failed,
        NotCommon,
    }

    // Options every checker has (check_api.c); connect_* and bind* only for checkers that connect.
    private static Outcome ReadCommon(KeepalivedNode child, string title, bool connection, KeepalivedCheckerContext context, CommonOptions common, ImportNotes notes)
    {
        TimeSpan timer;
        switch (child.Keyword)
        {
            case "connect_ip" when connection:
                if (IsIpv6(child.Value))
                {
                    notes.Unmapped(title, child, "LvsNet's connect_ip takes an IPv4 address (an IPv6 real server is probed at its own address without it)");
                    return Outcome.Failed;
                }

                if (!Ipv4Address.TryParse(child.Value, out var address))
                {
                    notes.Unmapped(title, child, "not an IPv4 address");
                    return Outcome.Failed;
                }

                common.Address = address;
                return Outcome.Read;
            case "connect_port" when connection:
                if (!TryNumber(child, title, notes, 1, 65535, out var port))
                {
                    return Outcome.Failed;
                }

                common.Port = (ushort)port;
                return Outcome.Read;
            case "bindto" when connection:
                if (Ipv4Address.TryParse(child.Value, out var bind) && bind == context.Director.Address)
                {
                    // lvsnetd's probes leave from the director's address already.
                    return Outcome.Read;
                }

                notes.Unmapped(title, child, $"LvsNet's probes leave from the director's address {Ipv4Address.Format(context.Director.Address)}; another source address cannot be chosen");
                return Outcome.Failed;
            case "bind_port" or "bind_if" or "fwmark" when connection:
                notes.Unmapped(title, child, child.Keyword == "fwmark" ? "LvsNet cannot mark its probes (SO_MARK)" : "LvsNet cannot choose the probes' source port or interface");
                return Outcome.Failed;
            case "connect_timeout" when connection:
                if (!TryTimer(child, title, notes, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1), out timer))
                {
                    return Outcome.Failed;
                }

                common.Parameters = common.Parameters with { ConnectTimeout = timer };
                return Outcome.Read;
            case "retry" or "nb_get_retry" when child.Keyword == "retry" || title.EndsWith("HTTP_GET", StringComparison.Ordinal) || title.EndsWith("SSL_GET", StringComparison.Ordinal):
                if (!TryNumber(child, title, notes, 0, 1000, out var retry))
                {
                    return Outcome.Failed;
                }

                common.Parameters = common.Parameters with { Retry = retry };
                return Outcome.Read;
            case "delay_before_retry":
                if (!TryTimer(child, title, notes, TimeSpan.FromMilliseconds(10), TimeSpan.FromDays(1), out timer))
                {
                    return Outcome.Failed;
                }

                common.Parameters = common.Parameters with { DelayBeforeRetry = timer };
                return Outcome.Read;
            case "warmup":
                if (!TryTimer(child, title, notes, TimeSpan.Zero, TimeSpan.FromDays(1), out timer))
                {
                    return Outcome.Failed;
                }

                common.Parameters = common.Parameters with { Warmup = timer };
                return Outcome.Read;
            case "delay_loop":
                if (!TryTimer(child, title, notes, TimeSpan.FromMilliseconds(100), TimeSpan.FromDays(1), out timer))
                {
                    return Outcome.Failed;
                }

                common.DelayLoop = timer;
                common.Parameters = common.Parameters with { DelayLoop = timer };
                return Outcome.Read;
            case "alpha":
                if (!TryFlag(child, title, notes, out var alpha))
                {
                    return Outcome.Failed;
                }

                common.Parameters = common.Parameters with { Alpha = alpha };
                return Outcome.Read;
            case "log_all_failures":
                notes.Adjusted(child.Line, $"{title}: {child.Text}: ignored (lvsnetd logs every state change of a checker, not each failed attempt)");
                return Outcome.Read;
            default:
                return Outcome.NotCommon;
        }
    }

    private static List<CheckerConfig> Tcp(List<KeepalivedNode> specific, string title, ImportNotes notes)
    {
        foreach (var child in specific)
        {
            notes.Unmapped(title, child, "unknown TCP_CHECK keyword");
        }

        return specific.Count == 0 ? [new TcpCheckConfig()] : [];
    }

    private static List<CheckerConfig> Misc(KeepalivedNode node, List<KeepalivedNode> specific, string title, KeepalivedCheckerContext context, CommonOptions common, ImportNotes notes)
    {
        string? command = null;
        TimeSpan? timeout = null;
        var dynamic = false;
        var ok = true;
        foreach (var child in specific)
        {
            switch (child.Keyword)
            {
                case "misc_path":
                    command = Command(child, title, notes);
                    ok &= command is not null;
                    break;
                case "misc_timeout":
                    if (TryNumber(child, title, notes, 0, uint.MaxValue / 1000000, out var seconds))
                    {
                        // misc_timeout 0 means "not set" in keepalived.
                        timeout = seconds == 0 ? null : TimeSpan.FromSeconds(seconds);
                        if (timeout > TimeSpan.FromDays(1))
                        {
                            notes.Unmapped(title, child, "LvsNet accepts at most 1d");
                            ok = false;
                        }
                    }
                    else
                    {
                        ok = false;
                    }

                    break;
                case "misc_dynamic":
                    dynamic = true;
                    break;
                case "user":
                    notes.Unmapped(title, child, "LvsNet runs checker commands as lvsnetd's own user; another user cannot be chosen");
                    ok = false;
                    break;
                default:
                    notes.Unmapped(title, child, "unknown MISC_CHECK keyword");
                    ok = false;
                    break;
            }
        }

        if (command is null)
        {
            if (ok)
            {
                notes.Error(node.Line, $"{title}: no misc_path (keepalived skips such a checker too)");
            }

            return [];
        }

        // keepalived's default timeout is the virtual server's delay_loop; LvsNet's is the checker's own.
        var checkerDelay = common.DelayLoop ?? context.ServerDelayLoop ?? context.ServiceDelayLoop;
        if (timeout is null && checkerDelay != context.ServiceDelayLoop)
        {
            timeout = context.ServiceDelayLoop;
        }

        return ok ? [new MiscCheckConfig { Command = command, Timeout = timeout, Dynamic = dynamic }] : [];
    }

    private static List<CheckerConfig> Dns(List<KeepalivedNode> specific, string title, ImportNotes notes)
    {
        var config = new DnsCheckConfig();
        var ok = true;
        foreach (var child in specific)
        {
            switch (child.Keyword)
            {
                case "type" when child.Value is { } type && DnsCheckConfig.QueryTypes.ContainsKey(type) && !string.Equals(type, "PTR", StringComparison.OrdinalIgnoreCase):
                    config = config with { QueryType = type.ToUpperInvariant() };
                    break;
                case "type":
                    notes.Unmapped(title, child, $"LvsNet's DNS checker sends {string.Join(", ", DnsCheckConfig.QueryTypes.Keys.Where(k => k != "PTR"))} queries");
                    ok = false;
                    break;
                case "name" when child.Value is { } name:
                    config = config with { Name = name };
                    break;
                default:
                    notes.Unmapped(title, child, "unknown DNS_CHECK keyword");
                    ok = false;
                    break;
            }
        }

        return ok ? [config] : [];
    }

    /// <summary>The common options of one checker block as read so far.</summary>
    internal sealed class CommonOptions
    {
        /// <summary>Timers and thresholds set on the checker.</summary>
        public HealthCheckParameters Parameters { get; set; } = HealthCheckParameters.Empty;

        /// <summary>connect_ip.</summary>
        public uint? Address { get; set; }

        /// <summary>connect_port.</summary>
        public ushort? Port { get; set; }

        /// <summary>The checker's own delay_loop.</summary>
        public TimeSpan? DelayLoop { get; set; }
    }
}
