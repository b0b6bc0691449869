using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using LvsNet.Core.Configuration;
using LvsNet.Packets;

namespace LvsNet.Core.Health.Checkers;

/// <summary>
/// keepalived SMTP_CHECK: for each host in turn, connect, read the greeting (reply code 220), send
/// <c>HELO name</c> (250 expected), send <c>QUIT</c> and read one more line; any other code, a closed
/// connection or the check's time running out fails the check (RFC 5321 sections 3.1, 4.1.1.1, 4.1.1.10).
/// </summary>
/// <remarks>
/// As keepalived does, a reply is judged by the code of its first line; unlike keepalived, the
/// continuation lines of a multi-line reply ("250-...") are read to its last line before the next
/// command, so they cannot be mistaken for the next reply. Lines longer than 512 bytes (RFC 5321's
/// reply-line limit) fail the check rather than growing a buffer.
/// </remarks>
public sealed class SmtpChecker : IHealthChecker
{
    private const int MaxLine = 512;

    private readonly SmtpCheckConfig _config;
    private readonly CheckTarget[] _hosts;
    private readonly TimeProvider _time;
    private readonly byte[] _helo;

    /// <summary>Creates the checker.</summary>
    public SmtpChecker(SmtpCheckConfig config, CheckTarget target, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(target);
        _config = config;
        _time = time ?? TimeProvider.System;
        _hosts = config.Hosts.IsDefaultOrEmpty
            ? [target]
            : [.. config.Hosts.Select(h => target with
            {
                Endpoint = new IPEndPoint(h.Address is { } a ? Ipv4Address.ToIPAddress(a) : target.Endpoint.Address, h.Port ?? target.Endpoint.Port),
            })];
        _helo = Encoding.ASCII.GetBytes($"HELO {config.HeloName}\r\n");
    }

    /// <summary>The endpoints checked, in order.</summary>
    public IReadOnlyList<IPEndPoint> Endpoints => [.. _hosts.Select(h => h.Endpoint)];

    /// <inheritdoc />
    public async Task<CheckResult> CheckAsync(CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        foreach (var host in _hosts)
        {
            var failure = await CheckHostAsync(host, cancellationToken).ConfigureAwait(false);
            if (failure is not null)
            {
                var where = _hosts.Length > 1 ? $"{host.Endpoint}: " : "";
                return CheckResult.Failed(where + failure, _time.GetElapsedTime(started));
            }
        }

        return CheckResult.Passed(_hosts.Length > 1 ? string.Create(CultureInfo.InvariantCulture, $"{_hosts.Length} hosts: 220, HELO 250, QUIT") : "220, HELO 250, QUIT", _time.GetElapsedTime(started));
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    // Null on success, else why the host failed.
    private async Task<string?> CheckHostAsync(CheckTarget host, CancellationToken cancellationToken)
    {
        Socket socket;
        try
        {
            socket = await ProbeSocket.ConnectAsync(host, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            return ProbeSocket.Describe(ex);
        }

        using (socket)
        {
            var reader = new ReplyReader();
            try
            {
                var greeting = await ReadReplyAsync(socket, reader, cancellationToken).ConfigureAwait(false);
                if (greeting.Code != 220)
                {
                    return $"bad greeting: {greeting.Text}";
                }

                await socket.SendAsync(_helo, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                var helo = await ReadReplyAsync(socket, reader, cancellationToken).ConfigureAwait(false);
                if (helo.Code != 250)
                {
                    return $"bad HELO reply: {helo.Text}";
                }

                await socket.SendAsync("QUIT\r\n"u8.ToArray(), SocketFlags.None, cancellationToken).ConfigureAwait(false);

                // keepalived accepts any line after QUIT (221 is what RFC 5321 servers send).
                _ = await ReadReplyAsync(socket, reader, cancellationToken).ConfigureAwait(false);
                return null;
            }
            catch (SocketException ex)
            {
                return ProbeSocket.Describe(ex);
            }
            catch (InvalidDataException ex)
            {
                return ex.Message;
            }
        }
    }

    // Reads one reply (RFC 5321 4.2.1: lines "250-..." continue it, a line without the hyphen ends
    // it); Code is the three-digit code of its first line or -1. Bytes after the reply stay in the
    // reader for the next one. Throws InvalidDataException on a closed connection or an over-long line.
    private static async Task<(int Code, string Text)> ReadReplyAsync(Socket socket, ReplyReader reader, CancellationToken cancellationToken)
    {
        (int Code, string Text)? first = null;
        while (true)
        {
            var line = await reader.ReadLineAsync(socket, cancellationToken).ConfigureAwait(false);
            var code = line.Length >= 3 && char.IsAsciiDigit(line[0]) && char.IsAsciiDigit(line[1]) && char.IsAsciiDigit(line[2])
                ? ((line[0] - '0') * 100) + ((line[1] - '0') * 10) + (line[2] - '0')
                : -1;
            first ??= (code, Truncate(line));
            if (code < 0 || line.Length < 4 || line[3] != '-')
            {
                return first.Value;
            }
        }
    }

    private static string Truncate(string text) => text.Length <= 120 ? text : text[..120] + "...";

    /// <summary>Splits the connection's bytes into lines, keeping what follows a line for the next read.</summary>
    private sealed class ReplyReader
    {
        private readonly byte[] _buffer = new byte[MaxLine];
        private int _length;

        public async Task<string> ReadLineAsync(Socket socket, CancellationToken cancellationToken)
        {
            while (true)
            {
                var end = Array.IndexOf(_buffer, (byte)'\n', 0, _length);
                if (end >= 0)
                {
                    var line = Encoding.ASCII.GetString(_buffer, 0, end).TrimEnd('\r');
                    _length -= end + 1;
                    Array.Copy(_buffer, end + 1, _buffer, 0, _length);
                    return line;
                }

                if (_length == _buffer.Length)
                {
                    throw new InvalidDataException($"reply line longer than {MaxLine} bytes");
                }

                var read = await socket.ReceiveAsync(_buffer.AsMemory(_length), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new InvalidDataException(_length == 0 ? "connection closed by the server" : "connection closed in the middle of a reply");
                }

                _length += read;
            }
        }
    }
}
