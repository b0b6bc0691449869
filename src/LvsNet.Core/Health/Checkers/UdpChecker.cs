using System.Net.Sockets;
using LvsNet.Core.Configuration;

namespace LvsNet.Core.Health.Checkers;

/// <summary>
/// keepalived UDP_CHECK: sends the payload from a connected UDP socket and waits up to the
/// check's time. An ICMP error (port or host unreachable: the kernel reports it on the connected
/// socket as ECONNREFUSED/EHOSTUNREACH) fails the check; a reply is judged by
/// <see cref="UdpCheckConfig.Accepts"/>; silence passes unless a reply is required.
/// </summary>
public sealed class UdpChecker : IHealthChecker
{
    private readonly UdpCheckConfig _config;
    private readonly CheckTarget _target;
    private readonly TimeSpan _wait;
    private readonly TimeProvider _time;

    /// <summary>Creates the checker.</summary>
    /// <param name="config">The checker's configuration.</param>
    /// <param name="target">Where the datagram goes.</param>
    /// <param name="wait">How long to wait for a reply or an ICMP error (connect_timeout).</param>
    /// <param name="time">The clock; null = the system clock.</param>
    public UdpChecker(UdpCheckConfig config, CheckTarget target, TimeSpan wait, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(target);
        _config = config;
        _target = target;
        _wait = wait;
        _time = time ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public async Task<CheckResult> CheckAsync(CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        using var waiting = new CancellationTokenSource(_wait, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(waiting.Token, cancellationToken);
        try
        {
            using var socket = ProbeSocket.Create(_target, SocketType.Dgram, ProtocolType.Udp);
            await socket.ConnectAsync(_target.Endpoint, linked.Token).ConfigureAwait(false);
            await socket.SendAsync(_config.Payload.IsDefault ? ReadOnlyMemory<byte>.Empty : _config.Payload.AsMemory(), SocketFlags.None, linked.Token).ConfigureAwait(false);
            var reply = new byte[Math.Max(_config.MaxReplyLength, 0) + 1];
            var received = await socket.ReceiveAsync(reply, SocketFlags.None, linked.Token).ConfigureAwait(false);
            if (!_config.RequireReply)
            {
                return CheckResult.Passed("reply received", _time.GetElapsedTime(started));
            }

            return _config.Accepts(reply.AsSpan(0, received))
                ? CheckResult.Passed($"reply of {received} bytes matches", _time.GetElapsedTime(started))
                : CheckResult.Failed($"reply of {received} bytes does not match", _time.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (waiting.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return _config.RequireReply
                ? CheckResult.Failed("no reply", _time.GetElapsedTime(started))
                : CheckResult.Passed("no ICMP error", _time.GetElapsedTime(started));
        }
        catch (SocketException ex)
        {
            return CheckResult.Failed(ProbeSocket.Describe(ex), _time.GetElapsedTime(started));
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
