namespace LvsNet.Control.Listings;

/// <summary>A real server as the listings show it.</summary>
public sealed record ServerListing
{
    /// <summary>The real server's address, dotted.</summary>
    public required string Address { get; init; }

    /// <summary>The real server's port.</summary>
    public required ushort Port { get; init; }

    /// <summary>The forwarding method's configuration name (dr, nat, tun, fullnat).</summary>
    public required string Method { get; init; }

    /// <summary>The weight.</summary>
    public int Weight { get; init; }

    /// <summary>ActiveConn.</summary>
    public int ActiveConnections { get; init; }

    /// <summary>InActConn.</summary>
    public int InactiveConnections { get; init; }

    /// <summary>PersistConn: persistence templates pointing at this server.</summary>
    public int PersistentConnections { get; init; }

    /// <summary>Uthreshold (0 = none).</summary>
    public int UpperThreshold { get; init; }

    /// <summary>Lthreshold (0 = none).</summary>
    public int LowerThreshold { get; init; }

    /// <summary>The counters.</summary>
    public TrafficStats Stats { get; init; } = TrafficStats.Zero;

    /// <summary>The rate estimates.</summary>
    public TrafficRates Rates { get; init; } = TrafficRates.Zero;

    /// <summary>The weight the load-aware schedulers use (dynamic weights); equals <see cref="Weight"/> without a dynamic-weight policy.</summary>
    public int EffectiveWeight { get; init; }

    /// <summary>The configured weight (with <c>--health</c>; a down server may be listed at weight 0 while configured otherwise).</summary>
    public int? ConfiguredWeight { get; init; }

    /// <summary>True while a connection threshold marks the server overloaded.</summary>
    public bool Overloaded { get; init; }

    /// <summary>
    /// With <c>--health</c>: "up", "down (removed)", "down (inhibited)", "up (displaced by the sorry
    /// server)", "sorry server (in use)", or "not checked"; null when health was not asked for.
    /// </summary>
    public string? Health { get; init; }

    /// <summary>With <c>--health</c>: true when the server is in the scheduler's pool (removed and displaced servers are listed but not scheduled).</summary>
    public bool? InPool { get; init; }

    /// <summary>With <c>--health</c>: when the server entered its health state.</summary>
    public DateTimeOffset? HealthSince { get; init; }

    /// <summary>With <c>--health</c>: why it is in that state (the deciding check's message).</summary>
    public string? HealthReason { get; init; }

    /// <summary>With <c>--health</c>: its checkers.</summary>
    public IReadOnlyList<CheckerListing>? Checkers { get; init; }
}
