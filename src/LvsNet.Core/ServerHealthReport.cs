namespace LvsNet.Core;

/// <summary>What the health checks last published about one real server (the input of <see cref="AvailabilityOverlay"/>).</summary>
/// <param name="State">Up or down.</param>
/// <param name="Since">When the server entered <paramref name="State"/>.</param>
/// <param name="Reason">Why ("3 consecutive failures: connection refused", "http_get /health: status 200").</param>
/// <param name="Weight">A weight set by the checks (MISC_CHECK with misc_dynamic) that replaces the configured one; null = configured.</param>
public sealed record ServerHealthReport(HealthState State, DateTimeOffset Since, string Reason, int? Weight = null);
