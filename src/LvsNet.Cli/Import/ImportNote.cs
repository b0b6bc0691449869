namespace LvsNet.Cli.Import;

/// <summary>What an <see cref="ImportNote"/> says about the item it names.</summary>
public enum ImportNoteKind
{
    /// <summary>Imported with an adjustment: a default applied, or a correction keepalived or the kernel makes as well.</summary>
    Adjusted,

    /// <summary>Not LVS configuration (VRRP, static routes, ...): it stays in keepalived, which can run beside lvsnetd.</summary>
    NotLvs,

    /// <summary>LVS configuration LvsNet cannot express: left out, so the result does not behave like the source.</summary>
    Error,
}

/// <summary>Something an import changed or could not carry over.</summary>
/// <param name="Line">The line of the source file, when known.</param>
/// <param name="Kind">Adjusted, not LVS, or an error (left out).</param>
/// <param name="Message">What happened and why.</param>
public sealed record ImportNote(int? Line, ImportNoteKind Kind, string Message)
{
    /// <summary>True unless the item was left out (<see cref="ImportNoteKind.Error"/>).</summary>
    public bool Mapped => Kind != ImportNoteKind.Error;

    /// <summary>"line 12: error: ..." as the import report prints it.</summary>
    public override string ToString() => (Line is { } line ? $"line {line}: " : "") + Kind switch
    {
        ImportNoteKind.Error => "error: ",
        ImportNoteKind.NotLvs => "kept in keepalived: ",
        _ => "",
    } + Message;
}
