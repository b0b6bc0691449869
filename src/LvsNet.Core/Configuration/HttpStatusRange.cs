using System.Globalization;

namespace LvsNet.Core.Configuration;

/// <summary>An inclusive range of HTTP status codes an HTTP checker accepts (keepalived <c>status_code 200-299</c>).</summary>
/// <param name="Min">The lowest accepted code.</param>
/// <param name="Max">The highest accepted code.</param>
public readonly record struct HttpStatusRange(int Min, int Max)
{
    /// <summary>keepalived's default: any 2xx.</summary>
    public static HttpStatusRange Success { get; } = new(200, 299);

    /// <summary>True when <paramref name="status"/> lies in the range.</summary>
    public bool Contains(int status) => status >= Min && status <= Max;

    /// <summary>Parses "200" or "200-299".</summary>
    public static bool TryParse(string? text, out HttpStatusRange range)
    {
        range = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var dash = text.IndexOf('-', StringComparison.Ordinal);
        var minText = dash < 0 ? text : text[..dash];
        var maxText = dash < 0 ? text : text[(dash + 1)..];
        if (!int.TryParse(minText.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var min)
            || !int.TryParse(maxText.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var max))
        {
            return false;
        }

        range = new HttpStatusRange(min, max);
        return true;
    }

    /// <summary>"200" or "200-299".</summary>
    public override string ToString() => Min == Max
        ? Min.ToString(CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{Min}-{Max}");
}
