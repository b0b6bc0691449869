using System.Globalization;
using System.Net;
using System.Net.Sockets;
using LvsNet.Control.Editing;
using LvsNet.Core.Configuration;
using LvsNet.Core.Scheduling;
using LvsNet.Packets;

namespace LvsNet.Cli.Ipvsadm;

/// <summary>
/// Parses ipvsadm command lines with ipvsadm's syntax, option rules and error messages
/// (ipvsadm 1.31: which options each command needs, allows or forbids, "multiple commands
/// specified", "illegal weight specified", ...), producing an <see cref="IpvsadmInvocation"/>.
/// </summary>
/// <remarks>
/// Deliberate differences from ipvsadm: the command may come anywhere on the line (ipvsadm wants
/// it first); <c>--fullnat</c> selects LvsNet's FULLNAT method, and DPVS's local-address commands
/// (<c>-P/--add-laddr</c>, <c>-Q/--del-laddr</c>, <c>-G/--get-laddr</c> with <c>-z/--laddr</c>) and
/// <c>--toa</c> on <c>-A/-E</c> manage its source pool; features LvsNet does not have yet
/// (fwmark, SCTP, IPv6, persistence engines, GUE/GRE tunnels, the sync daemon) are refused with a
/// message saying so, exit status 2.
/// </remarks>
public sealed class IpvsadmParser
{
    /// <summary>The largest timeout ipvsadm accepts (31 days), in seconds.</summary>
    public const int MaxTimeoutSeconds = 86400 * 31;

    /// <summary>The persistence timeout of <c>-p</c> without a value (IPVS_SVC_PERSISTENT_TIMEOUT; the man page's 300 is wrong).</summary>
    public const int DefaultPersistenceSeconds = 360;

    /// <summary>ipvsadm's default scheduler.</summary>
    public const string DefaultScheduler = "wlc";

    // The names ipvsadm uses in its messages, indexed by Cmd and Opt.
    private static readonly string[] CommandNames =
    [
        "add-service", "edit-service", "delete-service", "flush", "list", "add-server", "delete-server",
        "edit-server", "set", "start-daemon", "stop-daemon", "restore", "save", "zero",
        "add-laddr", "del-laddr", "get-laddr",
    ];

    private static readonly string[] OptionNames =
    [
        "numeric", "connection", "service-address", "scheduler", "persistent", "netmask", "real-server",
        "forwarding-method", "weight", "u-threshold", "l-threshold", "mcast-interface", "timeout", "daemon",
        "stats", "rate", "thresholds", "persistent-conn", "nosort", "syncid", "exact", "ops", "pe",
        "sched-flags", "mcast-group", "mcast-port", "mcast-ttl", "sync-maxlen", "tun-info", "tun-type",
        "tun-port", "tun-nocsum", "tun-csum", "tun-remcsum", "laddr", "ifname", "toa",
    ];

    // Which options each command takes, one character per option in Opt order:
    // '+' required, 'x' not allowed, '1' at most one of the '1' options, '.' optional.
    private static readonly string[] Rules =
    [
        /* add-service    */ "xx+...xxxxxxxxxxxxxxx...xxxxxxxxxxxx.",
        /* edit-service   */ "xx+...xxxxxxxxxxxxxxx...xxxxxxxxxxxx.",
        /* delete-service */ "xx+xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        /* flush          */ "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        /* list           */ ".11xxxxxxxxx11.......xxxxxxx.xxxxxxxx",
        /* add-server     */ "xx+xxx+....xxxxxxxxxxxxxxxxxx.....xxx",
        /* delete-server  */ "xx+xxx+xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        /* edit-server    */ "xx+xxx+....xxxxxxxxxxxxxxxxxx.....xxx",
        /* set            */ "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        /* start-daemon   */ "xxxxxxxxxxx.xxxxxxx.xxxx....xxxxxxxxx",
        /* stop-daemon    */ "xxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxx",
        /* restore        */ "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        /* save           */ ".xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        /* zero           */ "xx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        /* add-laddr      */ "xx+xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx+.x",
        /* del-laddr      */ "xx+xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx+.x",
        /* get-laddr      */ "xx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    ];

    private static readonly Spec[] Specs =
    [
        new("add-service", 'A', Arg.None, Tag.Add),
        new("edit-service", 'E', Arg.None, Tag.Edit),
        new("delete-service", 'D', Arg.None, Tag.Delete),
        new("clear", 'C', Arg.None, Tag.Flush),
        new("list", 'L', Arg.None, Tag.List),
        new("list", 'l', Arg.None, Tag.List),
        new("zero", 'Z', Arg.None, Tag.Zero),
        new("add-server", 'a', Arg.None, Tag.AddServer),
        new("edit-server", 'e', Arg.None, Tag.EditServer),
        new("delete-server", 'd', Arg.None, Tag.DeleteServer),
        new("set", '\0', Arg.None, Tag.Set),
        new("help", 'h', Arg.None, Tag.Help),
        new("version", 'v', Arg.None, Tag.Version),
        new("restore", 'R', Arg.None, Tag.Restore),
        new("save", 'S', Arg.None, Tag.Save),
        new("start-daemon", '\0', Arg.Required, Tag.StartDaemon),
        new("stop-daemon", '\0', Arg.Required, Tag.StopDaemon),
        new("tcp-service", 't', Arg.Required, Tag.Tcp),
        new("udp-service", 'u', Arg.Required, Tag.Udp),
        new("sctp-service", '\0', Arg.Required, Tag.Sctp),
        new("fwmark-service", 'f', Arg.Required, Tag.Fwmark),
        new("scheduler", 's', Arg.Required, Tag.Scheduler),
        new("persistent", 'p', Arg.Optional, Tag.Persistent),
        new("netmask", 'M', Arg.Required, Tag.Netmask),
        new("real-server", 'r', Arg.Required, Tag.RealServer),
        new("masquerading", 'm', Arg.None, Tag.Masquerading),
        new("ipip", 'i', Arg.None, Tag.Ipip),
        new("gatewaying", 'g', Arg.None, Tag.Gatewaying),
        new("fullnat", '\0', Arg.None, Tag.FullNat),
        new("weight", 'w', Arg.Required, Tag.Weight),
        new("u-threshold", 'x', Arg.Required, Tag.UpperThreshold),
        new("l-threshold", 'y', Arg.Required, Tag.LowerThreshold),
        new("numeric", 'n', Arg.None, Tag.Numeric),
        new("connection", 'c', Arg.None, Tag.Connection),
        new("mcast-interface", '\0', Arg.Required, Tag.McastInterface),
        new("syncid", '\0', Arg.Required, Tag.SyncId),
        new("timeout", '\0', Arg.None, Tag.Timeout),
        new("daemon", '\0', Arg.None, Tag.Daemon),
        new("stats", '\0', Arg.None, Tag.Stats),
        new("rate", '\0', Arg.None, Tag.Rate),
        new("thresholds", '\0', Arg.None, Tag.Thresholds),
        new("persistent-conn", '\0', Arg.None, Tag.PersistentConn),
        new("nosort", '\0', Arg.None, Tag.NoSort),
        new("sort", '\0', Arg.None, Tag.Sort),
        new("exact", 'X', Arg.None, Tag.Exact),
        new("ipv6", '6', Arg.None, Tag.Ipv6),
        new("ops", 'o', Arg.None, Tag.Ops),
        new("pe", '\0', Arg.Required, Tag.Pe),
        new("sched-flags", 'b', Arg.Required, Tag.SchedFlags),
        new("mcast-group", '\0', Arg.Required, Tag.McastGroup),
        new("mcast-port", '\0', Arg.Required, Tag.McastPort),
        new("mcast-ttl", '\0', Arg.Required, Tag.McastTtl),
        new("sync-maxlen", '\0', Arg.Required, Tag.SyncMaxlen),
        new("tun-info", '\0', Arg.None, Tag.TunInfo),
        new("tun-type", '\0', Arg.Required, Tag.TunType),
        new("tun-port", '\0', Arg.Required, Tag.TunPort),
        new("tun-nocsum", '\0', Arg.None, Tag.TunNocsum),
        new("tun-csum", '\0', Arg.None, Tag.TunCsum),
        new("tun-remcsum", '\0', Arg.None, Tag.TunRemcsum),
        new("add-laddr", 'P', Arg.None, Tag.AddLocalAddress),
        new("del-laddr", 'Q', Arg.None, Tag.DeleteLocalAddress),
        new("get-laddr", 'G', Arg.None, Tag.GetLocalAddresses),
        new("laddr", 'z', Arg.Required, Tag.LocalAddress),
        new("ifname", 'F', Arg.Required, Tag.IfName),
        new("toa", '\0', Arg.None, Tag.Toa),
    ];

    private readonly INameResolver _resolver;

    /// <summary>Creates a parser that resolves host and service names with <paramref name="resolver"/> (numeric only when null).</summary>
    public IpvsadmParser(INameResolver? resolver = null) => _resolver = resolver ?? NumericNameResolver.Instance;

    private enum Arg
    {
        None,
        Required,
        Optional,
    }

    private enum Cmd
    {
        None = -1,
        Add = 0,
        Edit,
        Delete,
        Flush,
        List,
        AddServer,
        DeleteServer,
        EditServer,
        Set,
        StartDaemon,
        StopDaemon,
        Restore,
        Save,
        Zero,
        AddLocalAddress,
        DeleteLocalAddress,
        GetLocalAddresses,
    }

    private enum Opt
    {
        Numeric,
        Connection,
        Service,
        Scheduler,
        Persistent,
        Netmask,
        Server,
        Forward,
        Weight,
        UpperThreshold,
        LowerThreshold,
        McastInterface,
        Timeout,
        Daemon,
        Stats,
        Rate,
        Thresholds,
        PersistentConn,
        NoSort,
        SyncId,
        Exact,
        Ops,
        Pe,
        SchedFlags,
        McastGroup,
        McastPort,
        McastTtl,
        SyncMaxlen,
        TunInfo,
        TunType,
        TunPort,
        TunNocsum,
        TunCsum,
        TunRemcsum,
        LocalAddress,
        IfName,
        Toa,
    }

    private enum Tag
    {
        Add,
        Edit,
        Delete,
        Flush,
        List,
        Zero,
        AddServer,
        EditServer,
        DeleteServer,
        Set,
        Help,
        Version,
        Restore,
        Save,
        StartDaemon,
        StopDaemon,
        Tcp,
        Udp,
        Sctp,
        Fwmark,
        Scheduler,
        Persistent,
        Netmask,
        RealServer,
        Masquerading,
        Ipip,
        Gatewaying,
        FullNat,
        Weight,
        UpperThreshold,
        LowerThreshold,
        Numeric,
        Connection,
        McastInterface,
        SyncId,
        Timeout,
        Daemon,
        Stats,
        Rate,
        Thresholds,
        PersistentConn,
        NoSort,
        Sort,
        Exact,
        Ipv6,
        Ops,
        Pe,
        SchedFlags,
        McastGroup,
        McastPort,
        McastTtl,
        SyncMaxlen,
        TunInfo,
        TunType,
        TunPort,
        TunNocsum,
        TunCsum,
        TunRemcsum,
        AddLocalAddress,
        DeleteLocalAddress,
        GetLocalAddresses,
        LocalAddress,
        IfName,
        Toa,
    }

    /// <summary>Parses one command line (without the program name).</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="program">The program name for the "Try ... -h" hint.</param>
    /// <exception cref="IpvsadmUsageException">ipvsadm would refuse the line; the message says why.</exception>
    public IpvsadmInvocation Parse(IReadOnlyList<string> args, string program = "lvsnetadm")
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Count == 0)
        {
            // ipvsadm with no argument lists the table.
            return new IpvsadmInvocation { Command = IpvsadmCommand.List };
        }

        var state = new State();
        var positional = new List<string>();
        var onlyPositional = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (onlyPositional || arg.Length < 2 || arg[0] != '-')
            {
                positional.Add(arg);
                continue;
            }

            if (arg == "--")
            {
                onlyPositional = true;
                continue;
            }

            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                var eq = arg.IndexOf('=', StringComparison.Ordinal);
                var name = eq < 0 ? arg[2..] : arg[2..eq];
                var spec = Array.Find(Specs, s => s.Long == name) ?? throw PoptError(arg, "unknown option");
                string? value = null;
                if (spec.Arg == Arg.None && eq >= 0)
                {
                    throw PoptError(arg, "option does not take an argument");
                }

                if (eq >= 0)
                {
                    value = arg[(eq + 1)..];
                }
                else if (spec.Arg == Arg.Required)
                {
                    value = i + 1 < args.Count ? args[++i] : throw PoptError(arg, "missing argument");
                }
                else if (spec.Arg == Arg.Optional && i + 1 < args.Count && !args[i + 1].StartsWith('-'))
                {
                    value = args[++i];
                }

                Handle(state, spec.Tag, value, arg);
                continue;
            }

            for (var k = 1; k < arg.Length; k++)
            {
                var c = arg[k];
                var spec = Array.Find(Specs, s => s.Short == c) ?? throw PoptError(arg, "unknown option");
                if (spec.Arg == Arg.None)
                {
                    Handle(state, spec.Tag, null, arg);
                    continue;
                }

                string? value = null;
                if (k + 1 < arg.Length)
                {
                    value = arg[(k + 1)..];
                }
                else if (spec.Arg == Arg.Required)
                {
                    value = i + 1 < args.Count ? args[++i] : throw PoptError(arg, "missing argument");
                }
                else if (i + 1 < args.Count && !args[i + 1].StartsWith('-'))
                {
                    value = args[++i];
                }

                Handle(state, spec.Tag, value, arg);
                break;
            }
        }

        if (state.Help)
        {
            return new IpvsadmInvocation { Command = IpvsadmCommand.Help };
        }

        if (state.Version)
        {
            return new IpvsadmInvocation { Command = IpvsadmCommand.Version };
        }

        if (state.Command == Cmd.None)
        {
            throw new IpvsadmUsageException(TryHelp(program), 255) { IsTryHelp = true };
        }

        TimeoutSettings? timeouts = null;
        if (state.Command == Cmd.Set)
        {
            if (positional.Count < 3)
            {
                throw Fail("--set option requires 3 timeout values");
            }

            timeouts = new TimeoutSettings(
                ParseTimeout(positional[0], 0, MaxTimeoutSeconds),
                ParseTimeout(positional[1], 0, MaxTimeoutSeconds),
                ParseTimeout(positional[2], 0, MaxTimeoutSeconds));
            positional.RemoveRange(0, 3);
        }

        if (positional.Count > 0)
        {
            throw Fail($"unexpected argument {positional[0]}");
        }

        if (state.SchedFlagsText is { } flagsText)
        {
            state.SchedFlags = ParseSchedulerFlags(state.Scheduler ?? DefaultScheduler, flagsText);
        }

        CheckOptions(state.Command, state.Options);

        if (state.Command is Cmd.Add or Cmd.Edit)
        {
            if (state.Port == 0 && state.PersistenceSeconds is null)
            {
                throw Fail("Zero port specified for non-persistent service");
            }

            if (state.Ops && state.Protocol != ServiceProtocols.Udp)
            {
                throw Fail("One-Packet Scheduling is only for UDP virtual services");
            }
        }

        if (state.Command is Cmd.AddServer or Cmd.EditServer or Cmd.DeleteServer)
        {
            ResolveServer(state);
        }

        if (state.Command is Cmd.AddServer or Cmd.EditServer)
        {
            // DR and TUN cannot map ports: ipvsadm silently uses the virtual port.
            if (state.Method is ForwardingMethods.DirectRouting or ForwardingMethods.Tunnel)
            {
                state.ServerPort = state.Port;
            }

            var tunnelOptions = Has(state.Options, Opt.TunType) || Has(state.Options, Opt.TunPort) || Has(state.Options, Opt.TunNocsum)
                || Has(state.Options, Opt.TunCsum) || Has(state.Options, Opt.TunRemcsum);
            if (tunnelOptions && state.Method != ForwardingMethods.Tunnel)
            {
                throw Fail("Tunnel options conflict with forward method");
            }

            CheckTunnelOptions(state);
        }

        if (state.Command == Cmd.List)
        {
            var o = state.Options;
            if (((Has(o, Opt.Connection) || Has(o, Opt.Timeout) || Has(o, Opt.Daemon)) && (Has(o, Opt.Stats) || Has(o, Opt.Rate) || Has(o, Opt.Thresholds)))
                || ((Has(o, Opt.Timeout) || Has(o, Opt.Daemon)) && Has(o, Opt.PersistentConn)))
            {
                throw Fail("options conflicts in the list command");
            }

            if (Has(o, Opt.Daemon))
            {
                throw Unsupported("--daemon", "the connection synchronisation daemon");
            }
        }

        if (Has(state.Options, Opt.Pe))
        {
            throw Unsupported("--pe", "persistence engines");
        }

        return Build(state, timeouts);
    }

    /// <summary>The "Try ... -h" hint ipvsadm prints on a command line it cannot make sense of.</summary>
    public static string TryHelp(string program) => $"Try `{program} -h' or '{program} --help' for more information.";

    private static IpvsadmInvocation Build(State s, TimeoutSettings? timeouts)
    {
        var service = s.Address is { } address ? new ServiceSelector(s.Protocol, Ipv4Address.Format(address), s.Port) : null;
        return s.Command switch
        {
            Cmd.List => new IpvsadmInvocation
            {
                Command = IpvsadmCommand.List,
                Format = s.Format,
                Service = service,
                Connections = Has(s.Options, Opt.Connection),
                Timeouts = Has(s.Options, Opt.Timeout),
            },
            Cmd.Save => new IpvsadmInvocation { Command = IpvsadmCommand.Save, Format = s.Format | ListFormat.Rule },
            Cmd.Restore => new IpvsadmInvocation { Command = IpvsadmCommand.Restore },
            Cmd.Zero => new IpvsadmInvocation { Command = IpvsadmCommand.Zero, Service = service },
            Cmd.Flush => Edit(IpvsadmCommand.Clear, new EditOperation { Kind = EditKind.Clear }),
            Cmd.Set => Edit(IpvsadmCommand.SetTimeouts, new EditOperation { Kind = EditKind.SetTimeouts, Timeouts = timeouts }),
            Cmd.Delete => Edit(IpvsadmCommand.DeleteService, new EditOperation { Kind = EditKind.DeleteService, Service = service }),
            Cmd.Add or Cmd.Edit => Edit(
                s.Command == Cmd.Add ? IpvsadmCommand.AddService : IpvsadmCommand.EditService,
                new EditOperation
                {
                    Kind = s.Command == Cmd.Add ? EditKind.AddService : EditKind.EditService,
                    Service = service,
                    Scheduler = s.Scheduler ?? DefaultScheduler,
                    PersistenceTimeoutSeconds = s.PersistenceSeconds,
                    PersistenceNetmask = s.Netmask,
                    OnePacketScheduling = s.Ops,
                    SchedulerFlags = s.SchedFlags,
                    Toa = s.Toa,
                }),
            Cmd.GetLocalAddresses => new IpvsadmInvocation { Command = IpvsadmCommand.ListLocalAddresses, Service = service },
            Cmd.AddLocalAddress or Cmd.DeleteLocalAddress => Edit(
                s.Command == Cmd.AddLocalAddress ? IpvsadmCommand.AddLocalAddress : IpvsadmCommand.DeleteLocalAddress,
                new EditOperation
                {
                    Kind = s.Command == Cmd.AddLocalAddress ? EditKind.AddLocalAddress : EditKind.DeleteLocalAddress,
                    Service = service,
                    LocalAddress = Ipv4Address.Format(s.LocalAddress),
                }),
            Cmd.DeleteServer => Edit(IpvsadmCommand.DeleteServer, new EditOperation
            {
                Kind = EditKind.DeleteServer,
                Service = service,
                ServerAddress = Ipv4Address.Format(s.ServerAddress),
                ServerPort = s.ServerPort,
            }),
            _ => Edit(
                s.Command == Cmd.AddServer ? IpvsadmCommand.AddServer : IpvsadmCommand.EditServer,
                new EditOperation
                {
                    Kind = s.Command == Cmd.AddServer ? EditKind.AddServer : EditKind.EditServer,
                    Service = service,
                    ServerAddress = Ipv4Address.Format(s.ServerAddress),
                    ServerPort = s.ServerPort,
                    Method = s.Method,
                    Weight = s.Weight,
                    UpperThreshold = s.UpperThreshold,
                    LowerThreshold = s.LowerThreshold,
                }),
        };

        static IpvsadmInvocation Edit(IpvsadmCommand command, EditOperation operation) => new() { Command = command, Operation = operation };
    }

    private void Handle(State s, Tag tag, string? value, string arg)
    {
        switch (tag)
        {
            case Tag.Add: SetCommand(s, Cmd.Add); break;
            case Tag.Edit: SetCommand(s, Cmd.Edit); break;
            case Tag.Delete: SetCommand(s, Cmd.Delete); break;
            case Tag.Flush: SetCommand(s, Cmd.Flush); break;
            case Tag.List: SetCommand(s, Cmd.List); break;
            case Tag.Zero: SetCommand(s, Cmd.Zero); break;
            case Tag.AddServer: SetCommand(s, Cmd.AddServer); break;
            case Tag.EditServer: SetCommand(s, Cmd.EditServer); break;
            case Tag.DeleteServer: SetCommand(s, Cmd.DeleteServer); break;
            case Tag.Set: SetCommand(s, Cmd.Set); break;
            case Tag.Restore: SetCommand(s, Cmd.Restore); break;
            case Tag.Save: SetCommand(s, Cmd.Save); break;
            case Tag.Help: s.Help = true; break;
            case Tag.Version: s.Version = true; break;
            case Tag.StartDaemon:
            case Tag.StopDaemon:
                SetCommand(s, tag == Tag.StartDaemon ? Cmd.StartDaemon : Cmd.StopDaemon);
                if (value is not ("master" or "backup"))
                {
                    throw Fail(tag == Tag.StartDaemon ? "illegal start-daemon parameter specified" : "illegal start_daemon specified");
                }

                throw Unsupported(tag == Tag.StartDaemon ? "--start-daemon" : "--stop-daemon", "the connection synchronisation daemon");
            case Tag.Tcp:
            case Tag.Udp:
                SetOption(s, Opt.Service);
                s.Protocol = tag == Tag.Udp ? ServiceProtocols.Udp : ServiceProtocols.Tcp;
                if (!TryParseService(value!, s.Protocol, out var address, out var port, out _))
                {
                    throw Fail("illegal virtual server address[:port] specified");
                }

                s.Address = address;
                s.Port = port;
                break;
            case Tag.Sctp:
                throw Unsupported("--sctp-service", "SCTP services");
            case Tag.Fwmark:
                throw Unsupported("-f", "fwmark services", " (use -t or -u)");
            case Tag.Ipv6:
                throw Unsupported("-6", "IPv6 services");
            case Tag.Scheduler:
                SetOption(s, Opt.Scheduler);
                s.Scheduler = value!.Length > 15 ? value[..15] : value;
                break;
            case Tag.Persistent:
                SetOption(s, Opt.Persistent);
                s.PersistenceSeconds = value is null ? DefaultPersistenceSeconds : ParseTimeout(value, 1, MaxTimeoutSeconds);
                break;
            case Tag.Netmask:
                SetOption(s, Opt.Netmask);
                if (!Ipv4Address.TryParse(value, out var mask) || ((~mask) & (~mask + 1)) != 0)
                {
                    throw Fail("illegal virtual server persistent mask specified");
                }

                s.Netmask = Ipv4Address.Format(mask);
                break;
            case Tag.RealServer:
                SetOption(s, Opt.Server);
                s.ServerText = value;
                break;
            case Tag.Masquerading:
            case Tag.Ipip:
            case Tag.Gatewaying:
            case Tag.FullNat:
                SetOption(s, Opt.Forward);
                s.Method = tag switch
                {
                    Tag.Masquerading => ForwardingMethods.Nat,
                    Tag.Ipip => ForwardingMethods.Tunnel,
                    Tag.FullNat => ForwardingMethods.FullNat,
                    _ => ForwardingMethods.DirectRouting,
                };
                break;
            case Tag.Weight:
                SetOption(s, Opt.Weight);
                s.Weight = ToNumber(value!, 0, 65535) ?? throw Fail("illegal weight specified");
                break;
            case Tag.UpperThreshold:
                SetOption(s, Opt.UpperThreshold);
                s.UpperThreshold = ToNumber(value!, 0, int.MaxValue) ?? throw Fail("illegal u_threshold specified");
                break;
            case Tag.LowerThreshold:
                SetOption(s, Opt.LowerThreshold);
                s.LowerThreshold = ToNumber(value!, 0, int.MaxValue) ?? throw Fail("illegal l_threshold specified");
                break;
            case Tag.Connection: SetOption(s, Opt.Connection); break;
            case Tag.Numeric: SetOption(s, Opt.Numeric); s.Format |= ListFormat.Numeric; break;
            case Tag.McastInterface: SetOption(s, Opt.McastInterface); break;
            case Tag.SyncId:
                SetOption(s, Opt.SyncId);
                _ = ToNumber(value!, 0, 255) ?? throw Fail("illegal syncid specified");
                break;
            case Tag.Timeout: SetOption(s, Opt.Timeout); break;
            case Tag.Daemon: SetOption(s, Opt.Daemon); break;
            case Tag.Stats: SetOption(s, Opt.Stats); s.Format |= ListFormat.Stats; break;
            case Tag.Rate: SetOption(s, Opt.Rate); s.Format |= ListFormat.Rate; break;
            case Tag.Thresholds: SetOption(s, Opt.Thresholds); s.Format |= ListFormat.Thresholds; break;
            case Tag.PersistentConn: SetOption(s, Opt.PersistentConn); s.Format |= ListFormat.PersistentConnections; break;
            case Tag.NoSort: SetOption(s, Opt.NoSort); s.Format |= ListFormat.NoSort; break;
            case Tag.Sort: break;
            case Tag.Exact: SetOption(s, Opt.Exact); s.Format |= ListFormat.Exact; break;
            case Tag.Ops: SetOption(s, Opt.Ops); s.Ops = true; break;
            case Tag.Pe: SetOption(s, Opt.Pe); break;
            case Tag.SchedFlags: SetOption(s, Opt.SchedFlags); s.SchedFlagsText = value; break;
            case Tag.McastGroup:
                SetOption(s, Opt.McastGroup);
                if (!IPAddress.TryParse(value, out var group) || group.AddressFamily != AddressFamily.InterNetwork || (group.GetAddressBytes()[0] & 0xF0) != 0xE0)
                {
                    throw Fail($"invalid IPv4 mcast-group `{value}'");
                }

                break;
            case Tag.McastPort:
                SetOption(s, Opt.McastPort);
                _ = ToNumber(value!, 1, 65535) ?? throw Fail("illegal mcast-port specified");
                break;
            case Tag.McastTtl:
                SetOption(s, Opt.McastTtl);
                _ = ToNumber(value!, 1, 255) ?? throw Fail("illegal mcast-ttl specified");
                break;
            case Tag.SyncMaxlen:
                SetOption(s, Opt.SyncMaxlen);
                _ = ToNumber(value!, 1, 65535 - 20 - 8) ?? throw Fail("illegal sync-maxlen specified");
                break;
            case Tag.TunInfo: SetOption(s, Opt.TunInfo); s.Format |= ListFormat.TunnelInfo; break;
            case Tag.TunType:
                SetOption(s, Opt.TunType);
                s.TunnelType = value is "ipip" or "gue" or "gre" ? value : throw Fail("illegal tunnel type specified");
                break;
            case Tag.TunPort:
                SetOption(s, Opt.TunPort);
                _ = ToNumber(value!, 1, 65535) ?? throw Fail("illegal tunnel port specified");
                break;
            case Tag.TunNocsum: SetOption(s, Opt.TunNocsum); break;
            case Tag.TunCsum: SetOption(s, Opt.TunCsum); break;
            case Tag.TunRemcsum: SetOption(s, Opt.TunRemcsum); break;
            case Tag.AddLocalAddress: SetCommand(s, Cmd.AddLocalAddress); break;
            case Tag.DeleteLocalAddress: SetCommand(s, Cmd.DeleteLocalAddress); break;
            case Tag.GetLocalAddresses: SetCommand(s, Cmd.GetLocalAddresses); break;
            case Tag.LocalAddress:
                SetOption(s, Opt.LocalAddress);
                s.LocalAddress = Ipv4Address.TryParse(value, out var local) ? local : throw Fail("illegal local address specified");
                break;
            case Tag.IfName:
                // DPVS binds a local address to a port; LvsNet has one interface, so the name is only checked for shape.
                SetOption(s, Opt.IfName);
                _ = value!.Length is > 0 and < 16 && !value.Contains('/', StringComparison.Ordinal) ? value : throw Fail("illegal interface name specified");
                break;
            case Tag.Toa: SetOption(s, Opt.Toa); s.Toa = true; break;
            default:
                throw Fail($"invalid option `{arg}'");
        }
    }

    private void ResolveServer(State s)
    {
        if (!TryParseService(s.ServerText!, s.Protocol, out var address, out var port, out var hasPort))
        {
            throw Fail("illegal real server address[:port] specified");
        }

        s.ServerAddress = address;

        // Without a port the real server takes the virtual port.
        s.ServerPort = hasPort ? port : s.Port;
    }

    private bool TryParseService(string text, string protocol, out uint address, out ushort port, out bool hasPort)
    {
        address = 0;
        port = 0;
        hasPort = false;
        if (text.Length == 0 || text.All(char.IsAsciiDigit))
        {
            return false;
        }

        if (text[0] == '[' || (text.Count(c => c == ':') > 1 && IPAddress.TryParse(text, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6))
        {
            throw Unsupported(text, "IPv6 addresses");
        }

        var colon = text.LastIndexOf(':');
        var host = colon < 0 ? text : text[..colon];
        if (!Ipv4Address.TryParse(host, out address) && !_resolver.TryResolveHost(host, out address))
        {
            return false;
        }

        if (colon < 0)
        {
            return true;
        }

        hasPort = true;
        var portText = text[(colon + 1)..];
        if (ToNumber(portText, 0, 65535) is { } number)
        {
            port = (ushort)number;
            return true;
        }

        return _resolver.TryResolvePort(portText, protocol, out port);
    }

    private static List<string> ParseSchedulerFlags(string scheduler, string text)
    {
        var flags = new List<string>();
        foreach (var flag in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var owner = flag switch
            {
                "flag-1" or "flag-2" or "flag-3" => null,
                "sh-fallback" or "sh-port" => "sh",
                "mh-fallback" or "mh-port" => "mh",
                _ => throw Fail($"invalid scheduler flag `{flag}'"),
            };
            if (owner is not null && owner != scheduler)
            {
                throw Fail($"incompatible scheduler flag `{flag}'");
            }

            if (!flags.Contains(flag))
            {
                flags.Add(flag);
            }
        }

        return flags.Count > 0 ? flags : throw Fail($"invalid scheduler flag `{text}'");
    }

    private static void CheckOptions(Cmd command, ulong options)
    {
        var rules = Rules[(int)command];
        var exclusive = -1;
        for (var j = 0; j < OptionNames.Length; j++)
        {
            var present = (options & (1UL << j)) != 0;
            if (!present)
            {
                if (rules[j] == '+')
                {
                    throw Fail($"You need to supply the '{OptionNames[j]}' option for the '{CommandNames[(int)command]}' command");
                }

                continue;
            }

            if (rules[j] == 'x')
            {
                throw Fail($"Illegal '{OptionNames[j]}' option with the '{CommandNames[(int)command]}' command");
            }

            if (rules[j] == '1')
            {
                if (exclusive >= 0)
                {
                    throw Fail($"The option '{OptionNames[j]}' conflicts with the '{OptionNames[exclusive]}' option in the '{CommandNames[(int)command]}' command");
                }

                exclusive = j;
            }
        }
    }

    private static void CheckTunnelOptions(State s)
    {
        if (s.Method != ForwardingMethods.Tunnel)
        {
            return;
        }

        var type = s.TunnelType ?? "ipip";
        if (type != "ipip")
        {
            throw Unsupported($"--tun-type {type}", "GUE and GRE tunnels");
        }

        foreach (var option in (Opt[])[Opt.TunPort, Opt.TunNocsum, Opt.TunCsum, Opt.TunRemcsum])
        {
            if (Has(s.Options, option))
            {
                throw Fail($"Illegal '{OptionNames[(int)option]}' option with the 'ipip' tunnel type");
            }
        }
    }

    private static void SetCommand(State s, Cmd command)
    {
        if (s.Command != Cmd.None)
        {
            throw Fail("multiple commands specified");
        }

        s.Command = command;
    }

    private static void SetOption(State s, Opt option)
    {
        var bit = 1UL << (int)option;
        if ((s.Options & bit) != 0)
        {
            throw Fail($"multiple '{OptionNames[(int)option]}' options specified");
        }

        s.Options |= bit;
    }

    private static bool Has(ulong options, Opt option) => (options & (1UL << (int)option)) != 0;

    private static int ParseTimeout(string text, int min, int max) =>
        ToNumber(text, min, max) ?? throw Fail($"invalid timeout value `{text}' specified");

    /// <summary>strtol-like: the whole text must be a base-10 number within [min, max].</summary>
    private static int? ToNumber(string text, int min, int max) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? (int)value
            : null;

    private static IpvsadmUsageException Fail(string message) => new(message, 2);

    private static IpvsadmUsageException PoptError(string arg, string error) => new($"{arg}: {error}", 255);

    private static IpvsadmUsageException Unsupported(string what, string feature, string hint = "") => new($"{what}: LvsNet does not support {feature} yet{hint}", 2);

    private sealed record Spec(string Long, char Short, Arg Arg, Tag Tag);

    private sealed class State
    {
        public Cmd Command { get; set; } = Cmd.None;

        public ulong Options { get; set; }

        public ListFormat Format { get; set; }

        public bool Help { get; set; }

        public bool Version { get; set; }

        public string Protocol { get; set; } = ServiceProtocols.Tcp;

        public uint? Address { get; set; }

        public ushort Port { get; set; }

        public string? Scheduler { get; set; }

        public int? PersistenceSeconds { get; set; }

        public string? Netmask { get; set; }

        public bool Ops { get; set; }

        public string? SchedFlagsText { get; set; }

        public List<string>? SchedFlags { get; set; }

        public string? ServerText { get; set; }

        public uint LocalAddress { get; set; }

        public bool Toa { get; set; }

        public uint ServerAddress { get; set; }

        public ushort ServerPort { get; set; }

        public string Method { get; set; } = ForwardingMethods.DirectRouting;

        public int? Weight { get; set; }

        public int? UpperThreshold { get; set; }

        public int? LowerThreshold { get; set; }

        public string? TunnelType { get; set; }
    }
}
