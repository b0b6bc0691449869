using System.Globalization;
using System.Text;

namespace LvsNet.Core.Feedback;

/// <summary>
/// What a server's agent (or feedback MISC command) has said so far: each reply changes only what
/// it names, as in HAProxy (a "drain" stays until "ready"; a percentage stays until the next one).
/// </summary>
/// <param name="Admin">The administrative state (ready until an agent says otherwise).</param>
/// <param name="Operational">The operational state (up until an agent says otherwise).</param>
/// <param name="WeightPercent">The weight in percent of the configured one (100 until an agent says otherwise).</param>
/// <param name="MaxConnections">The last maxconn the agent sent (shown, not applied), or null.</param>
/// <param name="Description">The last description after '#', or null.</param>
/// <param name="Source">"agent" (agent_check) or "misc" (a MISC check with feedback).</param>
/// <param name="UpdatedAt">When the last valid reply arrived.</param>
/// <param name="Reachable">False while the last attempt to reach the agent failed (the state above stays).</param>
/// <param name="LastError">Why the last attempt failed or was refused, or null.</param>
public sealed record AgentStatus(
    AgentAdminState Admin,
    AgentOperationalState Operational,
    int WeightPercent,
    int? MaxConnections,
    string? Description,
    string Source,
    DateTimeOffset UpdatedAt,
    bool Reachable = true,
    string? LastError = null)
{
    /// <summary>The state before any reply.</summary>
    public static AgentStatus Initial(string source, DateTimeOffset at) => new(AgentAdminState.Ready, AgentOperationalState.Up, 100, null, null, source, at);

    /// <summary>The fraction of the configured weight the agent allows: 0 while drained, in maintenance or down; else the percentage / 100.</summary>
    public double WeightFactor => Admin == AgentAdminState.Ready && Operational == AgentOperationalState.Up ? WeightPercent / 100.0 : 0;

    /// <summary>This status with <paramref name="reply"/>'s named parts applied.</summary>
    public AgentStatus With(AgentReply reply, string source, DateTimeOffset at) => this with
    {
        Admin = reply.Admin ?? Admin,
        Operational = reply.Operational ?? Operational,
        WeightPercent = reply.WeightPercent ?? WeightPercent,
        MaxConnections = reply.MaxConnections ?? MaxConnections,
        Description = reply.Description ?? Description,
        Source = source,
        UpdatedAt = at,
        Reachable = true,
        LastError = null,
    };

    /// <summary>The parts that decide the weight: "ready up 75%", "drain up 100%", "ready down 100% (disk full)".</summary>
    public string Describe()
    {
        var text = new StringBuilder()
            .Append(Admin switch { AgentAdminState.Drain => "drain", AgentAdminState.Maint => "maint", _ => "ready" })
            .Append(' ')
            .Append(Operational == AgentOperationalState.Down ? "down" : "up")
            .Append(' ')
            .Append(WeightPercent.ToString(CultureInfo.InvariantCulture)).Append('%');
        if (Description is { Length: > 0 } description)
        {
            text.Append(" (").Append(description).Append(')');
        }

        return text.ToString();
    }
}
