using System.Text.RegularExpressions;
using LvsNet.Core.Configuration;
using static LvsNet.Cli.Import.KeepalivedValues;

namespace LvsNet.Cli.Import;

/// <summary>
/// The regex statements of one HTTP_GET/SSL_GET <c>url</c> block (keepalived.conf(5): <c>regex</c>,
/// <c>regex_no_match</c>, <c>regex_options</c>, <c>regex_max_offset</c>, <c>regex_min_offset</c>,
/// <c>regex_stack</c>) gathered, then applied to the checker. keepalived compiles the pattern with
/// PCRE2; lvsnetd uses .NET's engine, so the pattern must also compile there, and the PCRE2 options
/// with an inline .NET equivalent (caseless, multiline, dotall, extended) become a <c>(?imsx)</c> prefix.
/// </summary>
internal sealed class KeepalivedRegex
{
    private static readonly Dictionary<string, char> InlineOptions = new(StringComparer.Ordinal)
    {
        ["caseless"] = 'i',
        ["multiline"] = 'm',
        ["dotall"] = 's',
        ["extended"] = 'x',
    };

    private string? _pattern;
    private bool _noMatch;
    private int? _maxOffset;
    private int _firstLine;
    private string _options = "";

    /// <summary>Reads one regex statement; false (with the error noted) when it cannot be mapped.</summary>
    public bool Read(KeepalivedNode child, string title, ImportNotes notes)
    {
        _firstLine = _firstLine == 0 ? child.Line : _firstLine;
        switch (child.Keyword)
        {
            case "regex" when child.Args.Count > 0:
                _pattern = child.Rest;
                return true;
            case "regex_no_match":
                _noMatch = true;
                return true;
            case "regex_options":
                foreach (var option in child.Args)
                {
                    if (!InlineOptions.TryGetValue(option, out var letter))
                    {
                        notes.Unmapped(title, child, $"option '{option}' has no .NET equivalent; lvsnetd maps {string.Join(", ", InlineOptions.Keys)}");
                        return false;
                    }

                    _options += _options.Contains(letter, StringComparison.Ordinal) ? "" : letter.ToString();
                }

                return true;
            case "regex_max_offset":
                if (!TryNumber(child, title, notes, 1, 64 << 20, out var offset))
                {
                    return false;
                }

                _maxOffset = offset;
                return true;
            case "regex_stack":
                notes.Adjusted(child.Line, $"{title}: {child.Text}: ignored (lvsnetd bounds each match by time, 500 ms, not by a stack size)");
                return true;
            case "regex_min_offset":
                notes.Unmapped(title, child, "lvsnetd searches the body from its start (regex_max_offset is supported)");
                return false;
            default:
                notes.Unmapped(title, child, "expected a pattern");
                return false;
        }
    }

    /// <summary>Puts the regex on <paramref name="config"/>; false (noted) when the pattern is missing or does not compile.</summary>
    public bool Apply(ref HttpGetCheckConfig config, string title, ImportNotes notes)
    {
        if (_pattern is null)
        {
            if (_firstLine != 0)
            {
                notes.Error(_firstLine, $"{title}: regex options without a regex");
                return false;
            }

            return true;
        }

        var pattern = _options.Length > 0 ? $"(?{_options}){_pattern}" : _pattern;
        try
        {
            _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException ex)
        {
            notes.Error(_firstLine, $"{title}: regex {_pattern}: not a pattern lvsnetd's .NET engine accepts ({ex.Message})");
            return false;
        }

        config = config with { Regex = pattern, RegexNoMatch = _noMatch, RegexMaxOffset = _maxOffset };
        notes.Adjusted(_firstLine, $"{title}: regex: lvsnetd matches with .NET's engine over the body as Latin-1 (keepalived uses PCRE2); the pattern compiled, check that it means the same");
        return true;
    }
}
