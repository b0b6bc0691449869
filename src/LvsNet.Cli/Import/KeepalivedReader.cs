namespace LvsNet.Cli.Import;

/// <summary>
/// Reads keepalived.conf into statements: words separated by whitespace, '#' and '!' start
/// comments, double quotes group words, '{' and '}' open and close blocks (also when written
/// against a word or alone on the next line).
/// </summary>
internal static class KeepalivedReader
{
    public static IReadOnlyList<KeepalivedNode> Read(string text)
    {
        var tokens = Tokenize(text);
        var position = 0;
        return ReadBlock(tokens, ref position, topLevel: true);
    }

    private static List<KeepalivedNode> ReadBlock(List<(string Word, int Line, bool LineStart)> tokens, ref int position, bool topLevel)
    {
        var nodes = new List<KeepalivedNode>();
        while (position < tokens.Count)
        {
            var (word, line, _) = tokens[position];
            if (word == "}")
            {
                position++;
                if (topLevel)
                {
                    continue;
                }

                return nodes;
            }

            if (word == "{")
            {
                // A block with no keyword: read and drop it.
                position++;
                ReadBlock(tokens, ref position, topLevel: false);
                continue;
            }

            position++;
            var args = new List<string>();
            List<KeepalivedNode>? children = null;
            while (position < tokens.Count)
            {
                var (next, nextLine, lineStart) = tokens[position];
                if (next == "{")
                {
                    position++;
                    children = ReadBlock(tokens, ref position, topLevel: false);
                    break;
                }

                if (next == "}" || (lineStart && nextLine != line))
                {
                    break;
                }

                args.Add(next);
                position++;
            }

            nodes.Add(new KeepalivedNode(word, args, line, children));
        }

        return nodes;
    }

    private static List<(string Word, int Line, bool LineStart)> Tokenize(string text)
    {
        var tokens = new List<(string, int, bool)>();
        var lines = text.Split('\n');
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n];
            var lineStart = true;
            var i = 0;
            while (i < line.Length)
            {
                var c = line[i];
                if (c is '#' or '!')
                {
                    break;
                }

                if (char.IsWhiteSpace(c))
                {
                    i++;
                    continue;
                }

                if (c is '{' or '}')
                {
                    // A '{' alone at the start of a line still opens the block of the previous statement.
                    tokens.Add((c.ToString(), n + 1, c == '}' && lineStart));
                    lineStart = false;
                    i++;
                    continue;
                }

                string word;
                if (c == '"')
                {
                    var end = line.IndexOf('"', i + 1);
                    end = end < 0 ? line.Length : end;
                    word = line[(i + 1)..end];
                    i = end + 1;
                }
                else
                {
                    var start = i;
                    while (i < line.Length && !char.IsWhiteSpace(line[i]) && line[i] is not ('{' or '}'))
                    {
                        i++;
                    }

                    word = line[start..i];
                }

                tokens.Add((word, n + 1, lineStart));
                lineStart = false;
            }
        }

        return tokens;
    }
}
