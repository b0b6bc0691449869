using System.Globalization;
using System.Net;
using System.Text;

namespace LvsNet.Daemon.Status;

/// <summary>Small formatting helpers of the status page: escaping, numbers with units, inline SVG graphs.</summary>
public static class StatusFormat
{
    /// <summary>The fewest points a graph's width stands for (30 samples: one minute).</summary>
    public const int MinimumGraphPoints = 30;

    /// <summary>HTML-escapes text (attribute-safe).</summary>
    public static string H(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>1234567 as "1.2M"; below 10 000 exact; rates keep one decimal below 10.</summary>
    public static string Number(double value)
    {
        if (double.IsNaN(value))
        {
            return "–";
        }

        var abs = Math.Abs(value);
        return abs switch
        {
            >= 1e12 => (value / 1e12).ToString("0.#", CultureInfo.InvariantCulture) + "T",
            >= 1e9 => (value / 1e9).ToString("0.#", CultureInfo.InvariantCulture) + "G",
            >= 1e6 => (value / 1e6).ToString("0.#", CultureInfo.InvariantCulture) + "M",
            >= 1e4 => (value / 1e3).ToString("0.#", CultureInfo.InvariantCulture) + "K",
            >= 10 or 0 => Math.Round(value).ToString("0", CultureInfo.InvariantCulture),
            _ => value.ToString("0.#", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>Bytes with binary units ("1.5 MiB").</summary>
    public static string Bytes(double value)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        var unit = 0;
        while (Math.Abs(value) >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return value.ToString(unit == 0 ? "0" : "0.#", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    /// <summary>A duration as "3d 4h", "5m 2s", "12s".</summary>
    public static string Duration(TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            value = TimeSpan.Zero;
        }

        return value.TotalDays >= 1 ? $"{(int)value.TotalDays}d {value.Hours}h"
            : value.TotalHours >= 1 ? $"{(int)value.TotalHours}h {value.Minutes}m"
            : value.TotalMinutes >= 1 ? $"{(int)value.TotalMinutes}m {value.Seconds}s"
            : $"{(int)value.TotalSeconds}s";
    }

    /// <summary>A UTC time as "16:04:05Z" (today) or "2026-12-06 16:04Z".</summary>
    public static string Time(DateTimeOffset at, DateTimeOffset now) =>
        at.UtcDateTime.Date == now.UtcDateTime.Date
            ? at.UtcDateTime.ToString("HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : at.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// An inline SVG line graph of <paramref name="values"/> (oldest left), scaled to its own
    /// maximum, with the maximum as its tooltip; NaN samples leave gaps. No script, no external file.
    /// </summary>
    public static string Sparkline(IReadOnlyList<double> values, string label, int width = 120, int height = 24)
    {
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"spark\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{H(label)}\">");
        var finite = values.Where(double.IsFinite).ToList();
        var max = finite.Count > 0 ? finite.Max() : 0;
        svg.Append(CultureInfo.InvariantCulture, $"<title>{H(label)}: max {Number(max)} over the last {values.Count * StatusHistory.Interval.TotalSeconds:0} s</title>");
        if (values.Count >= 2)
        {
            // A young series spreads over at least a minute's width rather than a sliver at the right.
            var step = (double)width / (Math.Max(values.Count, MinimumGraphPoints) - 1);
            var x0 = width - ((values.Count - 1) * step);
            var path = new StringBuilder();
            var pen = false;
            for (var i = 0; i < values.Count; i++)
            {
                if (!double.IsFinite(values[i]))
                {
                    pen = false;
                    continue;
                }

                var x = x0 + (i * step);
                var y = max > 0 ? height - 1 - ((values[i] / max) * (height - 3)) : height - 1;
                path.Append(CultureInfo.InvariantCulture, $"{(pen ? 'L' : 'M')}{x:0.#} {y:0.#} ");
                pen = true;
            }

            svg.Append(CultureInfo.InvariantCulture, $"<path d=\"{path.ToString().TrimEnd()}\"/>");
        }

        svg.Append("</svg>");
        return svg.ToString();
    }
}
