namespace LvsNet.Cli.Tests.Import;

/// <summary>The keepalived.conf files under Import/TestData and the lines of their statements.</summary>
internal static class KeepalivedTestFiles
{
    /// <summary>The text of TestData/<paramref name="name"/>.</summary>
    public static string Read(string name) => File.ReadAllText(PathOf(name));

    /// <summary>The full path of TestData/<paramref name="name"/> (copied beside the test assembly).</summary>
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Import", "TestData", name);

    /// <summary>
    /// Reads an incomplete import's YAML as lvsnetd would: refused for its import_incomplete key (on
    /// the returned line); without that line, read and validated.
    /// </summary>
    public static (LvsNet.Core.Configuration.LvsConfig Config, int MarkerLine) ParseIncomplete(string yaml)
    {
        var refused = Xunit.Assert.Throws<LvsNet.Core.Configuration.ConfigException>(() => LvsNet.Core.Configuration.LvsConfigReader.Parse(yaml));
        var error = Xunit.Assert.Single(refused.Errors);
        Xunit.Assert.Equal(LvsNet.Core.Configuration.LvsConfigReader.ImportIncompleteKey, error.Path);
        var line = error.Line ?? 0;
        var lines = yaml.Split('\n').ToList();
        Xunit.Assert.StartsWith("import_incomplete: ", lines[line - 1], StringComparison.Ordinal);
        lines.RemoveAt(line - 1);
        return (LvsNet.Core.Configuration.LvsConfigReader.Parse(string.Join('\n', lines)), line);
    }

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
