using LvsNet.Core.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LvsNet.Core.Feedback;

/// <summary>
/// The agents' word per real server (agent_check replies and feedback MISC output), read by the
/// <see cref="DynamicWeightDriver"/>. Every change of what an agent says is logged
/// (<c>AgentStateChanged</c>), a refused reply once per distinct error (<c>AgentReplyRefused</c>),
/// an agent that stops answering once (<c>AgentUnreachable</c>); the last state stays meanwhile.
/// </summary>
/// <remarks>Written by the agent checks' completions, read by the driver's timer and the listings; one lock.</remarks>
public sealed partial class AgentFeedbackStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<RealServerKey, AgentStatus> _statuses = [];
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    /// <summary>Creates the store.</summary>
    public AgentFeedbackStore(ILogger<AgentFeedbackStore>? logger = null, TimeProvider? time = null)
    {
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Records one reply line; returns the server's status after it (unchanged when the line was refused).</summary>
    /// <param name="server">The real server.</param>
    /// <param name="source">"agent" or "misc".</param>
    /// <param name="line">The line received.</param>
    public AgentStatus Record(RealServerKey server, string source, string? line)
    {
        var now = _time.GetUtcNow();
        var parsed = AgentReplyParser.TryParse(line, out var reply, out var error);
        AgentStatus before;
        AgentStatus after;
        lock (_gate)
        {
            _statuses.TryGetValue(server, out var existing);
            before = existing ?? AgentStatus.Initial(source, now);
            after = parsed
                ? before.With(reply, source, now)
                : before with { LastError = error };
            _statuses[server] = after;
            if (!parsed)
            {
                if (!string.Equals(before.LastError, error, StringComparison.Ordinal))
                {
                    Log.ReplyRefused(_logger, server.Service.ToString(), server.ServerText, source, error);
                }

                return after;
            }
        }

        if (after.Describe() != before.Describe())
        {
            Log.StateChanged(_logger, server.Service.ToString(), server.ServerText, source, before.Describe(), after.Describe(), line?.Trim() ?? "");
        }

        return after;
    }

    /// <summary>Records that the agent could not be reached or did not answer in time; its last state stays.</summary>
    public void RecordUnreachable(RealServerKey server, string source, string message)
    {
        bool wasReachable;
        lock (_gate)
        {
            var status = _statuses.TryGetValue(server, out var existing) ? existing : AgentStatus.Initial(source, _time.GetUtcNow());
            wasReachable = status.Reachable;
            _statuses[server] = status with { Reachable = false, LastError = message };
        }

        if (wasReachable)
        {
            Log.Unreachable(_logger, server.Service.ToString(), server.ServerText, source, message);
        }
    }

    /// <summary>The status of a server; false when no agent has been asked about it.</summary>
    public bool TryGet(RealServerKey server, out AgentStatus status)
    {
        lock (_gate)
        {
            return _statuses.TryGetValue(server, out status!);
        }
    }

    /// <summary>The status of a server by its runtime state.</summary>
    public bool TryGet(RealServerState server, out AgentStatus status) => TryGet(RealServerKey.Of(server), out status);

    /// <summary>Forgets a server that no agent is asked about any more.</summary>
    public void Forget(RealServerKey server)
    {
        lock (_gate)
        {
            _statuses.Remove(server);
        }
    }
}
