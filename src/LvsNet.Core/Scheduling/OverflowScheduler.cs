using LvsNet.Core.Configuration;

namespace LvsNet.Core.Scheduling;

/// <summary>
/// ovf: the highest-weight server whose active connections do not exceed its weight, ties to the
/// earlier in list order (ip_vs_ovf.c): the heaviest server is filled up to its weight, then new
/// connections overflow to the next. Only active connections count, so it does not suit UDP
/// (UDP connections are never active).
/// </summary>
/// <remarks>Uses <see cref="RealServerState.EffectiveWeight"/>. O(n) per pick; no allocation.</remarks>
public sealed class OverflowScheduler : IScheduler
{
    private readonly RealServerState[] _servers;

    /// <summary>Creates the scheduler over <paramref name="servers"/> in list order.</summary>
    public OverflowScheduler(RealServerState[] servers)
    {
        ArgumentNullException.ThrowIfNull(servers);
        _servers = servers;
    }

    /// <inheritdoc />
    public string Name => SchedulerNames.Overflow;

    /// <inheritdoc />
    public RealServerState? Schedule(in FlowInfo flow)
    {
        RealServerState? highest = null;
        var highestWeight = 0;
        foreach (var server in _servers)
        {
            var weight = server.EffectiveWeight;
            if (weight == 0 || server.ActiveConnections > weight || !ServerLoad.IsUsable(server))
            {
                continue;
            }

            if (highest is null || weight > highestWeight)
            {
                highest = server;
                highestWeight = weight;
            }
        }

        return highest;
    }
}
