using System.Net.Sockets;
using System.Text;
using LvsNet.Core.Feedback;

namespace LvsNet.Core.Health.Checkers;

/// <summary>
/// One query of a server's load agent (HAProxy agent-check): connect to its TCP port, send the
/// optional line, read until a newline or until the agent closes, at most
/// <see cref="AgentReply.MaxLength"/> bytes.
/// </summary>
public static class AgentQuery
{
    /// <summary>Queries the agent at <paramref name="target"/>.</summary>
    /// <param name="target">The agent's address and port, and how to bind the socket.</param>
    /// <param name="send">A line to send first (a newline is added), or null.</param>
    /// <param name="cancellationToken">Cancelled when the query's time runs out.</param>
    /// <returns>The line read (without its newline), or null and why not.</returns>
    public static async Task<(string? Line, string? Error)> RunAsync(CheckTarget target, string? send, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        try
        {
            using var socket = await ProbeSocket.ConnectAsync(target, cancellationToken).ConfigureAwait(false);
            if (send is not null)
            {
                await socket.SendAsync(Encoding.ASCII.GetBytes(send + "\n"), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }

            var buffer = new byte[AgentReply.MaxLength + 1];
            var length = 0;
            while (length < buffer.Length)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                var newline = Array.IndexOf(buffer, (byte)'\n', length, read);
                length += read;
                if (newline >= 0)
                {
                    length = newline;
                    break;
                }
            }

            if (length > AgentReply.MaxLength)
            {
                return (null, $"reply longer than {AgentReply.MaxLength} bytes");
            }

            // Latin-1 keeps one character per byte, so a hostile reply cannot smuggle in invalid UTF-8.
            return (Encoding.Latin1.GetString(buffer, 0, length).TrimEnd('\r'), null);
        }
        catch (SocketException ex)
        {
            return (null, ProbeSocket.Describe(ex));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return (null, "timed out");
        }
    }
}
