using System.Net.Sockets;
using System.Text.Json;
using LvsNet.Control.Protocol;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LvsNet.Daemon.Control;

/// <summary>
/// The command socket lvsnetadm talks to: a unix stream socket (default
/// <see cref="ControlProtocol.DefaultSocketPath"/>, mode 0600) on which each connection carries one
/// JSON request line and gets one JSON response line.
/// </summary>
/// <remarks>
/// The socket is bound under a temporary name, restricted to 0600 and then renamed into place, so
/// there is no moment at which another user could connect. A socket file left by a crashed daemon
/// is replaced; one that a live daemon answers on is left alone (this daemon then runs without a
/// socket and says so). Requests are handled concurrently (at most <see cref="MaxConcurrentRequests"/>);
/// changes are serialised by <see cref="ControlRequestHandler"/>.
/// </remarks>
public sealed class ControlSocketService : IHostedService, IDisposable
{
    /// <summary>Requests handled at once; more wait in the listen backlog.</summary>
    public const int MaxConcurrentRequests = 8;

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private readonly ControlRequestHandler _handler;
    private readonly ILogger _logger;
    private readonly string? _path;
    private readonly SemaphoreSlim _slots = new(MaxConcurrentRequests);
    private readonly CancellationTokenSource _stopping = new();
    private Socket? _listener;
    private Task? _acceptLoop;

    /// <summary>Creates the service for the path in <paramref name="options"/>.</summary>
    public ControlSocketService(ControlRequestHandler handler, DaemonOptions options, ILogger<ControlSocketService> logger)
    {
        _handler = handler;
        _path = options.SocketPath;
        _logger = logger;
    }

    /// <summary>True while the socket is open.</summary>
    public bool IsListening => _listener is not null;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_path is null)
        {
            return Task.CompletedTask;
        }

        try
        {
            _listener = Bind(_path);
        }
        catch (Exception ex) when (ex is SocketException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            ControlLog.SocketFailed(_logger, _path, ex.Message);
            return Task.CompletedTask;
        }

        ControlLog.Listening(_logger, _path);
        _acceptLoop = AcceptLoopAsync(_listener, _stopping.Token);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener?.Dispose();
        if (_acceptLoop is not null)
        {
            try
            {
                await _acceptLoop.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The host's shutdown timeout passed while a request (a long reload) still ran; stop anyway.
            }
        }

        if (_listener is not null && _path is not null)
        {
            TryDelete(_path);
        }

        _listener = null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stopping.Cancel();
        _listener?.Dispose();
        _stopping.Dispose();
        _slots.Dispose();
    }

    private static Socket Bind(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new InvalidOperationException("the command socket needs a Unix system");
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(directory))
        {
            // Normally systemd's RuntimeDirectory= made it; started by hand, keep it private.
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        }

        if (File.Exists(path))
        {
            if (IsAnswering(path))
            {
                throw new InvalidOperationException("another lvsnetd is listening on it (use --socket PATH for a second daemon)");
            }

            File.Delete(path);
        }

        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}");
        TryDelete(temporary);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(temporary));
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            listener.Listen(64);
            File.Move(temporary, path, overwrite: true);
            return listener;
        }
        catch
        {
            listener.Dispose();
            TryDelete(temporary);
            throw;
        }
    }

    private static bool IsAnswering(string path)
    {
        try
        {
            using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            probe.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover socket file is replaced at the next start.
        }
    }

    private async Task AcceptLoopAsync(Socket listener, CancellationToken stopping)
    {
        var running = new List<Task>();
        while (!stopping.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                await _slots.WaitAsync(stopping).ConfigureAwait(false);
                connection = await listener.AcceptAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                break;
            }

            running.RemoveAll(t => t.IsCompleted);
            running.Add(ServeAsync(connection, stopping));
        }

        await Task.WhenAll(running).ConfigureAwait(false);
    }

    private async Task ServeAsync(Socket connection, CancellationToken stopping)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(RequestTimeout);
        try
        {
            using (connection)
            {
                var line = await ControlClient.ReadLineAsync(connection, ControlProtocol.MaxMessageBytes, timeout.Token).ConfigureAwait(false);
                ControlResponse response;
                try
                {
                    response = await _handler.HandleAsync(ControlSerializer.ReadRequest(line), timeout.Token).ConfigureAwait(false);
                }
                catch (JsonException ex)
                {
                    response = ControlResponse.Failure($"malformed request: {ex.Message}");
                }

                await connection.SendAsync(ControlSerializer.ToLine(response), SocketFlags.None, timeout.Token).ConfigureAwait(false);
                connection.Shutdown(SocketShutdown.Both);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ControlConnectionException or ObjectDisposedException)
        {
            // The client went away, sent too much, or the daemon is stopping: nothing to answer.
        }
        finally
        {
            _slots.Release();
        }
    }
}
