using LvsNet.Core.Configuration;

namespace LvsNet.Core.Scheduling;

/// <summary>
/// sed: the server with the least <c>(active + 1) / weight</c>, the delay a new connection
/// would expect (ip_vs_sed.c). Inactive connections are ignored. Same candidate and tie rules as
/// wlc: first positive-weight server, replaced only by a strictly smaller cross-multiplied load.
/// </summary>
/// <remarks>Uses <see cref="RealServerState.EffectiveWeight"/>. O(n) per pick; no allocation.</remarks>
public sealed class ShortestExpectedDelayScheduler : IScheduler
{
    private readonly RealServerState[] _servers;

    /// <summary>Creates the scheduler over <paramref name="servers"/> in list order.</summary>
    public ShortestExpectedDelayScheduler(RealServerState[] servers)
    {
        ArgumentNullException.ThrowIfNull(servers);
        _servers = servers;
    }

    /// <inheritdoc />
    public string Name => SchedulerNames.ShortestExpectedDelay;

    /// <inheritdoc />
    public RealServerState? Schedule(in FlowInfo flow)
    {
        RealServerState? least = null;
        long leastOverhead = 0;
        long leastWeight = 0;
        foreach (var server in _servers)
        {
            if (!ServerLoad.IsUsable(server))
            {
                continue;
            }

            long weight = server.EffectiveWeight;
            if (least is null)
            {
                if (weight > 0)
                {
                    least = server;
                    leastOverhead = server.ActiveConnections + 1L;
                    leastWeight = weight;
                }

                continue;
            }

            var overhead = server.ActiveConnections + 1L;
            if (leastOverhead * weight > overhead * leastWeight)
            {
                least = server;
                leastOverhead = overhead;
                leastWeight = weight;
            }
        }

        return least;
    }
}
