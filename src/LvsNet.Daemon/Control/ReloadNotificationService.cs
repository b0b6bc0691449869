using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;

namespace LvsNet.Daemon.Control;

/// <summary>
/// Brackets SIGHUP reloads with <c>RELOADING=1</c> and <c>READY=1</c> for systemd, so that
/// <c>systemctl reload lvsnet</c> returns once the new file is in force (or was rejected).
/// </summary>
/// <remarks>
/// <see cref="ReloadService"/> handles SIGHUP itself; this service registers a second handler that
/// notes the reload result in force when the signal arrives and waits (at most
/// <see cref="ReloadWait"/>) for <see cref="ReloadService.LastResult"/> to change. Reloads requested
/// with <c>lvsnetadm reload</c> are bracketed by <see cref="ControlRequestHandler"/> directly.
/// </remarks>
public sealed class ReloadNotificationService : IHostedService, IDisposable
{
    /// <summary>The longest a reload is waited for before READY=1 is sent anyway.</summary>
    public static readonly TimeSpan ReloadWait = TimeSpan.FromSeconds(30);

    private readonly ReloadService _reload;
    private readonly SystemdNotifier _notifier;
    private PosixSignalRegistration? _registration;

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
            _registration = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true;
                var before = _reload.LastResult?.At;
                _notifier.NotifyReloading();
                ThreadPool.QueueUserWorkItem(_ => WaitAndNotify(before));
            });
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        _registration?.Dispose();
        _registration = null;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void Dispose() => _registration?.Dispose();

    private void WaitAndNotify(DateTimeOffset? before)
    {
        var deadline = Environment.TickCount64 + (long)ReloadWait.TotalMilliseconds;
        while (_reload.LastResult?.At == before && Environment.TickCount64 < deadline)
        {
            Thread.Sleep(20);
        }

        _notifier.NotifyReady();
    }
}
