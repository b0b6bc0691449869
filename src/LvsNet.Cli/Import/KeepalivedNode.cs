namespace LvsNet.Cli.Import;

/// <summary>One keepalived.conf statement: a keyword, its arguments, and the statements of its block if it has one.</summary>
/// <param name="Keyword">The keyword, for example <c>virtual_server</c>.</param>
/// <param name="Args">The words after the keyword.</param>
/// <param name="Line">The 1-based line of the keyword.</param>
/// <param name="Children">The block's statements, or null when the statement has no block.</param>
internal sealed record KeepalivedNode(string Keyword, IReadOnlyList<string> Args, int Line, IReadOnlyList<KeepalivedNode>? Children)
{
    /// <summary>The first child with <paramref name="keyword"/>, or null.</summary>
    public KeepalivedNode? Child(string keyword) => Children?.FirstOrDefault(c => c.Keyword == keyword);
}
