namespace LvsNet.Core.Configuration;

/// <summary>
/// keepalived DNS_CHECK: one query over UDP; the server is up when an answer with the query's id
/// and RCODE NOERROR arrives within connect_timeout.
/// </summary>
public sealed record DnsCheckConfig : CheckerConfig
{
    /// <summary>The query types this checker sends, by name.</summary>
    public static readonly IReadOnlyDictionary<string, ushort> QueryTypes = new Dictionary<string, ushort>(StringComparer.OrdinalIgnoreCase)
    {
        ["A"] = 1,
        ["NS"] = 2,
        ["CNAME"] = 5,
        ["SOA"] = 6,
        ["PTR"] = 12,
        ["MX"] = 15,
        ["TXT"] = 16,
        ["AAAA"] = 28,
    };

    /// <summary>True when <paramref name="name"/> can be encoded as a query name ("." or labels of 1..63 bytes, 253 at most).</summary>
    public static bool IsValidName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name == ".")
        {
            return true;
        }

        var trimmed = name.TrimEnd('.');
        return trimmed.Length is > 0 and <= 253 && trimmed.Split('.').All(label => label.Length is > 0 and <= 63 && label.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'));
    }

    /// <summary>The query type (keepalived <c>type</c>, default SOA).</summary>
    public string QueryType { get; init; } = "SOA";

    /// <summary>The name queried (keepalived <c>name</c>, default the root ".").</summary>
    public string Name { get; init; } = ".";

    /// <inheritdoc />
    public override string Kind => CheckerKinds.Dns;

    /// <inheritdoc />
    public override int DefaultRetry => 3;

    /// <inheritdoc />
    public override TimeSpan DefaultDelayBeforeRetry(TimeSpan delayLoop) => delayLoop;

    /// <inheritdoc />
    public override string Describe() => $"{Kind} {QueryType} {Name}";
}
