using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using LvsNet.Core.Configuration;

namespace LvsNet.Core.Health.Checkers;

/// <summary>
/// keepalived HTTP_GET / SSL_GET: a GET on a new connection (closed after the answer), checked
/// for an accepted status and, when configured, the body's MD5 digest and a text it must contain.
/// </summary>
/// <remarks>
/// One <see cref="HttpClient"/> per checker whose connections are opened by <see cref="ProbeSocket"/>
/// (bound to the director's address, marked for via-VIP routing). Redirects are not followed, no
/// proxy is used, and for SSL_GET the certificate is not verified (as keepalived does not).
/// </remarks>
public sealed class HttpGetChecker : IHealthChecker
{
    private readonly HttpGetCheckConfig _config;
    private readonly CheckTarget _target;
    private readonly TimeProvider _time;
    private readonly HttpClient _client;
    private readonly Uri _uri;
    private readonly Regex? _regex;

    /// <summary>Creates the checker.</summary>
    public HttpGetChecker(HttpGetCheckConfig config, CheckTarget target, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(target);
        _config = config;
        _target = target;
        _time = time ?? TimeProvider.System;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.Zero,
            ConnectCallback = async (_, cancellationToken) =>
                new NetworkStream(await ProbeSocket.ConnectAsync(_target, cancellationToken).ConfigureAwait(false), ownsSocket: true),
        };
        if (config.Tls)
        {
            handler.SslOptions.TargetHost = config.SniName ?? config.VirtualHost;
#pragma warning disable CA5359 // keepalived's SSL_GET does not verify the server's certificate either: the check is about the service answering.
            handler.SslOptions.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
#pragma warning restore CA5359
        }

        // A hostile body cannot make the match run away: it is bounded by a timeout (then the check fails).
        _regex = config.Regex is { } pattern ? new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(500)) : null;
        _client = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        var endpoint = target.Endpoint;
        // IPEndPoint prints an IPv6 address in brackets ("[2001:db8::11]:80"), as a URI wants it.
        _uri = new Uri(string.Create(CultureInfo.InvariantCulture, $"{(config.Tls ? "https" : "http")}://{endpoint}{config.Path}"));
    }

    /// <inheritdoc />
    public async Task<CheckResult> CheckAsync(CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        using var request = new HttpRequestMessage(HttpMethod.Get, _uri)
        {
            Version = _config.HttpVersion == "1.1" ? HttpVersion.Version11 : HttpVersion.Version10,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.ConnectionClose = true;
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("LvsNet-HealthCheck", "1"));
        if (_config.VirtualHost is { } host)
        {
            request.Headers.Host = host;
        }

        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (!_config.Accepts(status))
            {
                return CheckResult.Failed($"{_config.Path}: status {status}", _time.GetElapsedTime(started));
            }

            if (!_config.ReadsBody)
            {
                return CheckResult.Passed($"{_config.Path}: status {status}", _time.GetElapsedTime(started));
            }

            var body = await ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
            if (body is null)
            {
                return CheckResult.Failed($"{_config.Path}: body longer than {_config.MaxBodyBytes} bytes", _time.GetElapsedTime(started));
            }

            if (_config.Digest is { } expected)
            {
#pragma warning disable CA5351 // MD5 is what keepalived's digest (and genhash) use; it identifies content, it protects nothing.
                var digest = Convert.ToHexStringLower(MD5.HashData(body));
#pragma warning restore CA5351
                if (digest != expected)
                {
                    return CheckResult.Failed($"{_config.Path}: body digest {digest}, expected {expected}", _time.GetElapsedTime(started));
                }
            }

            if (_config.BodyContains is { } text && body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) < 0)
            {
                return CheckResult.Failed($"{_config.Path}: body does not contain \"{text}\"", _time.GetElapsedTime(started));
            }

            if (_regex is not null && !RegexAccepts(body))
            {
                return CheckResult.Failed(_config.RegexNoMatch ? $"{_config.Path}: body matches regex_no_match" : $"{_config.Path}: body does not match the regex", _time.GetElapsedTime(started));
            }

            return CheckResult.Passed($"{_config.Path}: status {status}, body matches", _time.GetElapsedTime(started));
        }
        catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
        {
            var reason = ex.InnerException is SocketException socket ? ProbeSocket.Describe(socket) : ex.HttpRequestError switch
            {
                HttpRequestError.ConnectionError => "connection failed",
                HttpRequestError.SecureConnectionError => "TLS handshake failed",
                HttpRequestError.ResponseEnded => "connection closed before the answer",
                HttpRequestError.InvalidResponse => "invalid HTTP answer",
                _ => ex.Message,
            };
            return CheckResult.Failed(reason, _time.GetElapsedTime(started));
        }
        catch (IOException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return CheckResult.Failed($"{_config.Path}: {ex.Message}", _time.GetElapsedTime(started));
        }
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    /// <summary>
    /// keepalived regex semantics: the body (each byte one Latin-1 character, up to
    /// regex_max_offset bytes) must match the regex, or must not match it with regex_no_match.
    /// </summary>
    internal bool RegexAccepts(ReadOnlySpan<byte> body)
    {
        if (_regex is null)
        {
            return true;
        }

        var searched = _config.RegexMaxOffset is { } max && body.Length > max ? body[..max] : body;
        bool matched;
        try
        {
            matched = _regex.IsMatch(Encoding.Latin1.GetString(searched));
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }

        return matched != _config.RegexNoMatch;
    }

    // The body up to MaxBodyBytes, or null when it is longer.
    private async Task<byte[]?> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var limit = _config.MaxBodyBytes;
        using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(limit + 1, 64 * 1024));
        try
        {
            using var body = new MemoryStream();
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (body.Length + read > limit)
                {
                    return null;
                }

                body.Write(buffer, 0, read);
            }

            return body.ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
