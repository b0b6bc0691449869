using LvsNet.Core.Configuration;

namespace LvsNet.Core.Scheduling;

/// <summary>
/// rr: the next server after the last one chosen, in list order, skipping weight 0 and
/// overloaded servers (ip_vs_rr.c). Weight only counts as zero or not.
/// </summary>
/// <remarks>O(n) worst case, O(1) typical; no allocation.</remarks>
public sealed class RoundRobinScheduler : IScheduler
{
    private readonly RealServerState[] _servers;

    // Index of the last server chosen; -1 is the list head itself, so the first pick is servers[0].
    private int _last = -1;

    /// <summary>Creates the scheduler over <paramref name="servers"/> in list order.</summary>
    /// <param name="servers">The service's servers in kernel list order.</param>
    /// <param name="previous">The service's previous rr instance, whose position is kept.</param>
    public RoundRobinScheduler(RealServerState[] servers, IScheduler? previous = null)
    {
        ArgumentNullException.ThrowIfNull(servers);
        _servers = servers;

        // The kernel keeps its list pointer across edits; when the server it points at is deleted,
        // ip_vs_rr_del_dest() moves it to that server's predecessor (the head if there is none).
        if (previous is RoundRobinScheduler old)
        {
            for (var i = old._last; i >= 0 && i < old._servers.Length; i--)
            {
                var index = Array.IndexOf(servers, old._servers[i]);
                if (index >= 0)
                {
                    _last = index;
                    break;
                }
            }
        }
    }

    /// <inheritdoc />
    public string Name => SchedulerNames.RoundRobin;

    /// <inheritdoc />
    public RealServerState? Schedule(in FlowInfo flow)
    {
        var servers = _servers;
        var count = servers.Length;
        var index = _last;
        for (var i = 0; i < count; i++)
        {
            index++;
            if (index >= count)
            {
                index = 0;
            }

            var server = servers[index];
            if (server.Weight > 0 && ServerLoad.IsUsable(server))
            {
                _last = index;
                return server;
            }
        }

        return null;
    }
}
