using LvsNet.Core.Configuration;

namespace LvsNet.Core.Scheduling;

/// <summary>
/// lc: the server with the least overhead (<c>active·256 + inactive</c>) among those with a
/// non-zero weight and not overloaded; ties go to the earlier server in list order (ip_vs_lc.c).
/// The weight's magnitude is ignored.
/// </summary>
/// <remarks>O(n) per pick; no allocation.</remarks>
public sealed class LeastConnectionScheduler : IScheduler
{
    private readonly RealServerState[] _servers;

    /// <summary>Creates the scheduler over <paramref name="servers"/> in list order.</summary>
    public LeastConnectionScheduler(RealServerState[] servers)
    {
        ArgumentNullException.ThrowIfNull(servers);
        _servers = servers;
    }

    /// <inheritdoc />
    public string Name => SchedulerNames.LeastConnection;

    /// <inheritdoc />
    public RealServerState? Schedule(in FlowInfo flow)
    {
        RealServerState? least = null;
        long leastOverhead = 0;
        foreach (var server in _servers)
        {
            if (server.Weight == 0 || !ServerLoad.IsUsable(server))
            {
                continue;
            }

            var overhead = ServerLoad.Overhead(server);
            if (least is null || overhead < leastOverhead)
            {
                least = server;
                leastOverhead = overhead;
            }
        }

        return least;
    }
}
