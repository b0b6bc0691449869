using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LvsNet.Control.Protocol;
using Microsoft.AspNetCore.Http;

namespace LvsNet.Daemon.Status;

/// <summary>
/// The status page's routes on the HTTP endpoint: <c>/</c> (the page), <c>/status.json</c> (the same
/// data for scripts), <c>/status/events</c> (server-sent events carrying each new rendering), and
/// the basic-authentication check that guards every route of the endpoint when configured.
/// </summary>
public sealed class StatusPageHandler : IDisposable
{
    /// <summary>How often <c>/status/events</c> sends a new rendering.</summary>
    public static readonly TimeSpan EventInterval = TimeSpan.FromSeconds(2);

    private readonly StatusViewBuilder _views;
    private readonly HttpEndpointSettings _settings;
    private readonly byte[]? _passwordHash;
    private readonly CancellationTokenSource _stopping = new();
    private readonly StatusAdminActions? _admin;

    /// <summary>Creates the handler; <paramref name="admin"/> carries out admin actions when the configuration allows them.</summary>
    public StatusPageHandler(StatusViewBuilder views, HttpEndpointSettings settings, StatusAdminActions? admin = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _views = views;
        _settings = settings;
        _passwordHash = settings.Config?.PasswordSha256 is { } hex ? Convert.FromHexString(hex) : null;

        // Admin actions only behind authentication (the configuration reader insists as well).
        _admin = settings.Config is { AdminActions: true, Username: not null } ? admin : null;
    }

    /// <summary>
    /// True when the request may proceed: no authentication is configured, or its Authorization
    /// header carries the configured user and a password whose SHA-256 matches (compared in fixed time).
    /// Otherwise answers 401 with a Basic challenge.
    /// </summary>
    public bool Authorize(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_settings.Config?.Username is not { } username || _passwordHash is null)
        {
            return true;
        }

        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    var userOk = CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(decoded[..colon]), Encoding.UTF8.GetBytes(username));
                    var passwordOk = CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(decoded[(colon + 1)..])), _passwordHash);
                    if (userOk && passwordOk)
                    {
                        return true;
                    }
                }
            }
            catch (FormatException)
            {
                // Not base64: refused like a wrong password.
            }
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Basic realm=\"lvsnetd\", charset=\"UTF-8\"";
        return false;
    }

    /// <summary>Serves the request if it is one of the page's routes; false leaves it to the caller.</summary>
    public async Task<bool> TryHandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var path = context.Request.Path.Value ?? "/";
        var response = context.Response;
        if (HttpMethods.IsPost(context.Request.Method))
        {
            if (_admin is null || !path.StartsWith("/admin/", StringComparison.Ordinal))
            {
                response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                return true;
            }

            await _admin.HandleAsync(context).ConfigureAwait(false);
            return true;
        }

        response.Headers.CacheControl = "no-store";
        switch (path)
        {
            case "/" or "/status":
                response.ContentType = "text/html; charset=utf-8";
                response.Headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:";
                await response.WriteAsync(StatusPageRenderer.Page(_views.Build(AdminActions)), context.RequestAborted).ConfigureAwait(false);
                return true;
            case "/status.json":
                response.ContentType = "application/json; charset=utf-8";
                await response.WriteAsync(Json(_views.Build(AdminActions)), context.RequestAborted).ConfigureAwait(false);
                return true;
            case "/status/events":
                await EventsAsync(context).ConfigureAwait(false);
                return true;
            default:
                return false;
        }
    }

    private bool AdminActions => _admin is not null;

    /// <summary>The page's data as JSON: the daemon status and the health listing, as <c>lvsnetadm status --json</c> and <c>-L --health --json</c> print them, plus the history.</summary>
    public static string Json(StatusView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("at", view.At);
            json.WritePropertyName("status");
            JsonSerializer.Serialize(json, view.Daemon, ControlJsonContext.Default.DaemonStatus);
            json.WritePropertyName("listing");
            JsonSerializer.Serialize(json, view.Listing, ControlJsonContext.Default.IpvsListing);
            json.WriteStartArray("reloads");
            foreach (var reload in view.History.Reloads())
            {
                json.WriteStartObject();
                json.WriteString("at", reload.At);
                json.WriteBoolean("applied", reload.Applied);
                WriteStrings(json, "errors", reload.Errors);
                WriteStrings(json, "restart_required", reload.RestartRequired);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("sections");
            foreach (var (title, rows) in view.Sections)
            {
                json.WriteStartObject();
                json.WriteString("title", title);
                json.WriteStartObject("rows");
                foreach (var (name, value) in rows)
                {
                    json.WriteString(name, value);
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    private async Task EventsAsync(HttpContext context)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream; charset=utf-8";
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        var aborted = linked.Token;
        using var timer = new PeriodicTimer(EventInterval);
        try
        {
            // "retry" tells the browser how long to wait before reconnecting after the daemon restarts.
            await response.WriteAsync("retry: 3000\n\n", aborted).ConfigureAwait(false);
            do
            {
                var main = StatusPageRenderer.MainContent(_views.Build(AdminActions));
                var message = new StringBuilder(main.Length + 64).Append("event: main\n");
                foreach (var line in main.Split('\n'))
                {
                    message.Append("data: ").Append(line).Append('\n');
                }

                message.Append('\n');
                await response.WriteAsync(message.ToString(), aborted).ConfigureAwait(false);
                await response.Body.FlushAsync(aborted).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(aborted).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            // The browser went away or the daemon stops.
        }
    }

    /// <summary>Ends every event stream (the endpoint stops: open streams must not hold the shutdown up).</summary>
    public void Stop() => _stopping.Cancel();

    /// <summary>"user:password" as a basic Authorization header value (for tests and tools).</summary>
    public static string BasicHeader(string user, string password) =>
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{user}:{password}")));

    /// <inheritdoc />
    public void Dispose() => _stopping.Dispose();
}
