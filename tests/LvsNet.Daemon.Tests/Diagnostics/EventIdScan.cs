using System.Text.RegularExpressions;

namespace LvsNet.Daemon.Tests.Diagnostics;

/// <summary>Reads <c>[LoggerMessage]</c> attributes and the operations guide's event table out of source text.</summary>
internal static partial class EventIdScan
{
    /// <summary>One <c>[LoggerMessage(...)]</c>: its file, the id expression and the event name expression.</summary>
    public sealed record Attribute(string File, string Text, string? EventId, string? EventName);

    /// <summary>Every <c>[LoggerMessage(...)]</c> attribute in <paramref name="text"/> (they may span lines).</summary>
    public static IEnumerable<Attribute> LoggerMessages(string file, string text)
    {
        foreach (Match match in LoggerMessageRegex().Matches(text))
        {
            var body = match.Groups["body"].Value;
            var id = EventIdRegex().Match(body);
            var name = EventNameRegex().Match(body);
            yield return new Attribute(file, match.Value, id.Success ? id.Groups[1].Value.Trim() : null, name.Success ? name.Groups[1].Value.Trim() : null);
        }
    }

    /// <summary>The problems of one attribute: a literal or missing id, or a name that is not the id's own.</summary>
    public static IEnumerable<string> Problems(Attribute attribute)
    {
        if (attribute.EventId is null)
        {
            yield return $"{attribute.File}: [LoggerMessage] without EventId: {attribute.Text}";
            yield break;
        }

        var constant = ConstantRegex().Match(attribute.EventId);
        if (!constant.Success)
        {
            yield return $"{attribute.File}: [LoggerMessage] with EventId = {attribute.EventId}, not a constant of EventIds";
            yield break;
        }

        if (attribute.EventName is { } eventName && eventName != $"nameof(EventIds.{constant.Groups[1].Value})")
        {
            yield return $"{attribute.File}: EventId = {attribute.EventId} with EventName = {eventName}";
        }
    }

    /// <summary>The EventIds constant an attribute uses, or null.</summary>
    public static string? ConstantName(Attribute attribute) =>
        attribute.EventId is { } id && ConstantRegex().Match(id) is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>
    /// The rows of the "## Logs" table in docs/operations.md: single ids with their name, and
    /// reserved ranges ("203-205").
    /// </summary>
    public static (List<(int Id, string Name)> Rows, List<(int First, int Last)> Reserved) OperationsTable(string markdown)
    {
        var rows = new List<(int, string)>();
        var reserved = new List<(int, int)>();
        var section = markdown.IndexOf("\n## Logs", StringComparison.Ordinal);
        var end = markdown.IndexOf("\n## ", section + 1, StringComparison.Ordinal);
        foreach (var line in markdown[section..(end < 0 ? markdown.Length : end)].Split('\n'))
        {
            if (RowRegex().Match(line) is { Success: true } row)
            {
                rows.Add((int.Parse(row.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), row.Groups[2].Value));
            }
            else if (ReservedRegex().Match(line) is { Success: true } range)
            {
                reserved.Add((int.Parse(range.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(range.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)));
            }
        }

        return (rows, reserved);
    }

    [GeneratedRegex(@"\[LoggerMessage\((?<body>(?:[^()""]|""(?:[^""\\]|\\.)*""|\((?:[^()""]|""(?:[^""\\]|\\.)*"")*\))*)\)\]", RegexOptions.Singleline)]
    private static partial Regex LoggerMessageRegex();

    [GeneratedRegex(@"\bEventId\s*=\s*([^,)]+)")]
    private static partial Regex EventIdRegex();

    [GeneratedRegex(@"\bEventName\s*=\s*(nameof\([^)]*\)|""[^""]*""|[^,)]+)")]
    private static partial Regex EventNameRegex();

    [GeneratedRegex(@"^(?:LvsNet\.Core\.Diagnostics\.)?EventIds\.(\w+)$")]
    private static partial Regex ConstantRegex();

    [GeneratedRegex(@"^\|\s*(\d{3})\s*\|\s*(\w+)\s*\|")]
    private static partial Regex RowRegex();

    [GeneratedRegex(@"^\|\s*(\d{3})-(\d{3})\s*\|\s*\(reserved\)")]
    private static partial Regex ReservedRegex();
}
