using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Hosting;

namespace LvsNet.Daemon;

/// <summary>
/// The sd_notify protocol: datagrams such as <c>READY=1</c> to the unix socket named by
/// <c>$NOTIFY_SOCKET</c> (an abstract socket when it starts with '@'). A no-op without systemd.
/// </summary>
public sealed class SystemdNotifier : IHostedService
{
    private readonly string? _socketPath;

    /// <summary>Creates the notifier from the environment.</summary>
    public SystemdNotifier()
        : this(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"))
    {
    }

    /// <summary>Creates a notifier for an explicit socket path (tests).</summary>
    public SystemdNotifier(string? socketPath) => _socketPath = string.IsNullOrEmpty(socketPath) ? null : socketPath;

    /// <summary>True when a notify socket is configured.</summary>
    public bool IsEnabled => _socketPath is not null;

    /// <summary>Sends one notification; false when disabled or the send failed.</summary>
    public bool Notify(string state)
    {
        if (_socketPath is null)
        {
            return false;
        }

        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            var path = _socketPath[0] == '@' ? "\0" + _socketPath[1..] : _socketPath;
            socket.Connect(new UnixDomainSocketEndPoint(path));
            socket.Send(Encoding.UTF8.GetBytes(state));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Registered after the capture service, so READY means the data path runs.
        Notify($"READY=1\nMAINPID={Environment.ProcessId}");
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        Notify("STOPPING=1");
        return Task.CompletedTask;
    }
}
