using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LvsNet.Daemon.Metrics;

/// <summary>Registers the LvsNet meter and, when <see cref="DaemonOptions.MetricsPort"/> is set, the Prometheus endpoint.</summary>
public static class MetricsServiceCollectionExtensions
{
    /// <summary>Adds the instruments (always: <c>dotnet-counters monitor -n lvsnetd --counters LvsNet</c> reads them) and the endpoint (when configured).</summary>
    public static IServiceCollection AddLvsNetMetrics(this IServiceCollection services, DaemonOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton<LvsMetrics>();
        services.AddHostedService(sp => sp.GetRequiredService<LvsMetrics>());
        if (options.MetricsPort is { } port)
        {
            services.AddSingleton(_ => new PrometheusExporter(LvsMetrics.MeterName));
            services.AddSingleton(sp => new MetricsEndpointService(sp.GetRequiredService<PrometheusExporter>(), port, sp.GetRequiredService<ILogger<MetricsEndpointService>>()));
            services.AddHostedService(sp => sp.GetRequiredService<MetricsEndpointService>());
        }

        return services;
    }
}
