using System.Net.Sockets;
using Microsoft.Extensions.Hosting.Systemd;

namespace LvsNet.Daemon.Tests;

/// <summary>
/// An <see cref="ISystemdNotifier"/> that sends to an explicit socket path, as the library's
/// notifier does to <c>$NOTIFY_SOCKET</c> (which tests cannot set per test: it is process-wide).
/// </summary>
internal sealed class NotifySocketTransport(string? path) : ISystemdNotifier
{
    public bool IsEnabled => path is not null;

    public void Notify(ServiceState state)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(path!));
        socket.Send(System.Text.Encoding.UTF8.GetBytes(state.ToString()));
    }
}
