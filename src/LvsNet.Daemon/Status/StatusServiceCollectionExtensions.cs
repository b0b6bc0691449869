using LvsNet.Core.Health;
using LvsNet.Core.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace LvsNet.Daemon.Status;

/// <summary>Registers the status page's history, its sampler and the view builder.</summary>
public static class StatusServiceCollectionExtensions
{
    /// <summary>Adds the history (sampled every 2 s from the counters the metrics read) and the view builder.</summary>
    public static IServiceCollection AddLvsNetStatus(this IServiceCollection services)
    {
        services.AddSingleton<StatusHistory>();
        services.AddSingleton<StatusViewBuilder>();
        services.AddSingleton(sp => new StatusSamplingService(
            sp.GetRequiredService<StatusHistory>(),
            sp.GetRequiredService<LvsRuntime>(),
            sp.GetRequiredService<CaptureService>(),
            sp.GetRequiredService<ReloadService>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<HealthMonitor>()));
        services.AddHostedService(sp => sp.GetRequiredService<StatusSamplingService>());
        return services;
    }
}
