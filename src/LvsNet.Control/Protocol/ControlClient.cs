using System.Net.Sockets;
using System.Text.Json;

namespace LvsNet.Control.Protocol;

/// <summary>Sends one request to the daemon's command socket and reads the response.</summary>
public sealed class ControlClient
{
    private readonly string _socketPath;
    private readonly TimeSpan _timeout;

    /// <summary>Creates a client for the socket at <paramref name="socketPath"/>.</summary>
    /// <param name="socketPath">The unix socket path.</param>
    /// <param name="timeout">How long a request may take end to end (default 30 s; a reload may take a while).</param>
    public ControlClient(string socketPath, TimeSpan? timeout = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        _socketPath = socketPath;
        _timeout = timeout ?? TimeSpan.FromSeconds(30);
    }

    /// <summary>The socket path.</summary>
    public string SocketPath => _socketPath;

    /// <summary>Sends <paramref name="request"/> and returns the daemon's response.</summary>
    /// <exception cref="ControlConnectionException">The daemon is not reachable, timed out, or answered garbage.</exception>
    public async Task<ControlResponse> SendAsync(ControlRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!File.Exists(_socketPath))
        {
            throw new ControlConnectionException($"no command socket at {_socketPath}");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(_socketPath), timeout.Token).ConfigureAwait(false);
            await socket.SendAsync(ControlSerializer.ToLine(request), SocketFlags.None, timeout.Token).ConfigureAwait(false);
            socket.Shutdown(SocketShutdown.Send);
            var line = await ReadLineAsync(socket, ControlProtocol.MaxMessageBytes, timeout.Token).ConfigureAwait(false);
            if (line.Length == 0)
            {
                throw new ControlConnectionException($"lvsnetd closed {_socketPath} without answering");
            }

            return ControlSerializer.ReadResponse(line);
        }
        catch (SocketException ex)
        {
            throw new ControlConnectionException($"cannot talk to lvsnetd at {_socketPath}: {ex.Message}", ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ControlConnectionException($"lvsnetd at {_socketPath} did not answer within {_timeout.TotalSeconds:0} s", ex);
        }
        catch (JsonException ex)
        {
            throw new ControlConnectionException($"lvsnetd at {_socketPath} sent a response this lvsnetadm cannot read: {ex.Message}", ex);
        }
    }

    /// <summary>Reads bytes until '\n' or the end of the stream (the newline is not returned).</summary>
    /// <exception cref="ControlConnectionException">The line exceeds <paramref name="maxBytes"/>.</exception>
    public static async Task<byte[]> ReadLineAsync(Socket socket, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(socket);
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        while (true)
        {
            var read = await socket.ReceiveAsync(chunk, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer.ToArray();
            }

            var newline = Array.IndexOf(chunk, (byte)'\n', 0, read);
            buffer.Write(chunk, 0, newline >= 0 ? newline : read);
            if (buffer.Length > maxBytes)
            {
                throw new ControlConnectionException($"message longer than {maxBytes} bytes");
            }

            if (newline >= 0)
            {
                return buffer.ToArray();
            }
        }
    }
}
