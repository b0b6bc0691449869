using Microsoft.Extensions.Hosting;

namespace LvsNet.Daemon.Control;

/// <summary>
/// Brackets SIGHUP reloads with <c>RELOADING=1</c> and <c>READY=1</c> for systemd, so that
/// <c>systemctl reload lvsnet</c> returns once the new file is in force (or was rejected).
/// </summary>
/// <remarks>
/// <see cref="ReloadService"/> handles SIGHUP and raises events around the reload it runs; this
/// service turns them into notifications. Reloads requested with <c>lvsnetadm reload</c> are
/// bracketed by <see cref="ControlRequestHandler"/> directly.
/// </remarks>
public sealed class ReloadNotificationService : IHostedService
{
    private readonly ReloadService _reload;
    private readonly SystemdNotifier _notifier;

    /// <summary>Creates the service.</summary>
    public ReloadNotificationService(ReloadService reload, SystemdNotifier notifier)
    {
        _reload = reload;
        _notifier = notifier;
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_notifier.IsEnabled)
        {
            _reload.SignalReloadStarting += OnStarting;
            _reload.SignalReloadFinished += OnFinished;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        _reload.SignalReloadStarting -= OnStarting;
        _reload.SignalReloadFinished -= OnFinished;
        return Task.CompletedTask;
    }

    private void OnStarting() => _notifier.NotifyReloading();

    private void OnFinished(bool applied) => _notifier.NotifyReady();
}
