using LvsNet.Core;
using LvsNet.Core.Feedback;
using LvsNet.Core.Health;
using LvsNet.Core.Health.Checkers;
using LvsNet.Core.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LvsNet.Daemon.Health;

/// <summary>Registers the health checks: the monitor, its via-VIP routes and metrics, the hosted service, the monitor's load signal and the agents' store for the dynamic weights.</summary>
public static class HealthServiceCollectionExtensions
{
    /// <summary>Adds the health checks (a configuration without <c>health_check</c> runs no check).</summary>
    public static IServiceCollection AddLvsNetHealth(this IServiceCollection services, HealthMonitorOptions? options = null)
    {
        services.AddSingleton<VipProbeRoutes>();
        services.AddSingleton(sp => new AgentFeedbackStore(sp.GetRequiredService<ILogger<AgentFeedbackStore>>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp =>
        {
            var time = sp.GetRequiredService<TimeProvider>();
            return new HealthMonitor(
                sp.GetRequiredService<LvsRuntime>(),
                new HealthCheckerFactory(time),
                time,
                options,
                sp.GetRequiredService<ILogger<HealthMonitor>>(),
                sp.GetRequiredService<VipProbeRoutes>(),
                agents: sp.GetRequiredService<AgentFeedbackStore>());
        });
        services.AddSingleton<IServerLoadSignal>(sp => sp.GetRequiredService<HealthMonitor>().LoadSignal);
        services.AddSingleton<HealthMetrics>();
        services.AddSingleton<HealthCheckService>();
        services.AddHostedService(sp => sp.GetRequiredService<HealthCheckService>());
        return services;
    }
}
