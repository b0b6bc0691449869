namespace LvsNet.Core.Configuration;

/// <summary>
/// The daemon's HTTP endpoint (YAML <c>http</c>): Prometheus metrics on <c>/metrics</c> and the
/// live status page on <c>/</c>, with optional basic authentication and TLS. Read at start only
/// (a change on reload needs a restart).
/// </summary>
public sealed record HttpEndpointConfig
{
    /// <summary>The loopback address, the default bind address.</summary>
    public const uint Loopback = 0x7F000001;

    /// <summary>The address to listen on as <see cref="Packets.Ipv4Address"/> parses it (default 127.0.0.1; 0.0.0.0 = every address).</summary>
    public uint Address { get; init; } = Loopback;

    /// <summary>The TCP port.</summary>
    public required int Port { get; init; }

    /// <summary>The basic-authentication user, or null when the endpoint is open.</summary>
    public string? Username { get; init; }

    /// <summary>The SHA-256 of the user's password as 64 lower-case hex digits (the password itself is never stored).</summary>
    public string? PasswordSha256 { get; init; }

    /// <summary>A PEM certificate file (with its chain) for HTTPS, or null for plain HTTP.</summary>
    public string? TlsCertificate { get; init; }

    /// <summary>The PEM private key of <see cref="TlsCertificate"/>.</summary>
    public string? TlsKey { get; init; }

    /// <summary>Whether the status page offers admin actions (set weight, drain a server, disable a service); needs basic authentication.</summary>
    public bool AdminActions { get; init; }
}
