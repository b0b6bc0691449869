using System.Globalization;
using LvsNet.Control.Editing;
using LvsNet.Control.Protocol;
using LvsNet.Daemon.Control;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;
using Microsoft.AspNetCore.Http;

namespace LvsNet.Daemon.Status;

/// <summary>
/// The status page's admin actions (<c>http.admin_actions: true</c>, behind basic authentication):
/// <c>POST /admin/weight</c> (service, server, weight), <c>/admin/drain</c> (service, server: weight
/// 0, existing connections continue) and <c>/admin/disable</c> (service: every server at weight 0).
/// Each is one edit through the command handler, so it is atomic, logged (event EditApplied) and
/// marks the running configuration as differing from the file, as an lvsnetadm edit does; a reload
/// brings back the file's weights.
/// </summary>
/// <remarks>
/// Browsers send basic credentials with any request to the origin, so a form on another site could
/// post here: requests whose <c>Origin</c> is another host, or that a browser marks
/// <c>Sec-Fetch-Site: cross-site</c>, are refused.
/// </remarks>
public sealed class StatusAdminActions
{
    private readonly ControlRequestHandler _handler;

    /// <summary>Creates the actions over the command handler.</summary>
    public StatusAdminActions(ControlRequestHandler handler) => _handler = handler;

    /// <summary>Carries out a POST to <c>/admin/…</c>: 303 back to the page when done, 400 with the reason, 403 for a cross-site request.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        if (!SameOrigin(request))
        {
            await Answer(context, StatusCodes.Status403Forbidden, "refused: the request comes from another site").ConfigureAwait(false);
            return;
        }

        if (!request.HasFormContentType)
        {
            await Answer(context, StatusCodes.Status400BadRequest, "expected a form").ConfigureAwait(false);
            return;
        }

        var form = await request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var operation = Operation(request.Path.Value ?? "", form["service"].ToString(), form["server"].ToString(), form["weight"].ToString(), out var error);
        if (operation is null)
        {
            await Answer(context, StatusCodes.Status400BadRequest, error!).ConfigureAwait(false);
            return;
        }

        var response = _handler.Edit([operation]);
        if (!response.Ok)
        {
            var details = response.Errors is { Count: > 0 } errors ? " " + string.Join("; ", errors.Select(e => e.Message)) : "";
            await Answer(context, StatusCodes.Status400BadRequest, response.Error + details).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status303SeeOther;
        context.Response.Headers.Location = "../";
    }

    /// <summary>The edit a POST asks for, or null with the reason.</summary>
    public static EditOperation? Operation(string path, string service, string server, string weight, out string? error)
    {
        error = null;
        if (!TryService(service, out var selector))
        {
            error = $"service '{service}' is not of the form tcp/10.0.0.100:80";
            return null;
        }

        switch (path)
        {
            case "/admin/disable":
                return new EditOperation { Kind = EditKind.SetWeight, Service = selector, Weight = 0 };
            case "/admin/drain" or "/admin/weight":
                if (!TryEndpoint(server, out var address, out var port))
                {
                    error = $"server '{server}' is not of the form 10.0.0.11:80";
                    return null;
                }

                var value = 0;
                if (path == "/admin/weight" && !(int.TryParse(weight, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value <= 65535))
                {
                    error = $"weight '{weight}' is not a number from 0 to 65535";
                    return null;
                }

                return new EditOperation { Kind = EditKind.SetWeight, Service = selector, ServerAddress = address, ServerPort = port, Weight = value };
            default:
                error = $"no admin action at {path}";
                return null;
        }
    }

    private static bool SameOrigin(HttpRequest request)
    {
        if (string.Equals(request.Headers["Sec-Fetch-Site"].ToString(), "cross-site", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var origin = request.Headers.Origin.ToString();
        return origin.Length == 0 || (Uri.TryCreate(origin, UriKind.Absolute, out var uri) && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase));
    }

    private static bool TryService(string text, out ServiceSelector selector)
    {
        selector = null!;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || text[..slash] is not ("tcp" or "udp") || !TryEndpoint(text[(slash + 1)..], out var address, out var port))
        {
            return false;
        }

        selector = new ServiceSelector(text[..slash], address, port);
        return true;
    }

    // "10.0.0.11:80" or "[2001:db8::11]:80"; the address comes back as the editor takes it (dotted, or IPv6 text without brackets).
    private static bool TryEndpoint(string text, out string address, out ushort port)
    {
        port = 0;
        address = "";
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !ushort.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port))
        {
            return false;
        }

        var host = text[..colon];
        if (host.Length > 2 && host[0] == '[' && host[^1] == ']' && Ipv6Address.TryParse(host[1..^1], out var v6))
        {
            address = v6.ToString();
            return true;
        }

        if (Ipv4Address.TryParse(host, out var v4))
        {
            address = Ipv4Address.Format(v4);
            return true;
        }

        return false;
    }

    private static Task Answer(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync($"<!DOCTYPE html><meta charset=\"utf-8\"><title>lvsnetd</title><p>{StatusFormat.H(message)}</p><p><a href=\"../\">back to the status page</a></p>", context.RequestAborted);
    }
}
