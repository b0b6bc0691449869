namespace LvsNet.Daemon.Routing;

/// <summary>One reply of BIRD's control socket.</summary>
/// <param name="Code">The code of the reply's last line (0001 greeting, 0003 reconfigured, 8xxx/9xxx errors).</param>
/// <param name="Lines">The text of every line, without the codes.</param>
public sealed record BirdReply(int Code, IReadOnlyList<string> Lines)
{
    /// <summary>True for codes below 8000 (BIRD's success and progress replies).</summary>
    public bool Ok => Code < 8000;

    /// <summary>The lines joined for a log message.</summary>
    public string Text => string.Join(" / ", Lines.Where(l => l.Length > 0));

    /// <summary>True when <paramref name="line"/> ends a reply: four digits and a space (or nothing) after them.</summary>
    public static bool TryParseFinal(string line, out int code, out string text)
    {
        ArgumentNullException.ThrowIfNull(line);
        code = 0;
        text = "";
        if (line.Length < 4 || !int.TryParse(line.AsSpan(0, 4), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out code))
        {
            return false;
        }

        if (line.Length == 4 || line[4] == ' ')
        {
            text = line.Length > 5 ? line[5..] : "";
            return true;
        }

        return false;
    }
}
