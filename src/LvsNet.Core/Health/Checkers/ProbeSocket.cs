using System.Net;
using System.Net.Sockets;

namespace LvsNet.Core.Health.Checkers;

/// <summary>Opens the sockets of the network checkers: bound to the director's address, marked for via-VIP routing.</summary>
public static class ProbeSocket
{
    // <asm-generic/socket.h>: SOL_SOCKET 1, SO_MARK 36 (needs CAP_NET_ADMIN).
    private const int SolSocket = 1;
    private const int SoMark = 36;

    /// <summary>Creates a socket for <paramref name="target"/>: marked and bound as it asks, not yet connected.</summary>
    public static Socket Create(CheckTarget target, SocketType type, ProtocolType protocol)
    {
        ArgumentNullException.ThrowIfNull(target);
        var socket = new Socket(target.Endpoint.AddressFamily, type, protocol);
        try
        {
            if (target.SocketMark is { } mark)
            {
                socket.SetRawSocketOption(SolSocket, SoMark, BitConverter.GetBytes(mark));
            }

            if (target.BindAddress is { } bind)
            {
                socket.Bind(new IPEndPoint(bind, 0));
            }

            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Opens a TCP connection to <paramref name="target"/>.</summary>
    /// <exception cref="SocketException">The connection failed (refused, unreachable, bind failed).</exception>
    /// <exception cref="OperationCanceledException">The check's time ran out.</exception>
    public static async Task<Socket> ConnectAsync(CheckTarget target, CancellationToken cancellationToken)
    {
        var socket = Create(target, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.NoDelay = true;
            await socket.ConnectAsync(target.Endpoint, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>"connection refused", "host unreachable", ... for a failed result's message.</summary>
    public static string Describe(SocketException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connection refused",
            SocketError.ConnectionReset => "connection reset",
            SocketError.HostUnreachable => "host unreachable",
            SocketError.NetworkUnreachable => "network unreachable",
            SocketError.TimedOut => "timed out",
            SocketError.AddressNotAvailable => "cannot bind the director's address",
            SocketError.AccessDenied => "permission denied (SO_MARK needs CAP_NET_ADMIN)",
            _ => exception.Message,
        };
    }
}
