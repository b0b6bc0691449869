namespace LvsNet.Core.Health;

/// <summary>A real server's health changed (raised by <see cref="HealthMonitor.ServerHealthChanged"/> after the new snapshot was published).</summary>
/// <param name="Server">The real server.</param>
/// <param name="State">The new state.</param>
/// <param name="Reason">Why (the deciding check's message; for a failure with the number of consecutive failures).</param>
/// <param name="Checker">The checker that decided it ("http_get /health").</param>
/// <param name="At">When.</param>
/// <param name="Weight">The weight a dynamic MISC_CHECK set, or null.</param>
/// <param name="Membership">Where the new snapshot put the server, or null when the service is gone.</param>
/// <param name="WeightOnly">True when only the dynamic weight changed, not the state.</param>
public sealed record ServerHealthChange(RealServerKey Server, HealthState State, string Reason, string Checker, DateTimeOffset At, int? Weight, PoolMembership? Membership, bool WeightOnly = false);
