using System.Globalization;

namespace LvsNet.Core.Feedback;

/// <summary>
/// Parses agent replies: words separated by spaces, tabs or commas, in any order: <c>N%</c>,
/// <c>ready</c>, <c>drain</c>, <c>maint</c>, <c>up</c>, <c>down</c>, <c>fail</c>, <c>stopped</c>,
/// <c>maxconn:N</c>; everything after <c>#</c> is a description. Case-insensitive, as HAProxy's
/// agent-check reads them. An unknown word refuses the whole reply (the previous state stays).
/// </summary>
public static class AgentReplyParser
{
    /// <summary>Parses one reply line (without or with its trailing newline).</summary>
    /// <param name="line">The text the agent sent.</param>
    /// <param name="reply">The reply when the result is true.</param>
    /// <param name="error">Why the line was refused when the result is false.</param>
    public static bool TryParse(string? line, out AgentReply reply, out string error)
    {
        reply = default;
        error = "";
        if (line is null)
        {
            error = "no reply";
            return false;
        }

        if (line.Length > AgentReply.MaxLength)
        {
            error = string.Create(CultureInfo.InvariantCulture, $"reply longer than {AgentReply.MaxLength} characters");
            return false;
        }

        string? description = null;
        var hash = line.IndexOf('#', StringComparison.Ordinal);
        var words = hash >= 0 ? line[..hash] : line;
        if (hash >= 0)
        {
            description = Printable(line[(hash + 1)..].Trim());
        }

        int? percent = null;
        int? maxConnections = null;
        AgentAdminState? admin = null;
        AgentOperationalState? operational = null;
        var count = 0;
        foreach (var word in words.Split([' ', '\t', ',', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            count++;
            if (word.EndsWith('%'))
            {
                if (!int.TryParse(word.AsSpan(0, word.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > AgentReply.MaxWeightPercent)
                {
                    error = string.Create(CultureInfo.InvariantCulture, $"'{Printable(word)}' is not a percentage 0%..{AgentReply.MaxWeightPercent}%");
                    return false;
                }

                percent = value;
                continue;
            }

            if (word.StartsWith("maxconn:", StringComparison.OrdinalIgnoreCase))
            {
                if (!int.TryParse(word.AsSpan(8), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                {
                    error = $"'{Printable(word)}' is not maxconn:<number>";
                    return false;
                }

                maxConnections = value;
                continue;
            }

            switch (word.ToLowerInvariant())
            {
                case "ready":
                    admin = AgentAdminState.Ready;
                    break;
                case "drain":
                    admin = AgentAdminState.Drain;
                    break;
                case "maint":
                    admin = AgentAdminState.Maint;
                    break;
                case "up":
                    operational = AgentOperationalState.Up;
                    break;
                case "down" or "fail" or "stopped":
                    operational = AgentOperationalState.Down;
                    break;
                default:
                    error = $"unknown word '{Printable(word)}'";
                    return false;
            }
        }

        if (count == 0)
        {
            error = "empty reply";
            return false;
        }

        reply = new AgentReply(percent, admin, operational, maxConnections, description);
        return true;
    }

    // Replies come from the network: keep control characters out of logs and listings.
    private static string Printable(string text)
    {
        var clipped = text.Length > 80 ? text[..80] : text;
        return string.Create(clipped.Length, clipped, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) || source[i] > '~' ? '?' : source[i];
            }
        });
    }
}
