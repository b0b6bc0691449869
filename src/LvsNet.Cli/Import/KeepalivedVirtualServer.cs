using System.Globalization;
using LvsNet.Cli.Ipvsadm;
using LvsNet.Core.Configuration;
using LvsNet.Core.Scheduling;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;
using static LvsNet.Cli.Import.KeepalivedValues;

namespace LvsNet.Cli.Import;

/// <summary>
/// Reads the virtual-server-level statements of a keepalived <c>virtual_server</c> block (check_parser.c)
/// into <see cref="KeepalivedVirtualServerSettings"/>, then its real servers, which inherit what
/// keepalived lets them inherit (lvs_method, weight, timers, alpha, inhibit_on_failure, virtualhost).
/// </summary>
internal static class KeepalivedVirtualServer
{
    private const string NotImported = "; the virtual_server is not imported";

    private static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Reads the block; null when it has no real server (keepalived ignores such a virtual server).</summary>
    public static KeepalivedVirtualServerSettings? Read(KeepalivedNode node, DirectorConfig director, ImportNotes notes, IReadOnlyDictionary<string, KeepalivedNode>? trackFiles = null)
    {
        var vs = new KeepalivedVirtualServerSettings { Title = $"virtual_server {node.Rest}", Line = node.Line };
        var title = vs.Title;
        var serverNodes = new List<(KeepalivedNode Node, ForwardingMethod? Method)>();
        foreach (var child in node.Children ?? [])
        {
            ReadStatement(child, vs, serverNodes, notes);
        }

        if (vs.Refused)
        {
            return null;
        }

        var context = new KeepalivedCheckerContext(title, director, vs.VirtualHost, null, vs.DelayLoop, null, trackFiles);
        foreach (var (serverNode, method) in serverNodes)
        {
            if (KeepalivedRealServer.Read(serverNode, title, method, context, notes) is { } server)
            {
                vs.Servers.Add(server);
            }
        }

        if (vs.Servers.Count == 0)
        {
            notes.Adjusted(node.Line, $"{title}: no real server (keepalived ignores such a virtual server); not imported");
            return null;
        }

        return vs;
    }

    private static void ReadStatement(KeepalivedNode child, KeepalivedVirtualServerSettings vs, List<(KeepalivedNode, ForwardingMethod?)> serverNodes, ImportNotes notes)
    {
        var title = vs.Title;
        var value = child.Value;
        TimeSpan timer;
        int number;
        switch (child.Keyword)
        {
            case "real_server":
                serverNodes.Add((child, vs.Method));
                break;
            case "protocol":
                switch (value?.ToUpperInvariant())
                {
                    case "TCP":
                        vs.Protocol = IpProtocol.Tcp;
                        break;
                    case "UDP":
                        vs.Protocol = IpProtocol.Udp;
                        break;
                    default:
                        notes.Unmapped(title, child, "LvsNet balances TCP and UDP only" + NotImported);
                        vs.Refused = true;
                        break;
                }

                break;
            case "lvs_sched" or "lb_algo":
                if (value is not null && SchedulerNames.IsKnown(value))
                {
                    vs.Scheduler = value;
                }
                else
                {
                    notes.Unmapped(title, child, $"unknown scheduler; LvsNet has {string.Join(", ", SchedulerNames.Implemented)}");
                }

                break;
            case "lvs_method" or "lb_kind":
                if (TryMethod(child, title, notes, out var method, NotImported))
                {
                    vs.Method = method;
                }
                else
                {
                    vs.Refused = true;
                }

                break;
            case "persistence_timeout":
                if (value is null)
                {
                    vs.Persistence = IpvsadmDefaults.Persistence;
                }
                else if (TryNumber(child, title, notes, 1, IpvsadmParser.MaxTimeoutSeconds, out number))
                {
                    vs.Persistence = TimeSpan.FromSeconds(number);
                }

                break;
            case "persistence_granularity":
                // keepalived's pgr_handler: a dotted netmask for IPv4, a prefix length 1..128 for IPv6.
                if (Ipv4Address.TryParse(value, out var netmask))
                {
                    vs.Netmask = netmask;
                    vs.Granularity = true;
                }
                else if (int.TryParse(value, System.Globalization.NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) && prefix is >= 1 and <= 128)
                {
                    vs.PrefixLength = prefix;
                    vs.Granularity = true;
                }
                else
                {
                    notes.Unmapped(title, child, "not an IPv4 netmask or an IPv6 prefix length (1 to 128)");
                }

                break;
            case "persistence_engine":
                notes.Unmapped(title, child, "LvsNet has no persistence engines (such as sip)");
                break;
            case "ops":
                vs.OnePacket = true;
                break;
            case "hashed":
                notes.Adjusted(child.Line, $"{title}: hashed: ignored (the kernel sets this flag itself; it changes nothing)");
                break;
            case "flag-1" or "flag-2" or "flag-3":
                vs.Flags.Add(child.Keyword);
                break;
            case "sh-port" or "sh-fallback" or "mh-port" or "mh-fallback":
                // keepalived applies sh-*/mh-* only when the scheduler read so far is sh/mh.
                if (vs.Scheduler == child.Keyword[..2])
                {
                    vs.Flags.Add(child.Keyword);
                }
                else
                {
                    notes.Adjusted(child.Line, $"{title}: {child.Keyword}: ignored, as keepalived does (it applies only after lvs_sched {child.Keyword[..2]})");
                }

                break;
            case "ip_family":
                // The address says the family; inet6 matters for a fwmark service (an IPv6 one: ipvsadm -f N -6).
                if (value is not ("inet" or "inet6"))
                {
                    notes.Unmapped(title, child, "expected inet or inet6" + NotImported);
                    vs.Refused = true;
                }

                vs.Inet6 = value == "inet6";

                break;
            case "delay_loop":
                if (TryTimer(child, title, notes, MinInterval, TimeSpan.FromDays(1), out timer))
                {
                    vs.Parameters = vs.Parameters with { DelayLoop = timer };
                }

                break;
            case "connect_timeout":
                if (TryTimer(child, title, notes, MinInterval, TimeSpan.FromHours(1), out timer))
                {
                    vs.Parameters = vs.Parameters with { ConnectTimeout = timer };
                }

                break;
            case "delay_before_retry":
                if (TryTimer(child, title, notes, TimeSpan.FromMilliseconds(10), TimeSpan.FromDays(1), out timer))
                {
                    vs.Parameters = vs.Parameters with { DelayBeforeRetry = timer };
                }

                break;
            case "warmup":
                if (TryTimer(child, title, notes, TimeSpan.Zero, TimeSpan.FromDays(1), out timer))
                {
                    vs.Parameters = vs.Parameters with { Warmup = timer };
                }

                break;
            case "retry":
                if (TryNumber(child, title, notes, 1, 1000, out number))
                {
                    vs.Parameters = vs.Parameters with { Retry = number };
                }

                break;
            case "alpha":
                vs.Parameters = vs.Parameters with { Alpha = true };
                break;
            case "inhibit_on_failure":
                vs.Inhibit = true;
                break;
            case "virtualhost" when value is not null:
                vs.VirtualHost = value;
                break;
            case "weight":
                if (TryNumber(child, title, notes, 1, 65535, out number))
                {
                    vs.Weight = number;
                }

                break;
            case "quorum":
                if (TryNumber(child, title, notes, 1, int.MaxValue, out number))
                {
                    vs.Quorum = number;
                    vs.QuorumLine = child.Line;
                }

                break;
            case "hysteresis":
                if (TryNumber(child, title, notes, 0, int.MaxValue, out number))
                {
                    vs.Hysteresis = number;
                }

                break;
            case "quorum_up":
                vs.QuorumUp = Command(child, title, notes);
                break;
            case "quorum_down":
                vs.QuorumDown = Command(child, title, notes);
                break;
            case "sorry_server":
                ReadSorryServer(child, vs, notes);
                break;
            case "sorry_server_inhibit" when vs.SorryAddress is not null:
                vs.SorryInhibit = true;
                break;
            case "sorry_server_lvs_method" when vs.SorryAddress is not null:
                if (TryMethod(child, title, notes, out var sorryMethod, "; the sorry server is not imported"))
                {
                    vs.SorryMethod = sorryMethod;
                }
                else
                {
                    vs.SorryAddress = null;
                }

                break;
            case "sorry_server_inhibit" or "sorry_server_lvs_method":
                notes.Unmapped(title, child, "before or without sorry_server (keepalived ignores it too)");
                break;
            case "omega":
                vs.Omega = true;
                break;
            case "ha_suspend":
                vs.HaSuspend = true;
                vs.HaSuspendLine = child.Line;
                break;
            case "smtp_alert":
                notes.Unmapped(title, child, "LvsNet sends no e-mail alerts; use notify_up / notify_down / quorum_up / quorum_down to run a mailer");
                break;
            case "snmp_name":
                notes.Adjusted(child.Line, $"{title}: {child.Text}: ignored (LvsNet has no SNMP agent)");
                break;
            default:
                notes.Unmapped(title, child, KeepalivedCheckers.IsChecker(child.Keyword) ? "checkers belong in a real_server block" : "unknown virtual_server keyword");
                break;
        }
    }

    private static void ReadSorryServer(KeepalivedNode child, KeepalivedVirtualServerSettings vs, ImportNotes notes)
    {
        // keepalived takes an IPv4 or an IPv6 address (the sorry server of an IPv6 service is IPv6).
        var text = child.Value ?? "";
        Ipv6Address? address6 = null;
        var address = 0u;
        bool readable;
        if (IsIpv6(text))
        {
            readable = Ipv6Address.TryParse(text.Trim('[', ']'), out var parsed6);
            address6 = parsed6;
        }
        else
        {
            readable = Ipv4Address.TryParse(text, out address);
        }

        if (!readable || !TryPort(child.Args.Count > 1 ? child.Args[1] : null, out var port))
        {
            notes.Unmapped(vs.Title, child, "expected sorry_server ADDRESS [PORT]");
            return;
        }

        vs.SorryAddress = address;
        vs.SorryAddress6 = address6;
        vs.SorryPort = port;
        vs.SorryMethod = vs.Method;
        vs.SorryLine = child.Line;
    }

    /// <summary>"ADDRESS PORT" (IPv4 or IPv6) or "fwmark N" of a virtual_server that is not a group; null (with an error) when unreadable.</summary>
    public static (uint Address, ushort Port, uint Mark, Ipv6Address? Address6)? Endpoint(KeepalivedNode node, ImportNotes notes)
    {
        var title = $"virtual_server {node.Rest}";
        if (node.Value == "fwmark")
        {
            if (node.Args.Count == 2 && TryMark(node.Args[1], out var mark))
            {
                return (0, 0, mark, null);
            }

            notes.Error(node.Line, $"{title}: expected fwmark N with N from 1 to 4294967295");
            return null;
        }

        Ipv6Address? address6 = null;
        uint address = 0;
        if (IsIpv6(node.Value))
        {
            if (!Ipv6Address.TryParse(node.Value, out var v6))
            {
                notes.Error(node.Line, $"{title}: not an IPv6 address");
                return null;
            }

            address6 = v6;
        }
        else if (!Ipv4Address.TryParse(node.Value, out address))
        {
            notes.Error(node.Line, $"{title}: not an IPv4 address");
            return null;
        }

        if (!TryPort(node.Args.Count > 1 ? node.Args[1] : null, out var port))
        {
            notes.Error(node.Line, $"{title}: port '{node.Args[1]}' is not a number");
            return null;
        }

        return (address, port ?? 0, 0, address6);
    }

    /// <summary>A firewall mark as keepalived reads it: a decimal number 1..4294967295.</summary>
    public static bool TryMark(string? text, out uint mark) =>
        uint.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out mark) && mark != 0;

    /// <summary>Formats a number for messages.</summary>
    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
