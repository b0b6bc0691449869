using System.Net;
using System.Net.Sockets;
using LvsNet.Control.Protocol;
using LvsNet.Core.Configuration;
using LvsNet.Packets;
using static LvsNet.Cli.Ipvsadm.ParsedCommands;

namespace LvsNet.Cli.Ipvsadm;

/// <summary>
/// The one table of lvsnetadm's ipvsadm options. Each row names a flag, its argument, what it is
/// (a command, or an option with the commands that allow, require or exclusively allow it) and
/// its handler; the parser, the conflict checks ("Illegal 'x' option with the 'y' command") and
/// the usage text all read it. Adding an option is one row here, its handler, and a test.
/// </summary>
/// <remarks>
/// Options are checked in the order their identities first appear below, which is ipvsadm's
/// OPT_* order, so that a line with several faults reports the one ipvsadm reports.
/// </remarks>
internal static class IpvsadmOptionTable
{
    /// <summary>The largest timeout ipvsadm accepts (31 days), in seconds.</summary>
    public const int MaxTimeoutSeconds = 86400 * 31;

    /// <summary>The persistence timeout of <c>-p</c> without a value (IPVS_SVC_PERSISTENT_TIMEOUT).</summary>
    public const int DefaultPersistenceSeconds = 360;

    // Identities that several flags share.
    private static readonly OptionRule ServiceAddress = new("service-address",
        Allowed: Zero | GetLocalAddresses,
        Required: Services | Delete | Servers | LocalAddressEdits,
        Exclusive: List);

    private static readonly OptionRule ForwardingMethod = new("forwarding-method", Allowed: ServerEdits);

    /// <summary>Every flag lvsnetadm knows, commands first, then options in ipvsadm's OPT_* order.</summary>
    public static IReadOnlyList<IpvsadmOption> Rows { get; } =
    [
        Cmd('A', "add-service", Add, "add-service", "add virtual service with options"),
        Cmd('E', "edit-service", Edit, "edit-service", "edit virtual service with options"),
        Cmd('D', "delete-service", Delete, "delete-service", "delete virtual service"),
        Cmd('C', "clear", Flush, "flush", "clear the whole table"),
        Cmd('R', "restore", Restore, "restore", "restore rules from stdin (all or nothing)"),
        Cmd('S', "save", Save, "save", "save rules to stdout"),
        Cmd('a', "add-server", AddServer, "add-server", "add real server with options"),
        Cmd('e', "edit-server", EditServer, "edit-server", "edit real server with options"),
        Cmd('d', "delete-server", DeleteServer, "delete-server", "delete real server"),
        Cmd('L', "list", List, "list", "list the table"),
        Cmd('l', "list", List, "list", null),
        Cmd('Z', "zero", Zero, "zero", "zero counters in a service or all services"),
        Cmd('\0', "set", Set, "set", "set connection timeout values") with { ValueName = "tcp tcpfin udp" },
        new() { Short = '\0', Long = "start-daemon", Argument = OptionArgument.Required, Command = (StartDaemon, "start-daemon"), Handle = (s, v) => SyncDaemon(s, v, start: true) },
        new() { Short = '\0', Long = "stop-daemon", Argument = OptionArgument.Required, Command = (StopDaemon, "stop-daemon"), Handle = (s, v) => SyncDaemon(s, v, start: false) },
        Cmd('P', "add-laddr", AddLocalAddress, "add-laddr", "add a FULLNAT local address (DPVS)"),
        Cmd('Q', "del-laddr", DeleteLocalAddress, "del-laddr", "delete a FULLNAT local address (DPVS)"),
        Cmd('G', "get-laddr", GetLocalAddresses, "get-laddr", "list the FULLNAT local addresses (DPVS)"),
        new() { Short = 'h', Long = "help", Handle = (s, _) => s.Help = true, Help = "display this help message" },
        new() { Short = 'v', Long = "version", Handle = (s, _) => s.Version = true, Help = "display the version" },

        Flag('n', "numeric", new("numeric", Allowed: List | Save), "numeric output of addresses and ports", ListFormat.Numeric),
        Flag('c', "connection", new("connection", Exclusive: List), "output of current IPVS connections"),
        Value('t', "tcp-service", ServiceAddress, "service-address", "service-address is host[:port]", (s, v) => VirtualService(s, v!, ServiceProtocols.Tcp)),
        Value('u', "udp-service", ServiceAddress, "service-address", "service-address is host[:port]", (s, v) => VirtualService(s, v!, ServiceProtocols.Udp)),
        Value('\0', "sctp-service", ServiceAddress, null, null, (_, _) => throw IpvsadmErrors.Unsupported("--sctp-service", "SCTP services")),
        Value('f', "fwmark-service", ServiceAddress, "fwmark", "fwmark is an integer greater than zero", (s, v) => FirewallMarkService(s, v!)),
        new() { Short = '6', Long = "ipv6", Handle = (s, _) => FirewallMarkIpv6(s), Help = "fwmark entry uses IPv6" },
        Value('s', "scheduler", new("scheduler", Allowed: Services), "scheduler", "one of rr|wrr|lc|wlc|lblc|lblcr|dh|sh|sed|nq|fo|ovf|mh|twos,\n" + Indent + "the default scheduler is wlc.",
            (s, v) => s.Scheduler = v!.Length > 15 ? v[..15] : v),
        new()
        {
            Short = 'p', Long = "persistent", Argument = OptionArgument.Optional, Rule = new("persistent", Allowed: Services), ValueName = "[timeout]",
            Help = $"persistent service (default {DefaultPersistenceSeconds} s)",
            Handle = (s, v) => s.PersistenceSeconds = v is null ? DefaultPersistenceSeconds : IpvsadmValues.Timeout(v, 1, MaxTimeoutSeconds),
        },
        Value('M', "netmask", new("netmask", Allowed: Services), "netmask", "persistent granularity mask", (s, v) => s.NetmaskText = v),
        Value('r', "real-server", new("real-server", Required: Servers), "server-address", "server-address is host (and port)", (s, v) => s.ServerText = v),
        Method('g', "gatewaying", ForwardingMethods.DirectRouting, "gatewaying (direct routing) (default)"),
        Method('i', "ipip", ForwardingMethods.Tunnel, "ipip encapsulation (tunneling)"),
        Method('m', "masquerading", ForwardingMethods.Nat, "masquerading (NAT)"),
        Method('\0', "fullnat", ForwardingMethods.FullNat, "full NAT (LvsNet)"),
        Value('w', "weight", new("weight", Allowed: ServerEdits), "weight", "capacity of real server",
            (s, v) => s.Weight = IpvsadmValues.ToNumber(v!, 0, 65535) ?? throw IpvsadmErrors.Fail("illegal weight specified")),
        Value('x', "u-threshold", new("u-threshold", Allowed: ServerEdits), "uthreshold", "upper threshold of connections",
            (s, v) => s.UpperThreshold = IpvsadmValues.ToNumber(v!, 0, int.MaxValue) ?? throw IpvsadmErrors.Fail("illegal u_threshold specified")),
        Value('y', "l-threshold", new("l-threshold", Allowed: ServerEdits), "lthreshold", "lower threshold of connections",
            (s, v) => s.LowerThreshold = IpvsadmValues.ToNumber(v!, 0, int.MaxValue) ?? throw IpvsadmErrors.Fail("illegal l_threshold specified")),
        Value('\0', "mcast-interface", new("mcast-interface", Allowed: StartDaemon), "interface", "multicast interface for connection sync\n" + Indent + "(default: the director's interface)",
            (s, v) => s.McastInterface = McastInterface(v!)),
        Flag('\0', "timeout", new("timeout", Exclusive: List), "output of timeout (tcp tcpfin udp)"),
        Flag('\0', "daemon", new("daemon", Exclusive: List), "output of daemon information"),
        Flag('\0', "stats", new("stats", Allowed: List), "output of statistics information", ListFormat.Stats),
        Flag('\0', "rate", new("rate", Allowed: List), "output of rate information", ListFormat.Rate),
        Flag('\0', "thresholds", new("thresholds", Allowed: List), "output of thresholds information", ListFormat.Thresholds),
        Flag('\0', "persistent-conn", new("persistent-conn", Allowed: List), "output of persistent connection info", ListFormat.PersistentConnections),
        Flag('\0', "nosort", new("nosort", Allowed: List), "disable sorting output of service/server entries", ListFormat.NoSort),
        new() { Short = '\0', Long = "sort", Help = "does nothing, for backwards compatibility" },
        Value('\0', "syncid", new("syncid", Allowed: List | StartDaemon | StopDaemon), "sid", "syncid for connection sync (default=0)",
            (s, v) => s.SyncId = Number(v!, 0, 255, "illegal syncid specified")),
        Flag('X', "exact", new("exact", Allowed: List), "expand numbers (display exact values)", ListFormat.Exact),
        Flag('o', "ops", new("ops", Allowed: Services), "one-packet scheduling") with { Handle = (s, _) => s.Ops = true },
        Value('\0', "pe", new("pe", Allowed: Services), null, null, (_, _) => throw IpvsadmErrors.Unsupported("--pe", "persistence engines")),
        Value('b', "sched-flags", new("sched-flags", Allowed: Services), "flags", "scheduler flags (comma-separated)", (s, v) => s.SchedFlagsText = v),
        Value('\0', "mcast-group", new("mcast-group", Allowed: StartDaemon), "address", "IPv4 group (default=224.0.0.81)",
            (s, v) => s.McastGroup = McastGroup(v!)),
        Value('\0', "mcast-port", new("mcast-port", Allowed: StartDaemon), "port", "UDP port (default=8848)",
            (s, v) => s.McastPort = Number(v!, 1, 65535, "illegal mcast-port specified")),
        Value('\0', "mcast-ttl", new("mcast-ttl", Allowed: StartDaemon), "ttl", "Multicast TTL (default=1)",
            (s, v) => s.McastTtl = Number(v!, 1, 255, "illegal mcast-ttl specified")),
        Value('\0', "sync-maxlen", new("sync-maxlen", Allowed: StartDaemon), "length", "Max sync message length (default=1472)",
            (s, v) => s.SyncMaxLength = Number(v!, 1, 65535 - 20 - 8, "illegal sync-maxlen specified")),
        Flag('\0', "tun-info", new("tun-info", Allowed: List), "output of tunnel information", ListFormat.TunnelInfo),
        Value('\0', "tun-type", new("tun-type", Allowed: ServerEdits), null, null,
            (s, v) => s.TunnelType = v is "ipip" or "gue" or "gre" ? v : throw IpvsadmErrors.Fail("illegal tunnel type specified")),
        Value('\0', "tun-port", new("tun-port", Allowed: ServerEdits), null, null,
            (_, v) => Number(v!, 1, 65535, "illegal tunnel port specified")),
        Flag('\0', "tun-nocsum", new("tun-nocsum", Allowed: ServerEdits), null),
        Flag('\0', "tun-csum", new("tun-csum", Allowed: ServerEdits), null),
        Flag('\0', "tun-remcsum", new("tun-remcsum", Allowed: ServerEdits), null),
        Value('z', "laddr", new("laddr", Required: LocalAddressEdits), "local-address", "FULLNAT local address (with -P/-Q)",
            (s, v) => s.LocalAddress = LocalAddressText(v!)),

        // DPVS binds a local address to a port; LvsNet has one interface, so the name is only checked for shape.
        Value('F', "ifname", new("ifname", Allowed: LocalAddressEdits), "ifname", "accepted for DPVS compatibility (one interface)",
            (_, v) => InterfaceName(v!)),
        Flag('\0', "toa", new("toa", Allowed: Services), "FULLNAT: client address in TCP option 254 (-A/-E)") with { Handle = (s, _) => s.Toa = true },

        // LvsNet's listing extensions: health state, and connection queries that the daemon filters.
        Flag('\0', "health", new("health", Allowed: List), "health state, weights and checkers (LvsNet)", ListFormat.Health),
        Flag('\0', "weights", new("weights", Allowed: List), "configured, in-force and effective weights (LvsNet)", ListFormat.Weights),
        Value('\0', "client", new("client", Allowed: List), "address[/prefix][:port]", "-L -c: only this client's connections",
            (s, v) => s.Filter = ConnectionFilterValues.Client(s.Filter, v!)),
        Value('\0', "server", new("server", Allowed: List), "address[:port]", "-L -c: only connections to this real server",
            (s, v) => s.Filter = ConnectionFilterValues.Server(s.Filter, v!)),
        Value('\0', "service", new("service", Allowed: List), "[tcp:|udp:]vip[:port]", "-L -c: only connections of this service",
            (s, v) => s.Filter = ConnectionFilterValues.Service(s.Filter, v!)),
        Value('\0', "limit", new("limit", Allowed: List), "rows", "-L -c: list at most this many (counts cover all)",
            (s, v) => s.Filter = (s.Filter ?? new ConnectionFilter()) with { Limit = IpvsadmValues.ToNumber(v!, 0, 10_000_000) ?? throw IpvsadmErrors.Fail("illegal limit specified") }),
    ];

    /// <summary>The option identities in checking order (first appearance in <see cref="Rows"/>).</summary>
    public static IReadOnlyList<OptionRule> Rules { get; } = Rows.Where(r => r.Rule is not null).Select(r => r.Rule!).Distinct().ToArray();

    /// <summary>The tunnel options, which need -i and, except --tun-type, a GUE tunnel.</summary>
    public static IReadOnlyList<OptionRule> TunnelOptions { get; } = Rules.Where(r => r.Name.StartsWith("tun-", StringComparison.Ordinal) && r.Name != "tun-info").ToArray();

    /// <summary>The name ipvsadm's messages use for a command.</summary>
    public static string CommandName(ParsedCommands command) => Rows.First(r => r.Command?.Command == command).Command!.Value.Name;

    /// <summary>The identity of a long option (for the checks outside the table).</summary>
    public static OptionRule RuleOf(string longName) => Rows.First(r => r.Long == longName).Rule!;

    // The usage text's continuation indent (the help column).
    internal const string Indent = "                                      ";

    private static IpvsadmOption Cmd(char shortName, string longName, ParsedCommands command, string messageName, string? help) =>
        new() { Short = shortName, Long = longName, Command = (command, messageName), Help = help };

    private static IpvsadmOption Flag(char shortName, string longName, OptionRule rule, string? help, ListFormat format = ListFormat.None) =>
        new() { Short = shortName, Long = longName, Rule = rule, Help = help, Handle = format == ListFormat.None ? static (_, _) => { } : (s, _) => s.Format |= format };

    private static IpvsadmOption Value(char shortName, string longName, OptionRule rule, string? valueName, string? help, OptionHandler handle) =>
        new() { Short = shortName, Long = longName, Argument = OptionArgument.Required, Rule = rule, ValueName = valueName, Help = help, Handle = handle };

    private static IpvsadmOption Method(char shortName, string longName, string method, string help) =>
        new() { Short = shortName, Long = longName, Rule = ForwardingMethod, Help = help, Handle = (s, _) => s.Method = method };

    private static void VirtualService(IpvsadmParseState s, string value, string protocol)
    {
        s.Protocol = protocol;
        if (!IpvsadmValues.TryParseService(value, protocol, s.Resolver, out var address, out var address6, out var port, out _))
        {
            throw IpvsadmErrors.Fail("illegal virtual server address[:port] specified");
        }

        s.Address = address;
        s.Address6 = address6;
        s.Port = port;
    }

    // ipvsadm's -6 marks the fwmark service given before it as IPv6 ("-6 used before -f" otherwise);
    // an IPv6 address after -t/-u says its family itself.
    // An IPv4 or an IPv6 address, as DPVS's -z takes either (an IPv6 service's pool holds IPv6
    // addresses, or IPv4 ones for NAT64); the daemon's validator decides whether it fits the service.
    private static string LocalAddressText(string value) =>
        Ipv4Address.TryParse(value, out var local) ? Ipv4Address.Format(local)
        : LvsNet.Packets.Ipv6.Ipv6Address.TryParse(value, out var local6) ? local6.ToString()
        : throw IpvsadmErrors.Fail("illegal local address specified");

    private static void FirewallMarkIpv6(IpvsadmParseState s)
    {
        if (s.FirewallMark == 0)
        {
            throw IpvsadmErrors.Fail("-6 used before -f\n");
        }

        // The kernel keys an IPv6 fwmark service by family inet6 and address 0: "::" here.
        s.Address6 = LvsNet.Packets.Ipv6.Ipv6Address.Unspecified;
    }

    // ipvsadm's parse_fwmark: a decimal number 1..UINT_MAX; the protocol is set to TCP, "a sane value, even though it is not used".
    private static void FirewallMarkService(IpvsadmParseState s, string value)
    {
        if (!uint.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var mark) || mark == 0)
        {
            throw IpvsadmErrors.Fail($"invalid fwmark value `{value}' specified");
        }

        s.Protocol = ServiceProtocols.Tcp;
        s.Address = 0;
        s.Address6 = null;
        s.Port = 0;
        s.FirewallMark = mark;
    }

    private static void SyncDaemon(IpvsadmParseState s, string? value, bool start)
    {
        if (value is not ("master" or "backup"))
        {
            throw IpvsadmErrors.Fail(start ? "illegal start-daemon parameter specified" : "illegal start_daemon specified");
        }

        s.DaemonState = value;
    }

    private static string McastInterface(string value)
    {
        InterfaceName(value);
        return value;
    }

    private static int Number(string value, int min, int max, string error) => IpvsadmValues.ToNumber(value, min, max) ?? throw IpvsadmErrors.Fail(error);

    private static void InterfaceName(string value)
    {
        if (value.Length is 0 or >= 16 || value.Contains('/', StringComparison.Ordinal))
        {
            throw IpvsadmErrors.Fail("illegal interface name specified");
        }
    }

    private static string McastGroup(string value)
    {
        if (!IPAddress.TryParse(value, out var group) || group.AddressFamily != AddressFamily.InterNetwork || (group.GetAddressBytes()[0] & 0xF0) != 0xE0)
        {
            throw IpvsadmErrors.Fail($"invalid IPv4 mcast-group `{value}'");
        }

        return group.ToString();
    }
}
