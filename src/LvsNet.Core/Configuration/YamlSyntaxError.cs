using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace LvsNet.Core.Configuration;

/// <summary>
/// Turns a YAML syntax error into a <see cref="ConfigError"/> with the line and column of the
/// offending character and the YAML path of the node being read there: the document is replayed
/// through the event parser, tracking mapping keys and sequence indexes until the error.
/// </summary>
internal static class YamlSyntaxError
{
    /// <summary>The error of <paramref name="yaml"/>, or null when it parses.</summary>
    public static ConfigError? Find(string yaml)
    {
        var frames = new List<Frame>();
        var parser = new Parser(new StringReader(yaml));
        var last = (Line: 1, Column: 1);
        try
        {
            while (parser.MoveNext())
            {
                last = ((int)parser.Current!.Start.Line, (int)parser.Current.Start.Column);
                switch (parser.Current)
                {
                    case MappingStart:
                        frames.Add(new Frame(isMapping: true));
                        break;
                    case SequenceStart:
                        frames.Add(new Frame(isMapping: false));
                        break;
                    case MappingEnd or SequenceEnd:
                        frames.RemoveAt(frames.Count - 1);
                        Completed(frames);
                        break;
                    case Scalar scalar when frames.Count > 0 && frames[^1] is { IsMapping: true, ExpectingKey: true }:
                        frames[^1].Key = scalar.Value;
                        frames[^1].ExpectingKey = false;
                        break;
                    case Scalar or AnchorAlias:
                        Completed(frames);
                        break;
                }
            }

            return null;
        }
        catch (YamlException ex)
        {
            var message = Describe(ex);
            var at = ((int)ex.Start.Line, (int)ex.Start.Column);

            // YamlDotNet reports a tab in the indentation at line 1, column 1: find the tab itself.
            if (message.Contains("tab", StringComparison.Ordinal) && FirstIndentationTab(yaml, last.Line) is { } tab)
            {
                at = tab;
                message += " (YAML indents with spaces only)";
            }

            return new ConfigError(PathOf(frames), at.Item1, "not valid YAML: " + message) { Column = at.Item2 };
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner gives up without a position on some broken flow collections: the
            // last node read is where the document stops making sense.
            return new ConfigError(PathOf(frames), last.Line, "not valid YAML: the document cannot be read after this point (an unclosed [ ], { } or quote?)") { Column = last.Column };
        }
    }

    private static (int Line, int Column)? FirstIndentationTab(string yaml, int fromLine)
    {
        var lines = yaml.Split('\n');
        for (var i = Math.Max(0, fromLine - 1); i < lines.Length; i++)
        {
            var line = lines[i];
            for (var k = 0; k < line.Length && (line[k] == ' ' || line[k] == '\t'); k++)
            {
                if (line[k] == '\t')
                {
                    return (i + 1, k + 1);
                }
            }
        }

        return null;
    }

    // A value was read: a mapping now expects its next key, a sequence its next item.
    private static void Completed(List<Frame> frames)
    {
        if (frames.Count == 0)
        {
            return;
        }

        var top = frames[^1];
        if (top.IsMapping)
        {
            top.ExpectingKey = true;
        }
        else
        {
            top.Index++;
        }
    }

    private static string PathOf(List<Frame> frames)
    {
        var path = new StringBuilder();
        foreach (var frame in frames)
        {
            if (frame.IsMapping)
            {
                if (frame.Key is null)
                {
                    break;
                }

                if (path.Length > 0)
                {
                    path.Append('.');
                }

                path.Append(frame.Key);
            }
            else
            {
                path.Append('[').Append(frame.Index).Append(']');
            }
        }

        return path.ToString();
    }

    // YamlDotNet's message starts with "(Line: 8, Col: 1, Idx: 97) - (Line: ...): "; the position is reported apart.
    private static string Describe(YamlException ex)
    {
        var message = ex.Message;
        var cut = message.IndexOf("): ", StringComparison.Ordinal);
        if (message.StartsWith("(Line:", StringComparison.Ordinal) && cut >= 0)
        {
            message = message[(cut + 3)..];
        }

        return message;
    }

    private sealed class Frame(bool isMapping)
    {
        public bool IsMapping { get; } = isMapping;

        public bool ExpectingKey { get; set; } = true;

        public string? Key { get; set; }

        public int Index { get; set; }
    }
}
