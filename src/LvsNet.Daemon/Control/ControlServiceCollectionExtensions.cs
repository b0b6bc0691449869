using LvsNet.Control.Listings;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LvsNet.Daemon.Control;

/// <summary>Registers the command socket, the rate estimator, reload notifications and the watchdog's health check.</summary>
public static class ControlServiceCollectionExtensions
{
    /// <summary>
    /// Adds lvsnetadm's side of the daemon. Call after the capture and reload services and before
    /// <see cref="SystemdNotifier"/>'s hosted service, so the socket is open when READY=1 is sent.
    /// </summary>
    public static IServiceCollection AddLvsNetControl(this IServiceCollection services)
    {
        services.AddSingleton<StatisticsBook>();
        services.AddSingleton<ControlRequestHandler>();
        services.AddSingleton<CaptureLiveness>();
        services.AddHostedService<ControlSocketService>();
        services.AddHostedService<RateEstimationService>();
        services.AddHostedService<ReloadNotificationService>();
        services.AddSingleton(sp =>
        {
            var notifier = new SystemdNotifier();
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
