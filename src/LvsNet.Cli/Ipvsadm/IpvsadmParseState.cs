using LvsNet.Core.Configuration;

namespace LvsNet.Cli.Ipvsadm;

/// <summary>What the option handlers have gathered from one command line so far.</summary>
internal sealed class IpvsadmParseState
{
    private readonly List<OptionRule> _options = [];

    public IpvsadmParseState(INameResolver resolver) => Resolver = resolver;

    /// <summary>Resolves host and service names in addresses.</summary>
    public INameResolver Resolver { get; }

    public ParsedCommands Command { get; private set; } = ParsedCommands.None;

    /// <summary>--start-daemon / --stop-daemon: master or backup.</summary>
    public string? DaemonState { get; set; }

    /// <summary>--mcast-interface.</summary>
    public string? McastInterface { get; set; }

    /// <summary>--syncid.</summary>
    public int? SyncId { get; set; }

    /// <summary>--sync-maxlen.</summary>
    public int? SyncMaxLength { get; set; }

    /// <summary>--mcast-group.</summary>
    public string? McastGroup { get; set; }

    /// <summary>--mcast-port.</summary>
    public int? McastPort { get; set; }

    /// <summary>--mcast-ttl.</summary>
    public int? McastTtl { get; set; }

    /// <summary>The options given, as their ipvsadm identities.</summary>
    public IReadOnlyList<OptionRule> Options => _options;

    public ListFormat Format { get; set; }

    public bool Help { get; set; }

    public bool Version { get; set; }

    public string Protocol { get; set; } = ServiceProtocols.Tcp;

    public uint? Address { get; set; }

    /// <summary>The IPv6 VIP of -t/-u (then <see cref="Address"/> is 0), or null.</summary>
    public LvsNet.Packets.Ipv6.Ipv6Address? Address6 { get; set; }

    public ushort Port { get; set; }

    /// <summary>The firewall mark of -f, or 0.</summary>
    public uint FirewallMark { get; set; }

    public string? Scheduler { get; set; }

    public int? PersistenceSeconds { get; set; }

    public string? Netmask { get; set; }

    /// <summary>-M as given: read once the service's family is known (a dotted mask for IPv4, a prefix length for IPv6).</summary>
    public string? NetmaskText { get; set; }

    public bool Ops { get; set; }

    public string? SchedFlagsText { get; set; }

    public List<string>? SchedFlags { get; set; }

    public string? ServerText { get; set; }

    public string? LocalAddress { get; set; }

    public bool Toa { get; set; }

    public uint ServerAddress { get; set; }

    /// <summary>The IPv6 address of -r (then <see cref="ServerAddress"/> is 0), or null.</summary>
    public LvsNet.Packets.Ipv6.Ipv6Address? ServerAddress6 { get; set; }

    public ushort ServerPort { get; set; }

    public string Method { get; set; } = ForwardingMethods.DirectRouting;

    public int? Weight { get; set; }

    public int? UpperThreshold { get; set; }

    public int? LowerThreshold { get; set; }

    public string? TunnelType { get; set; }

    /// <summary>-L -c with --client, --server, --service or --limit: the daemon filters the connections.</summary>
    public LvsNet.Control.Protocol.ConnectionFilter? Filter { get; set; }

    /// <summary>ipvsadm's set_command: one command per line.</summary>
    public void SetCommand(ParsedCommands command)
    {
        if (Command != ParsedCommands.None)
        {
            throw IpvsadmErrors.Fail("multiple commands specified");
        }

        Command = command;
    }

    /// <summary>ipvsadm's set_option: each option identity at most once.</summary>
    public void SetOption(OptionRule option)
    {
        if (Has(option))
        {
            throw IpvsadmErrors.Fail($"multiple '{option.Name}' options specified");
        }

        _options.Add(option);
    }

    /// <summary>True when an option of this identity was given.</summary>
    public bool Has(OptionRule option) => _options.Contains(option);
}
