using System.Collections.Immutable;
using LvsNet.Core.Configuration;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;
using static LvsNet.Cli.Import.KeepalivedValues;

namespace LvsNet.Cli.Import;

/// <summary>A keepalived <c>real_server</c> block as read, before it is placed in a service (whose port it may take).</summary>
internal sealed record KeepalivedRealServer
{
    /// <summary>The line of the block.</summary>
    public required int Line { get; init; }

    /// <summary>"real_server A P" for messages.</summary>
    public required string Text { get; init; }

    /// <summary>The address.</summary>
    public required uint Address { get; init; }

    /// <summary>The IPv6 address of an IPv6 real server (then <see cref="Address"/> is 0), or null.</summary>
    public Ipv6Address? Address6 { get; init; }

    /// <summary>The port; null = none given (the virtual port).</summary>
    public ushort? Port { get; init; }

    /// <summary>The own weight; null = the virtual server's <c>weight</c>.</summary>
    public int? Weight { get; init; }

    /// <summary>The forwarding method: its own, else the virtual server's when the block was read; null = the virtual server's final one.</summary>
    public ForwardingMethod? Method { get; init; }

    /// <summary>uthreshold.</summary>
    public int UpperThreshold { get; init; }

    /// <summary>lthreshold.</summary>
    public int LowerThreshold { get; init; }

    /// <summary>The server's health settings, or null when it has no checker.</summary>
    public RealServerHealthCheckConfig? HealthCheck { get; init; }

    /// <summary>The LvsNet real server in a service on <paramref name="servicePort"/>.</summary>
    /// <param name="servicePort">The virtual port (0 for a firewall-mark service).</param>
    /// <param name="serviceWeight">The virtual server's weight.</param>
    /// <param name="serviceMethod">The virtual server's method.</param>
    /// <param name="title">"virtual_server ..." for messages.</param>
    /// <param name="notes">Receives the notes.</param>
    /// <param name="firewallMark">True in a firewall-mark service, which has no virtual port to force on dr and tun servers.</param>
    public RealServerConfig ToConfig(ushort servicePort, int serviceWeight, ForwardingMethod serviceMethod, string title, ImportNotes notes, bool firewallMark = false)
    {
        var method = Method ?? serviceMethod;
        var port = Port ?? servicePort;
        if (method is not ForwardingMethod.Nat && port != servicePort && !firewallMark)
        {
            notes.Adjusted(Line, $"{title}: {Text}: {ForwardingMethods.ToConfigName(method)} cannot change the port; the virtual port {servicePort} is used (keepalived resets it too)");
            port = servicePort;
        }

        return new RealServerConfig
        {
            Address = Address,
            Address6 = Address6,
            Port = port,
            Weight = Weight ?? serviceWeight,
            Method = method,
            UpperThreshold = UpperThreshold,
            LowerThreshold = LowerThreshold,
            HealthCheck = HealthCheck,
        };
    }

    /// <summary>Reads a real_server block; null when it cannot be imported.</summary>
    /// <param name="node">The block.</param>
    /// <param name="title">"virtual_server ..." for messages.</param>
    /// <param name="methodSoFar">The virtual server's lvs_method set before this block (keepalived copies it then).</param>
    /// <param name="context">What its checkers inherit (the server's own virtualhost and delay_loop are filled in here).</param>
    /// <param name="notes">Receives the notes.</param>
    public static KeepalivedRealServer? Read(KeepalivedNode node, string title, ForwardingMethod? methodSoFar, KeepalivedCheckerContext context, ImportNotes notes)
    {
        var name = $"{title}: real_server {node.Rest}";
        uint address = 0;
        Ipv6Address? address6 = null;
        if (IsIpv6(node.Value))
        {
            if (!Ipv6Address.TryParse(node.Value, out var v6))
            {
                notes.Error(node.Line, $"{name}: not an IPv6 address");
                return null;
            }

            address6 = v6;
        }
        else if (!Ipv4Address.TryParse(node.Value, out address))
        {
            notes.Error(node.Line, $"{name}: not an IPv4 address");
            return null;
        }

        if (!TryPort(node.Args.Count > 1 ? node.Args[1] : null, out var port))
        {
            notes.Error(node.Line, $"{name}: port '{node.Args[1]}' is not a number");
            return null;
        }

        var server = new KeepalivedRealServer { Line = node.Line, Text = $"real_server {node.Rest}", Address = address, Address6 = address6, Port = port, Method = methodSoFar };
        var parameters = HealthCheckParameters.Empty;
        bool? inhibit = null;
        string? notifyUp = null;
        string? notifyDown = null;
        string? virtualHost = null;
        TimeSpan? delayLoop = null;
        var checkerNodes = new List<KeepalivedNode>();
        var ok = true;
        foreach (var child in node.Children ?? [])
        {
            TimeSpan timer;
            int number;
            switch (child.Keyword)
            {
                case "weight":
                    if (ok &= TryNumber(child, name, notes, 0, 65535, out number))
                    {
                        server = server with { Weight = number };
                    }

                    break;
                case "lvs_method":
                    if (!TryMethod(child, name, notes, out var method, "; the real server is not imported"))
                    {
                        return null;
                    }

                    server = server with { Method = method };
                    break;
                case "uthreshold":
                    if (ok &= TryNumber(child, name, notes, 0, int.MaxValue, out number))
                    {
                        server = server with { UpperThreshold = number };
                    }

                    break;
                case "lthreshold":
                    if (ok &= TryNumber(child, name, notes, 0, int.MaxValue, out number))
                    {
                        server = server with { LowerThreshold = number };
                    }

                    break;
                case "inhibit_on_failure":
                    ok &= TryFlag(child, name, notes, out var flag);
                    inhibit = flag;
                    break;
                case "alpha":
                    ok &= TryFlag(child, name, notes, out var alpha);
                    parameters = parameters with { Alpha = alpha };
                    break;
                case "notify_up":
                    notifyUp = Command(child, name, notes);
                    break;
                case "notify_down":
                    notifyDown = Command(child, name, notes);
                    break;
                case "retry":
                    if (ok &= TryNumber(child, name, notes, 1, 1000, out number))
                    {
                        parameters = parameters with { Retry = number };
                    }

                    break;
                case "delay_before_retry":
                    if (ok &= TryTimer(child, name, notes, TimeSpan.FromMilliseconds(10), TimeSpan.FromDays(1), out timer))
                    {
                        parameters = parameters with { DelayBeforeRetry = timer };
                    }

                    break;
                case "warmup":
                    if (ok &= TryTimer(child, name, notes, TimeSpan.Zero, TimeSpan.FromDays(1), out timer))
                    {
                        parameters = parameters with { Warmup = timer };
                    }

                    break;
                case "connect_timeout":
                    if (ok &= TryTimer(child, name, notes, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1), out timer))
                    {
                        parameters = parameters with { ConnectTimeout = timer };
                    }

                    break;
                case "delay_loop":
                    if (ok &= TryTimer(child, name, notes, TimeSpan.FromMilliseconds(100), TimeSpan.FromDays(1), out timer))
                    {
                        parameters = parameters with { DelayLoop = timer };
                        delayLoop = timer;
                    }

                    break;
                case "virtualhost" when child.Value is not null:
                    virtualHost = child.Value;
                    break;
                case "smtp_alert":
                    notes.Unmapped(name, child, "LvsNet sends no e-mail alerts; use notify_up / notify_down to run a mailer");
                    break;
                case "snmp_name":
                    notes.Adjusted(child.Line, $"{name}: {child.Text}: ignored (LvsNet has no SNMP agent; its metrics name servers by address)");
                    break;
                case "track_bfd":
                    notes.Unmapped(name, child, "LvsNet has no BFD");
                    break;
                default:
                    if (KeepalivedCheckers.IsChecker(child.Keyword))
                    {
                        checkerNodes.Add(child);
                    }
                    else
                    {
                        notes.Unmapped(name, child, "unknown real_server keyword");
                    }

                    break;
            }
        }

        var checkContext = context with { Title = name, ServerVirtualHost = virtualHost, ServerDelayLoop = delayLoop };
        var checks = ImmutableArray.CreateBuilder<CheckerConfig>();
        foreach (var checker in checkerNodes)
        {
            checks.AddRange(KeepalivedCheckers.Read(checker, checkContext, notes));
        }

        // A bad value (ok false) is listed as an error; keepalived ignores such a statement and keeps the server, and so does the import.
        _ = ok;

        // A server without checkers is always up in keepalived: its timers, alpha and commands have no effect.
        return checks.Count == 0 ? server : server with
        {
            HealthCheck = new RealServerHealthCheckConfig
            {
                Parameters = parameters,
                InhibitOnFailure = inhibit,
                Checks = checks.ToImmutable(),
                NotifyUp = notifyUp,
                NotifyDown = notifyDown,
            },
        };
    }
}
