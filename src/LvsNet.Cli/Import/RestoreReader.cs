namespace LvsNet.Cli.Import;

/// <summary>
/// Splits an <c>ipvsadm -R</c> / <c>ipvsadm-save</c> stream into command lines: one command per
/// line, whitespace-separated, an optional leading <c>ipvsadm</c>, '#' starting a comment, blank
/// lines skipped.
/// </summary>
public static class RestoreReader
{
    /// <summary>The command lines of <paramref name="reader"/>, each with its 1-based line number.</summary>
    public static IReadOnlyList<(int Line, string[] Args)> Read(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var result = new List<(int, string[])>();
        var number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            var hash = line.IndexOf('#', StringComparison.Ordinal);
            if (hash >= 0)
            {
                line = line[..hash];
            }

            var args = line.Split([' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries);
            if (args.Length > 0 && args[0] == "ipvsadm")
            {
                args = args[1..];
            }

            if (args.Length > 0)
            {
                result.Add((number, args));
            }
        }

        return result;
    }
}
