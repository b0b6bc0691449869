namespace LvsNet.Core.Feedback;

/// <summary>
/// One reply of a server's load agent (HAProxy agent-check grammar), or the first output line of a
/// MISC command with <c>feedback</c>: only the parts the reply named are set.
/// </summary>
/// <param name="WeightPercent">"75%": the weight as a percentage of the configured one (0..1000).</param>
/// <param name="Admin">"ready", "drain" or "maint".</param>
/// <param name="Operational">"up", or "down" / "fail" / "stopped".</param>
/// <param name="MaxConnections">"maxconn:N" (parsed and shown, not applied: use upper_threshold).</param>
/// <param name="Description">The text after '#', or null.</param>
public readonly record struct AgentReply(int? WeightPercent, AgentAdminState? Admin, AgentOperationalState? Operational, int? MaxConnections, string? Description)
{
    /// <summary>The largest weight percentage accepted (as <c>max_weight_percent</c>).</summary>
    public const int MaxWeightPercent = 1000;

    /// <summary>The longest reply read (bytes); a longer line is refused.</summary>
    public const int MaxLength = 512;
}

/// <summary>The administrative state an agent asks for.</summary>
public enum AgentAdminState
{
    /// <summary>Takes new connections ("ready" cancels drain and maint).</summary>
    Ready,

    /// <summary>No new connections; existing ones continue (effective weight 0).</summary>
    Drain,

    /// <summary>Maintenance: no new connections (effective weight 0); shown apart from drain.</summary>
    Maint,
}

/// <summary>The operational state an agent reports.</summary>
public enum AgentOperationalState
{
    /// <summary>The service on the server works ("up").</summary>
    Up,

    /// <summary>The service on the server does not work ("down", "fail", "stopped"): effective weight 0.</summary>
    Down,
}
