namespace LvsNet.Cli.Tests.Import;

/// <summary>The keepalived.conf files under Import/TestData and the lines of their statements.</summary>
internal static class KeepalivedTestFiles
{
    /// <summary>The text of TestData/<paramref name="name"/>.</summary>
    public static string Read(string name) => File.ReadAllText(PathOf(name));

    /// <summary>The full path of TestData/<paramref name="name"/> (copied beside the test assembly).</summary>
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Import", "TestData", name);

    /// <summary>The 1-based line of the first line of <paramref name="text"/> containing <paramref name="fragment"/> (after line <paramref name="after"/>).</summary>
    public static int LineOf(string text, string fragment, int after = 0)
    {
        var lines = text.Split('\n');
        for (var i = after; i < lines.Length; i++)
        {
            if (lines[i].Contains(fragment, StringComparison.Ordinal))
            {
                return i + 1;
            }
        }

        throw new InvalidOperationException($"'{fragment}' is not in the file");
    }
}
