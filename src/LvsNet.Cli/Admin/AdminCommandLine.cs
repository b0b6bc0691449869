using LvsNet.Cli.Ipvsadm;
using LvsNet.Cli.Top;
using LvsNet.Control.Protocol;

namespace LvsNet.Cli.Admin;

/// <summary>
/// Parses <c>lvsnetadm</c>'s command line: the global options <c>--socket PATH</c> and <c>--json</c>
/// (anywhere), then either one of LvsNet's verbs (reload, status, log-level, export-yaml, import) or
/// an ipvsadm command line.
/// </summary>
public static class AdminCommandLine
{
    /// <summary>The program name used in messages.</summary>
    public const string Program = "lvsnetadm";

    /// <summary>Parses <paramref name="args"/>.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="defaultSocket">The socket when --socket is absent ($LVSNET_SOCKET or the default path).</param>
    /// <param name="resolver">Name resolution for ipvsadm host and service names.</param>
    /// <exception cref="IpvsadmUsageException">The line cannot be understood.</exception>
    public static AdminInvocation Parse(IReadOnlyList<string> args, string? defaultSocket = null, INameResolver? resolver = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        var socket = string.IsNullOrEmpty(defaultSocket) ? ControlProtocol.DefaultSocketPath : defaultSocket;
        var json = false;
        var rest = new List<string>(args.Count);
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--json":
                    json = true;
                    break;
                case "--socket":
                    socket = i + 1 < args.Count ? args[++i] : throw new IpvsadmUsageException("--socket: missing argument", 255);
                    break;
                default:
                    if (args[i].StartsWith("--socket=", StringComparison.Ordinal))
                    {
                        socket = args[i]["--socket=".Length..];
                    }
                    else
                    {
                        rest.Add(args[i]);
                    }

                    break;
            }
        }

        var verb = rest.Count > 0 ? rest[0] : null;
        switch (verb)
        {
            case "reload":
            case "status":
            case "export-yaml":
                if (rest.Count > 1)
                {
                    throw new IpvsadmUsageException($"unexpected argument {rest[1]}");
                }

                return new AdminInvocation
                {
                    Verb = verb switch { "reload" => AdminVerb.Reload, "status" => AdminVerb.Status, _ => AdminVerb.ExportYaml },
                    SocketPath = socket,
                    Json = json,
                };
            case "log-level":
                if (rest.Count != 2)
                {
                    throw new IpvsadmUsageException("log-level needs one level: Verbose, Debug, Information, Warning, Error or Fatal");
                }

                return new AdminInvocation { Verb = AdminVerb.LogLevel, SocketPath = socket, Json = json, Level = rest[1] };
            case "import":
                return ParseImport(rest, socket, json);
            case "role":
            case "vrrp":
                // keepalived's notify passes the state in capitals (MASTER); any case is taken.
                if (rest.Count != 2 || rest[1].ToUpperInvariant() is not ("MASTER" or "BACKUP" or "FAULT"))
                {
                    throw new IpvsadmUsageException($"{verb} needs one role: master, backup or fault");
                }

                return new AdminInvocation { Verb = AdminVerb.Role, SocketPath = socket, Json = json, Role = rest[1].ToLowerInvariant() };
            case "drain":
                return new AdminInvocation { Verb = AdminVerb.Drain, SocketPath = socket, Json = json, DrainTimeout = ParseDrain(rest) };
            case "undrain":
                if (rest.Count > 1)
                {
                    throw new IpvsadmUsageException($"unexpected argument {rest[1]}");
                }

                return new AdminInvocation { Verb = AdminVerb.Undrain, SocketPath = socket, Json = json };
            case "top":
                return new AdminInvocation { Verb = AdminVerb.Top, SocketPath = socket, Json = json, Top = ParseTop(rest) };
            default:
                return new AdminInvocation
                {
                    Verb = AdminVerb.Ipvsadm,
                    SocketPath = socket,
                    Json = json,
                    Ipvsadm = new IpvsadmParser(resolver).Parse(rest, Program),
                };
        }
    }

    // drain [--timeout DURATION]: a duration as the YAML takes it (90, 90s, 5m).
    private static TimeSpan? ParseDrain(List<string> rest)
    {
        if (rest.Count == 1)
        {
            return null;
        }

        var value = rest.Count == 3 && rest[1] == "--timeout" ? rest[2]
            : rest.Count == 2 && rest[1].StartsWith("--timeout=", StringComparison.Ordinal) ? rest[1]["--timeout=".Length..]
            : throw new IpvsadmUsageException("drain takes only --timeout DURATION");
        if (!Core.Configuration.DurationParser.TryParse(value, out var timeout) || timeout < TimeSpan.Zero || timeout > TimeSpan.FromDays(1))
        {
            throw new IpvsadmUsageException($"drain --timeout must be a duration from 0 s to 1 day (90, 90s, 5m), got '{value}'");
        }

        return timeout;
    }

    private static TopOptions ParseTop(List<string> rest)
    {
        var options = new TopOptions();
        for (var i = 1; i < rest.Count; i++)
        {
            string Value() => i + 1 < rest.Count ? rest[++i] : throw new IpvsadmUsageException($"{rest[i]}: missing argument", 255);
            switch (rest[i])
            {
                case "-n":
                    // Addresses are always numeric in top; accepted for the habit of ipvsadm -L -n.
                    break;
                case "-b":
                    options = options with { Batch = true };
                    break;
                case "-d":
                    var delay = Value();
                    options = options with
                    {
                        Interval = double.TryParse(delay, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds is >= 0.2 and <= 3600
                            ? TimeSpan.FromSeconds(seconds)
                            : throw new IpvsadmUsageException($"top -d: a delay in seconds between 0.2 and 3600, got '{delay}'"),
                    };
                    break;
                case "-i":
                    var count = Value();
                    options = options with
                    {
                        Iterations = int.TryParse(count, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0
                            ? n
                            : throw new IpvsadmUsageException($"top -i: a number of frames, got '{count}'"),
                    };
                    break;
                case "--sort":
                    var key = Value();
                    options = options with
                    {
                        Sort = key.Length == 1 && TopOptions.SortOf(key[0]) is { } sort
                            ? sort
                            : TopOptions.Keys.FirstOrDefault(k => k.Name == key) is { Name: not null } named ? named.Sort
                            : throw new IpvsadmUsageException($"top --sort: one of {string.Join(", ", TopOptions.Keys.Select(k => $"{k.Key} ({k.Name})"))}, got '{key}'"),
                    };
                    break;
                default:
                    throw new IpvsadmUsageException($"top: unexpected argument {rest[i]} (top [-n] [-d SECONDS] [-b] [-i FRAMES] [--sort KEY])");
            }
        }

        return options;
    }

    private static AdminInvocation ParseImport(List<string> rest, string socket, bool json)
    {
        string? file = null;
        string? nic = null;
        string? address = null;
        string? marks = null;
        var checkOnly = false;
        for (var i = 1; i < rest.Count; i++)
        {
            string Value() => i + 1 < rest.Count ? rest[++i] : throw new IpvsadmUsageException($"{rest[i]}: missing argument", 255);
            switch (rest[i])
            {
                case "--interface":
                    nic = Value();
                    break;
                case "--address":
                    address = Value();
                    break;
                case "--check":
                    checkOnly = true;
                    break;
                case "--marks":
                    marks = Value();
                    break;
                default:
                    if (file is not null || (rest[i].StartsWith('-') && rest[i] != "-"))
                    {
                        throw new IpvsadmUsageException($"unexpected argument {rest[i]}");
                    }

                    file = rest[i];
                    break;
            }
        }

        return new AdminInvocation
        {
            Verb = AdminVerb.Import,
            SocketPath = socket,
            Json = json,
            ImportFile = file ?? throw new IpvsadmUsageException("import needs a file: lvsnetadm import [--check] FILE [--interface IF --address DIP/PREFIX] [--marks IPTABLES_SAVE_FILE]"),
            DirectorInterface = nic,
            DirectorAddress = address,
            ImportCheckOnly = checkOnly,
            ImportMarksFile = marks,
        };
    }

    /// <summary>The first line of <c>-v</c> and <c>-h</c>, in ipvsadm's form ("ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)").</summary>
    public static string VersionLine(string version) =>
        $"{Program} v{version} (compiled with LvsNet, ipvsadm 1.31 compatible, and IPVS v{ControlProtocol.IpvsVersion})";

    /// <summary>The help text (<c>lvsnetadm -h</c>): ipvsadm's usage, its command and option lists written from the option table, plus LvsNet's verbs.</summary>
    public static string Usage(string version) =>
        $$"""
        {{VersionLine(version)}}
        Usage:
          {{Program}} -A|E virtual-service [-s scheduler] [-p [timeout]] [-M netmask] [-b sched-flags] [-o] [--toa]
          {{Program}} -D virtual-service
          {{Program}} -C
          {{Program}} -R
          {{Program}} -S [-n]
          {{Program}} -a|e virtual-service -r server-address [options]
          {{Program}} -d virtual-service -r server-address
          {{Program}} -L|l [virtual-service] [options]
          {{Program}} -Z [virtual-service]
          {{Program}} --set tcp tcpfin udp
          {{Program}} -P|Q virtual-service -z local-address [-F ifname]
          {{Program}} -G [virtual-service]
          {{Program}} --start-daemon {master|backup} [daemon options]
          {{Program}} --stop-daemon {master|backup}
          {{Program}} reload | status | log-level LEVEL | export-yaml
          {{Program}} role {master|backup|fault}
          {{Program}} drain [--timeout DURATION] | undrain
          {{Program}} import [--check] FILE [--interface IF --address DIP/PREFIX] [--marks IPTABLES_SAVE_FILE]
          {{Program}} top [-n] [-d SECONDS] [-b] [-i FRAMES] [--sort KEY]
          {{Program}} -h | -v

        Commands:
        Either long or short options are allowed.

        """
        + IpvsadmUsage.Commands()
        + """
          reload                      reload the configuration file and print the result
          status                      uptime, last reload, capture and data-path counters
          log-level LEVEL             set the daemon's log level (Verbose..Fatal) until restart
          export-yaml                 print the running configuration as YAML
          role master|backup|fault    set the director's HA role (keepalived notify; alias: vrrp)
          drain [--timeout DURATION]  withdraw the director's BGP routes, keep forwarding the established
                                      connections that still arrive (announce.drain_timeout by default)
          undrain                     announce the healthy VIPs again
          top                         live view of services and real servers with rates and health;
                                      keys n c a i p b s w sort (address, conn/s, active, inactive,
                                      pkt/s, bytes/s, state, weight), q quits; -b batch, -i frames
          import FILE                 convert ipvsadm-save output or keepalived.conf to YAML
                                      (exit 4 when something could not be mapped; --check: report only)

        virtual-service is -t|-u service-address.

        Options:

        """
        + IpvsadmUsage.Options()
        + $$"""
          --json                              print the daemon's data as JSON
          --socket PATH                       the daemon's command socket (default $LVSNET_SOCKET or
                                              {{ControlProtocol.DefaultSocketPath}})

        """;
}
