using System.Security.Cryptography.X509Certificates;
using LvsNet.Core.Diagnostics;
using LvsNet.Daemon.Status;
using LvsNet.Packets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LvsNet.Daemon.Metrics;

/// <summary>
/// The daemon's HTTP endpoint (Kestrel from the shared framework): <c>GET /metrics</c> in the
/// Prometheus text format and, when a <see cref="StatusPageHandler"/> is given, the live status
/// page on <c>/</c>. Off by default (YAML <c>http</c> or <c>--metrics-port</c> turn it on),
/// 127.0.0.1 unless configured otherwise, optionally with basic authentication and TLS. An address
/// that cannot be bound or a certificate that cannot be read is logged and the daemon runs on without it.
/// </summary>
public sealed partial class MetricsEndpointService : IHostedService, IAsyncDisposable
{
    private readonly PrometheusExporter _exporter;
    private readonly HttpEndpointSettings _settings;
    private readonly StatusPageHandler? _status;
    private readonly ILogger _logger;
    private WebApplication? _app;

    /// <summary>Creates a metrics-only endpoint on 127.0.0.1:<paramref name="port"/> (0 picks a free port; see <see cref="BoundPort"/>).</summary>
    public MetricsEndpointService(PrometheusExporter exporter, int port, ILogger<MetricsEndpointService> logger)
        : this(exporter, new HttpEndpointSettings(0x7F000001, port, null), null, logger)
    {
    }

    /// <summary>Creates the endpoint for <paramref name="settings"/>, with the status page when <paramref name="status"/> is given.</summary>
    public MetricsEndpointService(PrometheusExporter exporter, HttpEndpointSettings settings, StatusPageHandler? status, ILogger<MetricsEndpointService> logger)
    {
        _exporter = exporter;
        _settings = settings;
        _status = status;
        _logger = logger;
    }

    /// <summary>The port actually listened on, or null when the endpoint is not running.</summary>
    public int? BoundPort { get; private set; }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        X509Certificate2? certificate = null;
        if (_settings.Config is { TlsCertificate: { } certificatePath, TlsKey: { } keyPath })
        {
            try
            {
                certificate = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
            {
                Log.Failed(_logger, Ipv4Address.Format(_settings.Address), _settings.Port, $"TLS certificate {certificatePath} / key {keyPath}: {ex.Message}");
                return;
            }
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = typeof(MetricsEndpointService).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(Ipv4Address.ToIPAddress(_settings.Address), _settings.Port, listen =>
            {
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            });
        });
        var app = builder.Build();
        app.Run(HandleAsync);

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            Log.Failed(_logger, Ipv4Address.Format(_settings.Address), _settings.Port, ex.Message);
            await app.DisposeAsync().ConfigureAwait(false);
            return;
        }

        _app = app;
        BoundPort = new Uri(app.Urls.First()).Port;
        var url = (_settings with { Port = BoundPort.Value }).Url;
        Log.Listening(_logger, url + "metrics", _status is null ? "" : $"; status page on {url}");
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _status?.Stop();
        if (_app is { } app)
        {
            await app.StopAsync(cancellationToken).ConfigureAwait(false);
        }

        BoundPort = null;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            _app = null;
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (_status is not null && !_status.Authorize(context))
        {
            return;
        }

        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method) && !(_status is not null && HttpMethods.IsPost(context.Request.Method)))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }

        if (context.Request.Path == "/metrics")
        {
            context.Response.ContentType = PrometheusExporter.ContentType;
            await context.Response.WriteAsync(_exporter.Scrape(), context.RequestAborted).ConfigureAwait(false);
            return;
        }

        if (_status is not null && await _status.TryHandleAsync(context).ConfigureAwait(false))
        {
            return;
        }

        context.Response.StatusCode = StatusCodes.Status404NotFound;
        await context.Response.WriteAsync(_status is null ? "see /metrics\n" : "see / (status page), /status.json or /metrics\n", context.RequestAborted).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.MetricsListening, EventName = nameof(EventIds.MetricsListening), Level = LogLevel.Information, Message = "Prometheus metrics on {Url}{StatusPage}")]
        public static partial void Listening(ILogger logger, string url, string statusPage);

        [LoggerMessage(EventId = EventIds.MetricsFailed, EventName = nameof(EventIds.MetricsFailed), Level = LogLevel.Error, Message = "HTTP endpoint on {Address}:{Port} not started: {Reason}")]
        public static partial void Failed(ILogger logger, string address, int port, string reason);
    }
}
