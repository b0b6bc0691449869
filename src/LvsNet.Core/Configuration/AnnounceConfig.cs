namespace LvsNet.Core.Configuration;

/// <summary>
/// YAML <c>announce</c>: the director announces its VIPs as host routes through a BIRD 2 routing
/// daemon while it is healthy and serving (scale-out behind a router's ECMP, docs/scale-out.md).
/// lvsnetd writes the routes to <see cref="RoutesFile"/>, which the BIRD configuration includes
/// inside a static protocol, and asks BIRD to reconfigure over its control socket.
/// </summary>
public sealed record AnnounceConfig
{
    /// <summary>The default control socket of the BIRD instance lvsnetd drives.</summary>
    public const string DefaultBirdSocket = "/run/lvsnet/bird.ctl";

    /// <summary>The default BIRD binary (Debian's bird2 package).</summary>
    public const string DefaultBirdBinary = "/usr/sbin/bird";

    /// <summary>The file lvsnetd writes (one <c>route VIP/32 blackhole;</c> per announced VIP); an absolute path.</summary>
    public required string RoutesFile { get; init; }

    /// <summary>
    /// The BIRD configuration lvsnetd runs BIRD with, as its own child process that dies with it
    /// (so a killed lvsnetd withdraws its routes at once), or null when BIRD runs on its own and
    /// lvsnetd only drives it over <see cref="BirdSocket"/>.
    /// </summary>
    public string? BirdConfig { get; init; }

    /// <summary>BIRD's control socket.</summary>
    public string BirdSocket { get; init; } = DefaultBirdSocket;

    /// <summary>The BIRD binary lvsnetd starts when <see cref="BirdConfig"/> is set.</summary>
    public string BirdBinary { get; init; } = DefaultBirdBinary;

    /// <summary>Which services of a VIP must be serving for the VIP to be announced.</summary>
    public AnnounceRequirement Require { get; init; } = AnnounceRequirement.AllServices;

    /// <summary>How long a drained director keeps forwarding the established connections that still reach it (default 5 min).</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long lvsnetd waits after withdrawing at shutdown before the capture stops, so the router moves the flows first (default 1 s).</summary>
    public TimeSpan StopDelay { get; init; } = TimeSpan.FromSeconds(1);
}
