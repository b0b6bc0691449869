using LvsNet.Control.Editing;
using LvsNet.Core.Configuration;
using LvsNet.Packets;
using static LvsNet.Cli.Ipvsadm.ParsedCommands;

namespace LvsNet.Cli.Ipvsadm;

/// <summary>
/// Parses ipvsadm command lines with ipvsadm's syntax, option rules and error messages
/// (ipvsadm 1.31: which options each command needs, allows or forbids, "multiple commands
/// specified", "illegal weight specified", ...), producing an <see cref="IpvsadmInvocation"/>.
/// Every flag, and which commands take it, is a row of <see cref="IpvsadmOptionTable"/>.
/// </summary>
/// <remarks>
/// Deliberate differences from ipvsadm: the command may come anywhere on the line (ipvsadm wants
/// it first); <c>--fullnat</c> selects LvsNet's FULLNAT method, and DPVS's local-address commands
/// (<c>-P/--add-laddr</c>, <c>-Q/--del-laddr</c>, <c>-G/--get-laddr</c> with <c>-z/--laddr</c>) and
/// <c>--toa</c> on <c>-A/-E</c> manage its source pool; features LvsNet does not have yet
/// (SCTP, persistence engines, GUE/GRE tunnels, the sync daemon) are refused with a
/// message saying so, exit status 2.
/// </remarks>
public sealed partial class IpvsadmParser
{
    /// <summary>The largest timeout ipvsadm accepts (31 days), in seconds.</summary>
    public const int MaxTimeoutSeconds = IpvsadmOptionTable.MaxTimeoutSeconds;

    /// <summary>The persistence timeout of <c>-p</c> without a value (IPVS_SVC_PERSISTENT_TIMEOUT; the man page's 300 is wrong).</summary>
    public const int DefaultPersistenceSeconds = IpvsadmOptionTable.DefaultPersistenceSeconds;

    /// <summary>ipvsadm's default scheduler.</summary>
    public const string DefaultScheduler = "wlc";

    private static readonly OptionRule Connection = IpvsadmOptionTable.RuleOf("connection");
    private static readonly OptionRule Timeout = IpvsadmOptionTable.RuleOf("timeout");
    private static readonly OptionRule Daemon = IpvsadmOptionTable.RuleOf("daemon");
    private static readonly OptionRule[] CounterLayouts = [.. new[] { "stats", "rate", "thresholds" }.Select(IpvsadmOptionTable.RuleOf)];
    private static readonly OptionRule PersistentConnections = IpvsadmOptionTable.RuleOf("persistent-conn");
    private static readonly OptionRule TunnelType = IpvsadmOptionTable.RuleOf("tun-type");

    private readonly INameResolver _resolver;

    /// <summary>Creates a parser that resolves host and service names with <paramref name="resolver"/> (numeric only when null).</summary>
    public IpvsadmParser(INameResolver? resolver = null) => _resolver = resolver ?? NumericNameResolver.Instance;

    /// <summary>The "Try ... -h" hint ipvsadm prints on a command line it cannot make sense of.</summary>
    public static string TryHelp(string program) => $"Try `{program} -h' or '{program} --help' for more information.";

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

        var state = new IpvsadmParseState(_resolver);
        var positional = ReadOptions(args, state);
        if (state.Help)
        {
            return new IpvsadmInvocation { Command = IpvsadmCommand.Help };
        }

        if (state.Version)
        {
            return new IpvsadmInvocation { Command = IpvsadmCommand.Version };
        }

        if (state.Command == ParsedCommands.None)
        {
            throw new IpvsadmUsageException(TryHelp(program), 255) { IsTryHelp = true };
        }

        TimeoutSettings? timeouts = null;
        if (state.Command == Set)
        {
            if (positional.Count < 3)
            {
                throw IpvsadmErrors.Fail("--set option requires 3 timeout values");
            }

            timeouts = new TimeoutSettings(
                IpvsadmValues.Timeout(positional[0], 0, MaxTimeoutSeconds),
                IpvsadmValues.Timeout(positional[1], 0, MaxTimeoutSeconds),
                IpvsadmValues.Timeout(positional[2], 0, MaxTimeoutSeconds));
            positional.RemoveRange(0, 3);
        }

        if (positional.Count > 0)
        {
            throw IpvsadmErrors.Fail($"unexpected argument {positional[0]}");
        }

        if (state.SchedFlagsText is { } flagsText)
        {
            state.SchedFlags = IpvsadmValues.SchedulerFlags(state.Scheduler ?? DefaultScheduler, flagsText);
        }

        if (state.NetmaskText is { } maskText)
        {
            state.Netmask = state.Address6 is not null
                ? IpvsadmValues.Ipv6Netmask(maskText).ToString(System.Globalization.CultureInfo.InvariantCulture)
                : IpvsadmValues.Netmask(maskText, state.Resolver);
        }

        CheckOptions(state);
        CheckCommand(state);
        return Build(state, timeouts);
    }

    // popt's loop: long options with "=value" or a following value, bundled short options
    // ("-Ln", "-p600"), "--" ends the options; everything else is positional.
    private static List<string> ReadOptions(IReadOnlyList<string> args, IpvsadmParseState state)
    {
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
                var row = Find(r => r.Long == name) ?? throw IpvsadmErrors.Popt(arg, "unknown option");
                if (row.Argument == OptionArgument.None && eq >= 0)
                {
                    throw IpvsadmErrors.Popt(arg, "option does not take an argument");
                }

                var value = eq >= 0 ? arg[(eq + 1)..] : NextValue(args, ref i, row, arg);
                Apply(state, row, value);
                continue;
            }

            for (var k = 1; k < arg.Length; k++)
            {
                var c = arg[k];
                var row = Find(r => r.Short == c) ?? throw IpvsadmErrors.Popt(arg, "unknown option");
                if (row.Argument == OptionArgument.None)
                {
                    Apply(state, row, null);
                    continue;
                }

                var value = k + 1 < arg.Length ? arg[(k + 1)..] : NextValue(args, ref i, row, arg);
                Apply(state, row, value);
                break;
            }
        }

        return positional;
    }

    private static IpvsadmOption? Find(Func<IpvsadmOption, bool> match)
    {
        foreach (var row in IpvsadmOptionTable.Rows)
        {
            if (match(row))
            {
                return row;
            }
        }

        return null;
    }

    // A required value is the next argument whatever it looks like; an optional one only when it is not an option.
    private static string? NextValue(IReadOnlyList<string> args, ref int i, IpvsadmOption row, string arg) => row.Argument switch
    {
        OptionArgument.Required => i + 1 < args.Count ? args[++i] : throw IpvsadmErrors.Popt(arg, "missing argument"),
        OptionArgument.Optional when i + 1 < args.Count && !args[i + 1].StartsWith('-') => args[++i],
        _ => null,
    };

    private static void Apply(IpvsadmParseState state, IpvsadmOption row, string? value)
    {
        if (row.Command is { } command)
        {
            state.SetCommand(command.Command);
        }

        if (row.Rule is { } rule)
        {
            state.SetOption(rule);
        }

        row.Handle(state, value);
    }

    // ipvsadm's generic_opt_check over the table: required, illegal, and at most one exclusive option.
    private static void CheckOptions(IpvsadmParseState state)
    {
        var command = state.Command;
        var commandName = IpvsadmOptionTable.CommandName(command);
        OptionRule? exclusive = null;
        foreach (var rule in IpvsadmOptionTable.Rules)
        {
            if (!state.Has(rule))
            {
                if ((rule.Required & command) != 0)
                {
                    throw IpvsadmErrors.Fail($"You need to supply the '{rule.Name}' option for the '{commandName}' command");
                }

                continue;
            }

            if (!rule.AllowedWith(command))
            {
                throw IpvsadmErrors.Fail($"Illegal '{rule.Name}' option with the '{commandName}' command");
            }

            if ((rule.Exclusive & command) != 0)
            {
                if (exclusive is not null)
                {
                    throw IpvsadmErrors.Fail($"The option '{rule.Name}' conflicts with the '{exclusive.Name}' option in the '{commandName}' command");
                }

                exclusive = rule;
            }
        }
    }

    // The checks of ipvsadm's process_options that look at values rather than at which options were given.
    private static void CheckCommand(IpvsadmParseState state)
    {
        if (state.Command is Add or Edit)
        {
            if (state.Port == 0 && state.PersistenceSeconds is null && state.FirewallMark == 0)
            {
                throw IpvsadmErrors.Fail("Zero port specified for non-persistent service");
            }

            if (state.Ops && state.Protocol != ServiceProtocols.Udp && state.FirewallMark == 0)
            {
                throw IpvsadmErrors.Fail("One-Packet Scheduling is only for UDP virtual services");
            }
        }

        if (state.Command is AddServer or EditServer or DeleteServer)
        {
            ResolveServer(state);
        }

        if (state.Command is AddServer or EditServer)
        {
            // DR and TUN cannot map ports: ipvsadm silently uses the virtual port ("don't worry about
            // this if fwmark is used": a fwmark service has none, the server keeps what was given).
            if (state.Method is ForwardingMethods.DirectRouting or ForwardingMethods.Tunnel && state.FirewallMark == 0)
            {
                state.ServerPort = state.Port;
            }

            // ipvsadm: "Tunneling allows different address family" (an IPv6 server behind an IPv4 VIP or the reverse).
            var serviceIpv6 = state.Address6 is not null;
            var serverIpv6 = state.ServerAddress6 is not null;
            if (serviceIpv6 != serverIpv6 && state.Method != ForwardingMethods.Tunnel)
            {
                throw IpvsadmErrors.Fail("Different address family is allowed only for tunneling servers");
            }

            CheckTunnelOptions(state);
        }

        // ipvsadm 1.31 lets -c show persistence columns, so --persistent-conn conflicts only with --timeout and --daemon.
        if (state.Command == List
            && (((state.Has(Connection) || state.Has(Timeout) || state.Has(Daemon)) && CounterLayouts.Any(state.Has))
                || ((state.Has(Timeout) || state.Has(Daemon)) && state.Has(PersistentConnections))))
        {
            throw IpvsadmErrors.Fail("options conflicts in the list command");
        }
    }

    private static void ResolveServer(IpvsadmParseState s)
    {
        if (!IpvsadmValues.TryParseService(s.ServerText!, s.Protocol, s.Resolver, out var address, out var address6, out var port, out var hasPort))
        {
            throw IpvsadmErrors.Fail("illegal real server address[:port] specified");
        }

        s.ServerAddress = address;
        s.ServerAddress6 = address6;

        // Without a port the real server takes the virtual port.
        s.ServerPort = hasPort ? port : s.Port;
    }

    private static void CheckTunnelOptions(IpvsadmParseState s)
    {
        var tunnelOptions = IpvsadmOptionTable.TunnelOptions;
        if (tunnelOptions.Any(s.Has) && s.Method != ForwardingMethods.Tunnel)
        {
            throw IpvsadmErrors.Fail("Tunnel options conflict with forward method");
        }

        if (s.Method != ForwardingMethods.Tunnel)
        {
            return;
        }

        var type = s.TunnelType ?? "ipip";
        if (type != "ipip")
        {
            throw IpvsadmErrors.Unsupported($"--tun-type {type}", "GUE and GRE tunnels");
        }

        foreach (var option in tunnelOptions)
        {
            if (option != TunnelType && s.Has(option))
            {
                throw IpvsadmErrors.Fail($"Illegal '{option.Name}' option with the 'ipip' tunnel type");
            }
        }
    }
}
