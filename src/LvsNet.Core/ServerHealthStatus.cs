namespace LvsNet.Core;

/// <summary>
/// The health of a real server as a snapshot applied it (<see cref="RealServerState.Health"/>): the
/// checks' verdict and what it did to the pool. Listings show it next to the ipvsadm columns.
/// </summary>
public sealed record ServerHealthStatus
{
    /// <summary>Up or down (a sorry server is always up: it is not checked).</summary>
    public required HealthState State { get; init; }

    /// <summary>What the state did: in the pool, inhibited at weight 0, removed, or displaced by the sorry server.</summary>
    public required PoolMembership Membership { get; init; }

    /// <summary>When the server entered <see cref="State"/>; null while no check has changed it yet.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Why; null while no check has changed it yet.</summary>
    public string? Reason { get; init; }

    /// <summary>The configured weight (the listing's weight column shows the weight in force).</summary>
    public int ConfiguredWeight { get; init; }

    /// <summary>The weight a MISC_CHECK with misc_dynamic set, or null.</summary>
    public int? DynamicWeight { get; init; }

    /// <summary>True for the service's sorry server.</summary>
    public bool IsSorryServer { get; init; }

    /// <summary>"up", "down (removed)", "down (inhibited)", "up (displaced by the sorry server)", "sorry server (in use)".</summary>
    public override string ToString() => IsSorryServer
        ? Membership == PoolMembership.InPool ? "sorry server (in use)" : Membership == PoolMembership.Inhibited ? "sorry server (standby, weight 0)" : "sorry server (standby)"
        : (State, Membership) switch
        {
            (HealthState.Up, PoolMembership.Displaced) => "up (displaced by the sorry server)",
            (HealthState.Up, _) => "up",
            (_, PoolMembership.Inhibited) => "down (inhibited)",
            _ => "down (removed)",
        };
}
