namespace LvsNet.Cli.Import;

/// <summary>Collects the notes of one import in source order.</summary>
internal sealed class ImportNotes
{
    private readonly List<ImportNote> _notes = [];

    /// <summary>The notes so far.</summary>
    public List<ImportNote> All => _notes;

    /// <summary>The firewall-mark services imported, each with the source line that defined it first.</summary>
    public Dictionary<uint, int> FirewallMarkLines { get; } = [];

    /// <summary>Records LVS configuration that could not be mapped.</summary>
    public void Error(int? line, string message) => Add(new ImportNote(line, ImportNoteKind.Error, message));

    /// <summary>Records an adjustment.</summary>
    public void Adjusted(int? line, string message) => Add(new ImportNote(line, ImportNoteKind.Adjusted, message));

    /// <summary>Records configuration that is not LVS and stays in keepalived.</summary>
    public void NotLvs(int? line, string message) => Add(new ImportNote(line, ImportNoteKind.NotLvs, message));

    // A group's members repeat the same adjustment; it is reported once.
    private void Add(ImportNote note)
    {
        if (!_notes.Contains(note))
        {
            _notes.Add(note);
        }
    }

    /// <summary>Records an error for a statement: "title: keyword args: reason".</summary>
    public void Unmapped(string title, KeepalivedNode node, string reason) => Error(node.Line, $"{title}: {node.Text}: {reason}");
}
