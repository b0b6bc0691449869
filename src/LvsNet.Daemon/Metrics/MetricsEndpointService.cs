using System.Net;
using LvsNet.Core.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LvsNet.Daemon.Metrics;

/// <summary>
/// Serves <c>GET /metrics</c> in the Prometheus text format on 127.0.0.1 only (Kestrel from the
/// shared framework), when the daemon runs with <c>--metrics-port</c>. Off by default; a port that
/// cannot be bound is logged and the daemon runs on without it.
/// </summary>
public sealed partial class MetricsEndpointService : IHostedService, IAsyncDisposable
{
    private readonly PrometheusExporter _exporter;
    private readonly int _port;
    private readonly ILogger _logger;
    private WebApplication? _app;

    /// <summary>Creates the endpoint for <paramref name="port"/> (0 picks a free port; see <see cref="BoundPort"/>).</summary>
    public MetricsEndpointService(PrometheusExporter exporter, int port, ILogger<MetricsEndpointService> logger)
    {
        _exporter = exporter;
        _port = port;
        _logger = logger;
    }

    /// <summary>The port actually listened on, or null when the endpoint is not running.</summary>
    public int? BoundPort { get; private set; }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = typeof(MetricsEndpointService).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, _port));
        var app = builder.Build();
        app.Run(async context =>
        {
            if (context.Request.Path != "/metrics" || !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                await context.Response.WriteAsync("see /metrics\n", context.RequestAborted).ConfigureAwait(false);
                return;
            }

            context.Response.ContentType = PrometheusExporter.ContentType;
            await context.Response.WriteAsync(_exporter.Scrape(), context.RequestAborted).ConfigureAwait(false);
        });

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            Log.Failed(_logger, _port, ex.Message);
            await app.DisposeAsync().ConfigureAwait(false);
            return;
        }

        _app = app;
        BoundPort = new Uri(app.Urls.First()).Port;
        Log.Listening(_logger, $"http://127.0.0.1:{BoundPort}/metrics");
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
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

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.MetricsListening, EventName = nameof(EventIds.MetricsListening), Level = LogLevel.Information, Message = "Prometheus metrics on {Url}")]
        public static partial void Listening(ILogger logger, string url);

        [LoggerMessage(EventId = EventIds.MetricsFailed, EventName = nameof(EventIds.MetricsFailed), Level = LogLevel.Error, Message = "Prometheus endpoint on 127.0.0.1:{Port} not started: {Reason}")]
        public static partial void Failed(ILogger logger, int port, string reason);
    }
}
