using System.Collections.Immutable;

namespace LvsNet.Core.Configuration;

/// <summary>
/// keepalived HTTP_GET / SSL_GET: a GET of <see cref="Path"/> on a new connection; the server is up
/// when the status is accepted and, when set, the body's MD5 digest matches and the body contains
/// the expected text.
/// </summary>
public sealed record HttpGetCheckConfig : CheckerConfig
{
    /// <summary>The default <see cref="MaxBodyBytes"/>: 1 MiB.</summary>
    public const int DefaultMaxBodyBytes = 1 << 20;

    /// <summary>HTTPS (keepalived SSL_GET); the certificate is not verified, as keepalived does not.</summary>
    public bool Tls { get; init; }

    /// <summary>The path (and query) to fetch; default "/".</summary>
    public string Path { get; init; } = "/";

    /// <summary>Accepted status codes; empty = 200-299 (keepalived's default).</summary>
    public ImmutableArray<HttpStatusRange> StatusCodes { get; init; } = [];

    /// <summary>keepalived <c>digest</c>: the expected MD5 of the body, 32 lower-case hex digits (genhash prints it); null = not checked.</summary>
    public string? Digest { get; init; }

    /// <summary>Text the body must contain (ordinal, UTF-8); null = not checked.</summary>
    public string? BodyContains { get; init; }

    /// <summary>
    /// keepalived <c>regex</c>: a regular expression (.NET syntax, close to the PCRE2 keepalived
    /// uses) the body must match; the body is read as Latin-1 so each byte is one character.
    /// </summary>
    public string? Regex { get; init; }

    /// <summary>keepalived <c>regex_no_match</c>: the body must NOT match <see cref="Regex"/>.</summary>
    public bool RegexNoMatch { get; init; }

    /// <summary>keepalived <c>regex_max_offset</c>: only the first this many bytes of the body are searched; null = all that was read.</summary>
    public int? RegexMaxOffset { get; init; }

    /// <summary>True when the body must be read (digest, text or regex configured).</summary>
    public bool ReadsBody => Digest is not null || BodyContains is not null || Regex is not null;

    /// <summary>keepalived <c>virtualhost</c>: the Host header; null = the probed address.</summary>
    public string? VirtualHost { get; init; }

    /// <summary>keepalived <c>http_protocol</c>: "1.0" (keepalived's default) or "1.1"; the connection is always closed after one request.</summary>
    public string HttpVersion { get; init; } = "1.0";

    /// <summary>The TLS server name (SNI) for SSL_GET; null = <see cref="VirtualHost"/>, else none.</summary>
    public string? SniName { get; init; }

    /// <summary>The most body bytes read; a longer body fails a digest or text check.</summary>
    public int MaxBodyBytes { get; init; } = DefaultMaxBodyBytes;

    /// <inheritdoc />
    public override string Kind => Tls ? CheckerKinds.SslGet : CheckerKinds.HttpGet;

    /// <inheritdoc />
    public override TimeSpan DefaultDelayBeforeRetry(TimeSpan delayLoop) => TimeSpan.FromSeconds(3);

    /// <summary>True when <paramref name="status"/> is accepted.</summary>
    public bool Accepts(int status)
    {
        if (StatusCodes.IsDefaultOrEmpty)
        {
            return HttpStatusRange.Success.Contains(status);
        }

        foreach (var range in StatusCodes)
        {
            if (range.Contains(status))
            {
                return true;
            }
        }

        return false;
    }

    /// <inheritdoc />
    public override string Describe() => $"{Kind} {Path}";

    /// <summary>Value equality, status codes included.</summary>
    public bool Equals(HttpGetCheckConfig? other) =>
        other is not null
        && base.Equals(other)
        && Tls == other.Tls
        && Path == other.Path
        && HealthConfigEquality.SequenceEqual(StatusCodes, other.StatusCodes)
        && Digest == other.Digest
        && BodyContains == other.BodyContains
        && Regex == other.Regex
        && RegexNoMatch == other.RegexNoMatch
        && RegexMaxOffset == other.RegexMaxOffset
        && VirtualHost == other.VirtualHost
        && HttpVersion == other.HttpVersion
        && SniName == other.SniName
        && MaxBodyBytes == other.MaxBodyBytes;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), Tls, Path, Digest, BodyContains, VirtualHost);
}
