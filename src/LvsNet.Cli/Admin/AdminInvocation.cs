using LvsNet.Cli.Ipvsadm;

namespace LvsNet.Cli.Admin;

/// <summary>A parsed <c>lvsnetadm</c> command line.</summary>
public sealed record AdminInvocation
{
    /// <summary>For <see cref="AdminVerb.Role"/>: master, backup or fault.</summary>
    public string? Role { get; init; }

    /// <summary>What to do.</summary>
    public required AdminVerb Verb { get; init; }

    /// <summary>The daemon's command socket.</summary>
    public required string SocketPath { get; init; }

    /// <summary>--json: print the daemon's data as JSON instead of ipvsadm's text.</summary>
    public bool Json { get; init; }

    /// <summary>For <see cref="AdminVerb.Ipvsadm"/>: the parsed ipvsadm command.</summary>
    public IpvsadmInvocation? Ipvsadm { get; init; }

    /// <summary>For <see cref="AdminVerb.LogLevel"/>: the level.</summary>
    public string? Level { get; init; }

    /// <summary>For <see cref="AdminVerb.Import"/>: the file to convert ("-" = standard input).</summary>
    public string? ImportFile { get; init; }

    /// <summary>For <see cref="AdminVerb.Import"/>: --interface, the director's NIC.</summary>
    public string? DirectorInterface { get; init; }

    /// <summary>For <see cref="AdminVerb.Import"/>: --address, the director's address with its prefix.</summary>
    public string? DirectorAddress { get; init; }

    /// <summary>For <see cref="AdminVerb.Import"/>: --check, print only the report (no YAML); the exit status says whether everything was mapped.</summary>
    public bool ImportCheckOnly { get; init; }

    /// <summary>import --marks: an iptables-save file whose mangle MARK rules become the firewall_marks of the imported fwmark services.</summary>
    public string? ImportMarksFile { get; init; }

    /// <summary>For <see cref="AdminVerb.Top"/>: its settings.</summary>
    public LvsNet.Cli.Top.TopOptions? Top { get; init; }

    /// <summary>For <see cref="AdminVerb.Drain"/>: --timeout, how long established connections are served (null = the configuration's drain_timeout).</summary>
    public TimeSpan? DrainTimeout { get; init; }
}
