using LvsNet.Control.Listings;
using LvsNet.Core.Health;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace LvsNet.Daemon.Control;

/// <summary>Registers the command socket, the rate estimator, reload notifications and the watchdog's health check.</summary>
public static class ControlServiceCollectionExtensions
{
    /// <summary>
    /// Adds lvsnetadm's side of the daemon and the watchdog's health check. READY=1 is sent by the
    /// host's systemd lifetime once every hosted service has started, so the socket is open by then.
    /// </summary>
    public static IServiceCollection AddLvsNetControl(this IServiceCollection services)
    {
        services.AddSingleton<StatisticsBook>();
        services.AddSingleton(sp =>
        {
            var handler = ActivatorUtilities.CreateInstance<ControlRequestHandler>(sp);
            handler.HealthMonitor = sp.GetService<HealthMonitor>();
            return handler;
        });
        services.AddSingleton<CaptureLiveness>();
        services.AddHostedService<ControlSocketService>();
        services.AddHostedService<RateEstimationService>();
        services.AddHostedService<ReloadNotificationService>();
        services.AddSingleton(sp =>
        {
            var notifier = new SystemdNotifier(sp.GetRequiredService<ISystemdNotifier>(), SystemdNotifier.WatchdogFromEnvironment(), TimeProvider.System);
            var liveness = sp.GetRequiredService<CaptureLiveness>();
            var logger = sp.GetRequiredService<ILogger<SystemdNotifier>>();
            if (notifier.WatchdogInterval is { } interval)
            {
                ControlLog.WatchdogEnabled(logger, (interval / 2).TotalSeconds);
                notifier.WatchdogHealthCheck = () =>
                {
                    if (liveness.Check())
                    {
                        return true;
                    }

                    ControlLog.WatchdogWithheld(logger, liveness.Stalled.TotalSeconds);
                    return false;
                };
            }

            return notifier;
        });
        return services;
    }
}
