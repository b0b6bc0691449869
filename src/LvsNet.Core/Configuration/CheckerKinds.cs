namespace LvsNet.Core.Configuration;

/// <summary>
/// The YAML names of the checker types (<c>type:</c> of an item of <c>health_check.checks</c>).
/// keepalived's block names (<c>TCP_CHECK</c>, <c>HTTP_GET</c>, <c>SSL_GET</c>, <c>MISC_CHECK</c>,
/// <c>DNS_CHECK</c>, <c>SMTP_CHECK</c>, <c>UDP_CHECK</c>, <c>PING_CHECK</c>, <c>FILE_CHECK</c>) are
/// accepted in any case. BFD_CHECK is not offered: it needs a BFD session (RFC 5880) with the real
/// server, which keepalived runs in its own BFD process (see docs/health-checks.md).
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

    /// <summary>SMTP greeting, HELO and QUIT (keepalived SMTP_CHECK).</summary>
    public const string Smtp = "smtp";

    /// <summary>A UDP datagram and, optionally, its reply (keepalived UDP_CHECK).</summary>
    public const string Udp = "udp";

    /// <summary>An ICMP echo (keepalived PING_CHECK).</summary>
    public const string Ping = "ping";

    /// <summary>A tracked file holding a state or weight (keepalived FILE_CHECK).</summary>
    public const string File = "file";

    /// <summary>Every canonical name, for error messages.</summary>
    public static readonly string[] All = [Tcp, HttpGet, SslGet, Misc, Dns, Smtp, Udp, Ping, File];

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
            "smtp" or "smtp_check" => Smtp,
            "udp" or "udp_check" => Udp,
            "ping" or "ping_check" or "icmp" => Ping,
            "file" or "file_check" => File,
            _ => "",
        };
        return kind.Length > 0;
    }
}
