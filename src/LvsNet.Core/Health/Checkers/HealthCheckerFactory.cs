using LvsNet.Core.Configuration;

namespace LvsNet.Core.Health.Checkers;

/// <summary>Creates the real checkers: <see cref="TcpConnectChecker"/>, <see cref="HttpGetChecker"/>, <see cref="MiscChecker"/>, <see cref="DnsChecker"/>, <see cref="SmtpChecker"/>, <see cref="UdpChecker"/>, <see cref="PingChecker"/>, <see cref="FileChecker"/>.</summary>
public sealed class HealthCheckerFactory : IHealthCheckerFactory
{
    private readonly TimeProvider _time;

    /// <summary>Creates the factory.</summary>
    /// <param name="time">The clock latencies are measured with; null = the system clock.</param>
    public HealthCheckerFactory(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

    /// <inheritdoc />
    public IHealthChecker Create(CheckerSettings settings, CheckTarget target)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(target);
        return settings.Config switch
        {
            HttpGetCheckConfig http => new HttpGetChecker(http, target, _time),
            MiscCheckConfig misc => new MiscChecker(misc, target),
            DnsCheckConfig dns => new DnsChecker(dns, target, _time),
            SmtpCheckConfig smtp => new SmtpChecker(smtp, target, _time),
            UdpCheckConfig udp => new UdpChecker(udp, target, settings.Timeout, _time),
            PingCheckConfig => new PingChecker(target, _time),
            FileCheckConfig file => new FileChecker(file, target.ConfiguredWeight),
            _ => new TcpConnectChecker(target, _time),
        };
    }
}
