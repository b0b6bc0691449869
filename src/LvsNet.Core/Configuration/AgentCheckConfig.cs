namespace LvsNet.Core.Configuration;

/// <summary>
/// An agent check (YAML <c>agent_check</c> of a service, overridable per real server), like
/// HAProxy's agent-check: the director connects to a small TCP port on the real server, optionally
/// sends <see cref="Send"/>, and reads one line such as <c>75%</c>, <c>drain</c>, <c>maint</c>,
/// <c>ready</c>, <c>up</c> or <c>down</c>. The reply scales the server's effective weight; see
/// docs/schedulers.md. Each key of a real server's mapping overrides the service's.
/// </summary>
public sealed record AgentCheckConfig
{
    /// <summary>HAProxy's agent-inter default: 2 s.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(2);

    /// <summary>The default time for one query (connect, send, read the line): 1 s.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(1);

    /// <summary>False turns the check off (for one real server of a service that has one); null inherits.</summary>
    public bool? Enabled { get; init; }

    /// <summary>The agent's TCP port on the real server's address; null inherits.</summary>
    public ushort? Port { get; init; }

    /// <summary>The time between queries; null inherits (default 2 s).</summary>
    public TimeSpan? Interval { get; init; }

    /// <summary>How long one query may take; null inherits (default 1 s).</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>A line sent to the agent after connecting (HAProxy agent-send; a newline is added), or null to send nothing.</summary>
    public string? Send { get; init; }

    /// <summary>The server's settings over the service's, or null when no agent is queried for this server.</summary>
    public static AgentCheckSettings? Resolve(AgentCheckConfig? service, AgentCheckConfig? server)
    {
        if (service is null && server is null)
        {
            return null;
        }

        if ((server?.Enabled ?? service?.Enabled ?? true) == false)
        {
            return null;
        }

        var port = server?.Port ?? service?.Port;
        if (port is null)
        {
            return null;
        }

        return new AgentCheckSettings(
            port.Value,
            server?.Interval ?? service?.Interval ?? DefaultInterval,
            server?.Timeout ?? service?.Timeout ?? DefaultTimeout,
            server?.Send ?? service?.Send);
    }
}

/// <summary>One real server's resolved agent check.</summary>
/// <param name="Port">The agent's TCP port.</param>
/// <param name="Interval">The time between queries.</param>
/// <param name="Timeout">The time one query may take.</param>
/// <param name="Send">The line sent after connecting, or null.</param>
public sealed record AgentCheckSettings(ushort Port, TimeSpan Interval, TimeSpan Timeout, string? Send);
