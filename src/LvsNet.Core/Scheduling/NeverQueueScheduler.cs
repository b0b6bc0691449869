using LvsNet.Core.Configuration;

namespace LvsNet.Core.Scheduling;

/// <summary>
/// nq: the first idle server (no active connection) in list order, whatever its weight; when
/// none is idle, the sed choice <c>(active + 1) / weight</c> (ip_vs_nq.c). Weight-0 and overloaded
/// servers are skipped.
/// </summary>
/// <remarks>Uses <see cref="RealServerState.EffectiveWeight"/>. O(n) per pick; no allocation.</remarks>
public sealed class NeverQueueScheduler : IScheduler
{
    private readonly RealServerState[] _servers;

    /// <summary>Creates the scheduler over <paramref name="servers"/> in list order.</summary>
    public NeverQueueScheduler(RealServerState[] servers)
    {
        ArgumentNullException.ThrowIfNull(servers);
        _servers = servers;
    }

    /// <inheritdoc />
    public string Name => SchedulerNames.NeverQueue;

    /// <inheritdoc />
    public RealServerState? Schedule(in FlowInfo flow)
    {
        RealServerState? least = null;
        long leastOverhead = 0;
        long leastWeight = 0;
        foreach (var server in _servers)
        {
            long weight = server.EffectiveWeight;
            if (weight == 0 || !ServerLoad.IsUsable(server))
            {
                continue;
            }

            var active = server.ActiveConnections;
            if (active == 0)
            {
                return server;
            }

            var overhead = active + 1L;
            if (least is null || leastOverhead * weight > overhead * leastWeight)
            {
                least = server;
                leastOverhead = overhead;
                leastWeight = weight;
            }
        }

        return least;
    }
}
