using System.Collections.Immutable;

namespace LvsNet.Core.Configuration;

/// <summary>
/// keepalived SMTP_CHECK: connect, read the 220 greeting, send <c>HELO</c> and expect 250, send
/// <c>QUIT</c> and read one more line (RFC 5321 section 4.3.2). With <see cref="Hosts"/>, every host
/// is checked in turn within one check and all must pass (keepalived's <c>host</c> sub-blocks).
/// </summary>
public sealed record SmtpCheckConfig : CheckerConfig
{
    /// <summary>keepalived's default <c>helo_name</c>.</summary>
    public const string DefaultHeloName = "smtpchecker.keepalived.org";

    /// <summary>keepalived <c>helo_name</c>: the name sent with HELO.</summary>
    public string HeloName { get; init; } = DefaultHeloName;

    /// <summary>
    /// keepalived <c>host</c> sub-blocks: the endpoints checked, in order; empty = the real server
    /// (or <see cref="CheckerConfig.ConnectAddress"/>/<see cref="CheckerConfig.ConnectPort"/>).
    /// </summary>
    public ImmutableArray<SmtpHost> Hosts { get; init; } = [];

    /// <inheritdoc />
    public override string Kind => CheckerKinds.Smtp;

    /// <inheritdoc />
    public override string Describe() => $"{Kind} HELO {HeloName}";

    /// <summary>Value equality, hosts included.</summary>
    public bool Equals(SmtpCheckConfig? other) =>
        other is not null
        && base.Equals(other)
        && HeloName == other.HeloName
        && HealthConfigEquality.SequenceEqual(Hosts, other.Hosts);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), HeloName, Hosts.IsDefault ? 0 : Hosts.Length);
}

/// <summary>One endpoint of an SMTP_CHECK with several hosts; null parts default to the real server's.</summary>
/// <param name="Address">keepalived <c>connect_ip</c>, or null for the real server's address.</param>
/// <param name="Port">keepalived <c>connect_port</c>, or null for the checker's port.</param>
public readonly record struct SmtpHost(uint? Address, ushort? Port);
