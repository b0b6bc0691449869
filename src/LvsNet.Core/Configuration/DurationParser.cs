using System.Globalization;

namespace LvsNet.Core.Configuration;

/// <summary>Parses and formats the durations of the configuration file (<c>900</c>, <c>900s</c>, <c>15m</c>, <c>250ms</c>).</summary>
public static class DurationParser
{
    /// <summary>Parses a bare number of seconds or a number with a unit (ms, s, m, h, d).</summary>
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        var (number, unit) = trimmed.EndsWith("ms", StringComparison.Ordinal) ? (trimmed[..^2], 0.001)
            : trimmed.EndsWith('s') ? (trimmed[..^1], 1.0)
            : trimmed.EndsWith('m') ? (trimmed[..^1], 60.0)
            : trimmed.EndsWith('h') ? (trimmed[..^1], 3600.0)
            : trimmed.EndsWith('d') ? (trimmed[..^1], 86400.0)
            : (trimmed, 1.0);
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) || double.IsInfinity(amount))
        {
            return false;
        }

        value = TimeSpan.FromSeconds(amount * unit);
        return true;
    }

    /// <summary>Formats a duration in the largest unit that keeps it whole.</summary>
    public static string Format(TimeSpan value)
    {
        if (value.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{value.TotalMilliseconds}ms");
        }

        var seconds = (long)value.TotalSeconds;
        return seconds switch
        {
            0 => "0s",
            _ when seconds % 86400 == 0 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 86400}d"),
            _ when seconds % 3600 == 0 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600}h"),
            _ when seconds % 60 == 0 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 60}m"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{seconds}s"),
        };
    }
}
