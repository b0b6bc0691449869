using LvsNet.Core.Configuration;
using LvsNet.Daemon.Status;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LvsNet.Daemon.Metrics;

/// <summary>Registers the LvsNet meter and, when the YAML <c>http</c> section or <see cref="DaemonOptions.MetricsPort"/> asks for it, the HTTP endpoint with the status page.</summary>
public static class MetricsServiceCollectionExtensions
{
    /// <summary>Adds the instruments (always: <c>dotnet-counters monitor -n lvsnetd --counters LvsNet</c> reads them) and the endpoint (when configured).</summary>
    public static IServiceCollection AddLvsNetMetrics(this IServiceCollection services, DaemonOptions options, LvsConfig? config = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton<LvsMetrics>();
        services.AddHostedService(sp => sp.GetRequiredService<LvsMetrics>());
        if (HttpEndpointSettings.Resolve(options, config) is { } settings)
        {
            services.AddLvsNetStatus();
            services.AddSingleton(_ => new PrometheusExporter(LvsMetrics.MeterName));
            services.AddSingleton(sp => new StatusPageHandler(sp.GetRequiredService<StatusViewBuilder>(), settings, new StatusAdminActions(sp.GetRequiredService<Control.ControlRequestHandler>())));
            services.AddSingleton(sp => new MetricsEndpointService(
                sp.GetRequiredService<PrometheusExporter>(),
                settings,
                sp.GetRequiredService<StatusPageHandler>(),
                sp.GetRequiredService<ILogger<MetricsEndpointService>>()));
            services.AddHostedService(sp => sp.GetRequiredService<MetricsEndpointService>());
        }

        return services;
    }
}
