namespace LvsNet.Core.Health;

/// <summary>
/// The YAML names of the checker types (<c>type:</c> of an item of <c>health_check.checks</c>).
/// keepalived's block names (<c>TCP_CHECK</c>, <c>HTTP_GET</c>, <c>SSL_GET</c>, <c>MISC_CHECK</c>,
/// <c>DNS_CHECK</c>) are accepted in any case.
/// </summary>
public static class CheckerKinds
{
    /// <summary>TCP connect (keepalived TCP_CHECK).</summary>
    public const string Tcp = "tcp";

    /// <summary>HTTP GET (keepalived HTTP_GET).</summary>
    public const string HttpGet = "http_get";

    /// <summary>HTTPS GET without certificate verification (keepalived SSL_GET).</summary>
    public const string SslGet = "ssl_get";

    /// <summary>An operator's program (keepalived MISC_CHECK).</summary>
    public const string Misc = "misc";

    /// <summary>A DNS query over UDP (keepalived DNS_CHECK).</summary>
    public const string Dns = "dns";

    /// <summary>Every canonical name, for error messages.</summary>
    public static readonly string[] All = [Tcp, HttpGet, SslGet, Misc, Dns];

    /// <summary>Parses a checker type name (canonical names and keepalived's block names).</summary>
    public static bool TryParse(string? text, out string kind)
    {
        kind = (text?.ToLowerInvariant()) switch
        {
            "tcp" or "tcp_check" => Tcp,
            "http_get" or "http" => HttpGet,
            "ssl_get" or "https" => SslGet,
            "misc" or "misc_check" => Misc,
            "dns" or "dns_check" => Dns,
            _ => "",
        };
        return kind.Length > 0;
    }
}
