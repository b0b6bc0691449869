namespace LvsNet.Core.Configuration;

/// <summary>
/// keepalived PING_CHECK: one ICMP echo request (RFC 792); up when the matching echo reply
/// arrives within connect_timeout, down on an ICMP error about it or on silence. IPv4 only.
/// </summary>
public sealed record PingCheckConfig : CheckerConfig
{
    /// <inheritdoc />
    public override string Kind => CheckerKinds.Ping;

    /// <inheritdoc />
    public override bool UsesPort => false;
}
