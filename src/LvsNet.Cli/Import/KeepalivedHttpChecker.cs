using System.Collections.Immutable;
using LvsNet.Core.Configuration;
using static LvsNet.Cli.Import.KeepalivedValues;

namespace LvsNet.Cli.Import;

/// <summary>
/// keepalived HTTP_GET / SSL_GET (check_http.c): one LvsNet http_get / ssl_get checker per
/// <c>url</c> block (keepalived fails the checker when any url fails; LvsNet takes a server down
/// when any of its checkers is down). The Host header follows keepalived's order: the url's
/// virtualhost, the checker's, the real server's, the virtual server's.
/// </summary>
internal static class KeepalivedHttpChecker
{
    /// <summary>The checkers of one HTTP_GET / SSL_GET block; empty on error.</summary>
    public static List<CheckerConfig> Read(KeepalivedNode node, List<KeepalivedNode> specific, string title, KeepalivedCheckerContext context, KeepalivedCheckers.CommonOptions common, ImportNotes notes)
    {
        var tls = node.Keyword == "SSL_GET";
        string? virtualHost = null;
        var version = "1.0";
        var enableSni = false;
        string? sniName = null;
        var ok = true;
        var urls = new List<KeepalivedNode>();
        foreach (var child in specific)
        {
            switch (child.Keyword)
            {
                case "url":
                    urls.Add(child);
                    break;
                case "virtualhost" when child.Value is not null:
                    virtualHost = child.Value;
                    break;
                case "http_protocol" when child.Value is "1.0" or "1.1" or "1.0C" or "1.0c":
                    version = child.Value is "1.1" ? "1.1" : "1.0";
                    if (child.Value is "1.0C" or "1.0c")
                    {
                        notes.Adjusted(child.Line, $"{title}: {child.Text}: mapped to 1.0 (lvsnetd closes the connection after every request)");
                    }

                    break;
                case "enable_sni":
                    ok &= TryFlag(child, title, notes, out enableSni);
                    break;
                case "sni_name":
                    enableSni = true;
                    sniName = child.Value ?? sniName;
                    break;
                case "tls_compliant":
                    notes.Adjusted(child.Line, $"{title}: {child.Text}: ignored (lvsnetd always ends TLS with close_notify)");
                    break;
                case "fast_recovery":
                    notes.Unmapped(title, child, "LvsNet has no fast recovery of HTTP checkers");
                    ok = false;
                    break;
                default:
                    notes.Unmapped(title, child, $"unknown {node.Keyword} keyword");
                    ok = false;
                    break;
            }
        }

        if (urls.Count == 0)
        {
            if (ok)
            {
                notes.Error(node.Line, $"{title}: no url block (keepalived ignores such a checker too)");
            }

            return [];
        }

        var checkers = new List<CheckerConfig>();
        foreach (var url in urls)
        {
            if (Url(url, title, notes) is not { } read)
            {
                ok = false;
                continue;
            }

            var host = read.VirtualHost ?? virtualHost ?? context.ServerVirtualHost ?? context.ServiceVirtualHost;

            // keepalived sends SNI only with enable_sni: sni_name, else the url's, checker's or virtual server's virtualhost.
            var sni = enableSni ? sniName ?? read.VirtualHost ?? virtualHost ?? context.ServiceVirtualHost : null;
            if (tls && !enableSni && host is not null)
            {
                notes.Adjusted(node.Line, $"{title}: lvsnetd sends the virtualhost {host} as TLS server name (SNI); keepalived sends none without enable_sni");
            }

            checkers.Add(read with
            {
                Tls = tls,
                VirtualHost = host,
                HttpVersion = version,
                SniName = tls && sni != host ? sni : null,
            });
        }

        if (checkers.Count > 1)
        {
            notes.Adjusted(node.Line, $"{title}: {checkers.Count} url blocks become {checkers.Count} checkers of the same server (it goes down when any of them fails)");
        }

        return ok ? checkers : [];
    }

    private static HttpGetCheckConfig? Url(KeepalivedNode url, string title, ImportNotes notes)
    {
        var config = new HttpGetCheckConfig();
        string? path = null;
        var codes = ImmutableArray.CreateBuilder<HttpStatusRange>();
        var regex = new KeepalivedRegex();
        var ok = true;
        foreach (var child in url.Children ?? [])
        {
            switch (child.Keyword)
            {
                case "path" when child.Value is { } value:
                    path = value;
                    break;
                case "digest" when child.Value is { Length: 32 } digest && digest.All(char.IsAsciiHexDigit):
                    config = config with { Digest = digest.ToLowerInvariant() };
                    break;
                case "digest":
                    notes.Unmapped(title, child, "a digest is 32 hex digits (genhash prints it)");
                    ok = false;
                    break;
                case "status_code" when child.Args.Count > 0:
                    foreach (var text in child.Args)
                    {
                        if (HttpStatusRange.TryParse(text, out var range) && range.Min >= 100 && range.Max <= 599 && range.Min <= range.Max)
                        {
                            codes.Add(range);
                        }
                        else
                        {
                            notes.Unmapped(title, child, $"'{text}' is not a status code or range within 100-599");
                            ok = false;
                        }
                    }

                    break;
                case "virtualhost" when child.Value is not null:
                    config = config with { VirtualHost = child.Value };
                    break;
                case "regex" or "regex_no_match" or "regex_options" or "regex_min_offset" or "regex_max_offset" or "regex_stack":
                    ok &= regex.Read(child, title, notes);
                    break;
                case "tls_compliant":
                    notes.Adjusted(child.Line, $"{title}: url: {child.Text}: ignored (lvsnetd always ends TLS with close_notify)");
                    break;
                default:
                    notes.Unmapped(title, child, "unknown url keyword");
                    ok = false;
                    break;
            }
        }

        if (path is null)
        {
            notes.Error(url.Line, $"{title}: url without path (keepalived ignores it too)");
            return null;
        }

        if (!path.StartsWith('/'))
        {
            notes.Error(url.Line, $"{title}: url path '{path}' does not start with '/'");
            return null;
        }

        if (ok && !regex.Apply(ref config, title, notes))
        {
            return null;
        }

        // keepalived's default when no status_code is given is 200-299, LvsNet's too (an empty list).
        return ok ? config with { Path = path, StatusCodes = codes.ToImmutable() } : null;
    }
}
