namespace LvsNet.Cli.Ipvsadm;

/// <summary>Whether an option takes a value (popt's POPT_ARG_NONE, POPT_ARG_STRING, POPT_ARGFLAG_OPTIONAL).</summary>
internal enum OptionArgument
{
    None,
    Required,
    Optional,
}

/// <summary>
/// One of ipvsadm's option identities (its OPT_* bits): the name its messages use and the
/// commands that allow it, require it, or allow at most one such option ('1' in ipvsadm's table).
/// Several flags may share one identity (-t, -u, -f are all "service-address").
/// </summary>
/// <param name="Name">The name in "Illegal 'NAME' option with the ... command".</param>
/// <param name="Allowed">Commands where the option is optional.</param>
/// <param name="Required">Commands that need it.</param>
/// <param name="Exclusive">Commands where it is allowed but conflicts with the other exclusive options.</param>
internal sealed record OptionRule(string Name, ParsedCommands Allowed = ParsedCommands.None, ParsedCommands Required = ParsedCommands.None, ParsedCommands Exclusive = ParsedCommands.None)
{
    /// <summary>True when <paramref name="command"/> accepts the option at all.</summary>
    public bool AllowedWith(ParsedCommands command) => ((Allowed | Required | Exclusive) & command) != 0;
}

/// <summary>Applies one option's value to the parse state; throws <see cref="IpvsadmUsageException"/> on a bad value.</summary>
internal delegate void OptionHandler(IpvsadmParseState state, string? value);

/// <summary>
/// One row of the ipvsadm option table: a flag's names, its argument, what it is (a command, or an
/// option with its rule) and its handler. Usage text, conflict checks and parsing all read rows.
/// </summary>
internal sealed record IpvsadmOption
{
    /// <summary>The short name, or '\0' for long-only options.</summary>
    public required char Short { get; init; }

    /// <summary>The long name (without "--").</summary>
    public required string Long { get; init; }

    /// <summary>Whether the option takes a value.</summary>
    public OptionArgument Argument { get; init; }

    /// <summary>For a command flag: the command it selects, and its name in ipvsadm's messages.</summary>
    public (ParsedCommands Command, string Name)? Command { get; init; }

    /// <summary>For an option: its identity and which commands allow or require it; null for flags that only act (-h, --sort).</summary>
    public OptionRule? Rule { get; init; }

    /// <summary>What the option does; runs after the command or option has been recorded.</summary>
    public OptionHandler Handle { get; init; } = static (_, _) => { };

    /// <summary>The value's name in the usage text (for example "weight").</summary>
    public string? ValueName { get; init; }

    /// <summary>The usage line; null hides the option from the usage text.</summary>
    public string? Help { get; init; }
}
