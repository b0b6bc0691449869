using LvsNet.Cli.Ipvsadm;
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

    private static AdminInvocation ParseImport(List<string> rest, string socket, bool json)
    {
        string? file = null;
        string? nic = null;
        string? address = null;
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
            ImportFile = file ?? throw new IpvsadmUsageException("import needs a file: lvsnetadm import FILE [--interface IF --address DIP/PREFIX]"),
            DirectorInterface = nic,
            DirectorAddress = address,
        };
    }

    /// <summary>The help text (<c>lvsnetadm -h</c>): ipvsadm's usage plus LvsNet's verbs.</summary>
    public static string Usage(string version) =>
        $$"""
        {{Program}} {{version}} (ipvsadm 1.31 compatible; talks to lvsnetd over its command socket)
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
          {{Program}} reload | status | log-level LEVEL | export-yaml
          {{Program}} import FILE [--interface IF --address DIP/PREFIX]
          {{Program}} -h

        Commands:
        Either long or short options are allowed.
          --add-service     -A        add virtual service with options
          --edit-service    -E        edit virtual service with options
          --delete-service  -D        delete virtual service
          --clear           -C        clear the whole table
          --restore         -R        restore rules from stdin (all or nothing)
          --save            -S        save rules to stdout
          --add-server      -a        add real server with options
          --edit-server     -e        edit real server with options
          --delete-server   -d        delete real server
          --list            -L|-l     list the table
          --zero            -Z        zero counters in a service or all services
          --set tcp tcpfin udp        set connection timeout values
          --add-laddr       -P        add a FULLNAT local address (DPVS)
          --del-laddr       -Q        delete a FULLNAT local address (DPVS)
          --get-laddr       -G        list the FULLNAT local addresses (DPVS)
          --help            -h        display this help message
          reload                      reload the configuration file and print the result
          status                      uptime, last reload, capture and data-path counters
          log-level LEVEL             set the daemon's log level (Verbose..Fatal) until restart
          export-yaml                 print the running configuration as YAML
          import FILE                 convert ipvsadm-save output or keepalived.conf to YAML

        virtual-service:
          --tcp-service|-t  service-address   service-address is host[:port]
          --udp-service|-u  service-address   service-address is host[:port]

        Options:
          --scheduler    -s scheduler         one of rr|wrr|lc|wlc|lblc|lblcr|dh|sh|sed|nq|fo|ovf|mh|twos,
                                              the default scheduler is wlc.
          --persistent   -p [timeout]         persistent service (default 360 s)
          --netmask      -M netmask           persistent granularity mask
          --real-server  -r server-address    server-address is host (and port)
          --gatewaying   -g                   gatewaying (direct routing) (default)
          --ipip         -i                   ipip encapsulation (tunneling)
          --masquerading -m                   masquerading (NAT)
          --fullnat                           full NAT (LvsNet)
          --laddr        -z local-address     FULLNAT local address (with -P/-Q)
          --ifname       -F ifname            accepted for DPVS compatibility (one interface)
          --toa                               FULLNAT: client address in TCP option 254 (-A/-E)
          --weight       -w weight            capacity of real server
          --u-threshold  -x uthreshold        upper threshold of connections
          --l-threshold  -y lthreshold        lower threshold of connections
          --connection   -c                   output of current IPVS connections
          --timeout                           output of timeout (tcp tcpfin udp)
          --stats                             output of statistics information
          --rate                              output of rate information
          --exact                             expand numbers (display exact values)
          --thresholds                        output of thresholds information
          --persistent-conn                   output of persistent connection info
          --tun-info                          output of tunnel information
          --nosort                            disable sorting output of service/server entries
          --sort                              does nothing, for backwards compatibility
          --ops          -o                   one-packet scheduling
          --numeric      -n                   numeric output of addresses and ports
          --sched-flags  -b flags             scheduler flags (comma-separated)
          --json                              print the daemon's data as JSON
          --socket PATH                       the daemon's command socket (default $LVSNET_SOCKET or
                                              {{ControlProtocol.DefaultSocketPath}})

        """;
}
