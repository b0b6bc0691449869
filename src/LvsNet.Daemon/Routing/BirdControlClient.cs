using System.Net.Sockets;
using System.Text;

namespace LvsNet.Daemon.Routing;

/// <summary>
/// Talks to BIRD's control socket (what <c>birdc</c> does): connects, reads the greeting, sends one
/// command and reads the reply up to its last line.
/// </summary>
/// <remarks>
/// BIRD's reply lines start with a four-digit code; a '-' after the code continues the reply, a space
/// ends it, a line starting with a space continues the previous code. Codes 0xxx are success and
/// progress, 8xxx and 9xxx errors (doc/reply_codes in BIRD's sources).
/// </remarks>
public static class BirdControlClient
{
    /// <summary>Sends <paramref name="command"/> and returns BIRD's reply: the final code and all text lines.</summary>
    /// <exception cref="IOException">The socket could not be reached or closed early.</exception>
    public static async Task<BirdReply> SendAsync(string socketPath, string command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cts.Token).ConfigureAwait(false);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            _ = await ReadReplyAsync(reader, cts.Token).ConfigureAwait(false);
            var bytes = Encoding.UTF8.GetBytes(command + "\n");
            await stream.WriteAsync(bytes, cts.Token).ConfigureAwait(false);
            return await ReadReplyAsync(reader, cts.Token).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            throw new IOException($"BIRD control socket {socketPath}: {ex.Message}", ex);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new IOException($"BIRD control socket {socketPath}: no reply within {timeout.TotalSeconds:0.#} s");
        }
    }

    /// <summary>Reads lines until the one that ends the reply.</summary>
    public static async Task<BirdReply> ReadReplyAsync(TextReader reader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var lines = new List<string>();
        while (true)
        {
            var line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new IOException("BIRD closed the control connection in the middle of a reply");
            if (BirdReply.TryParseFinal(line, out var code, out var text))
            {
                lines.Add(text);
                return new BirdReply(code, lines);
            }

            lines.Add(line.Length > 5 ? line[5..] : line.TrimStart());
        }
    }
}
