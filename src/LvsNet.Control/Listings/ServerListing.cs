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
}
