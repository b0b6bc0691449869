namespace LvsNet.Cli.Import;

/// <summary>Something an import changed or could not carry over.</summary>
/// <param name="Line">The line of the source file, when known.</param>
/// <param name="Mapped">True when the item was imported with an adjustment (a default applied); false when it was left out.</param>
/// <param name="Message">What happened and why.</param>
public sealed record ImportNote(int? Line, bool Mapped, string Message)
{
    /// <summary>"line 12: not mapped: ..." as the import report prints it.</summary>
    public override string ToString() => (Line is { } line ? $"line {line}: " : "") + (Mapped ? "" : "not mapped: ") + Message;
}
