using System.Net.Sockets;

namespace LvsNet.Core.Health.Checkers;

/// <summary>keepalived TCP_CHECK: connects and closes; up when the three-way handshake completes in time.</summary>
public sealed class TcpConnectChecker : IHealthChecker
{
    private readonly CheckTarget _target;
    private readonly TimeProvider _time;

    /// <summary>Creates the checker.</summary>
    public TcpConnectChecker(CheckTarget target, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        _target = target;
        _time = time ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public async Task<CheckResult> CheckAsync(CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        try
        {
            using var socket = await ProbeSocket.ConnectAsync(_target, cancellationToken).ConfigureAwait(false);
            return CheckResult.Passed("connected", _time.GetElapsedTime(started));
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
