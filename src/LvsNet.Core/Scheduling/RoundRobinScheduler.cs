namespace LvsNet.Core.Scheduling;

/// <summary>
/// rr: the next server after the last one chosen, in list order, skipping weight 0 and
/// overloaded servers (ip_vs_rr.c). Weight only counts as zero or not.
/// </summary>
public sealed class RoundRobinScheduler : IScheduler
{
    private readonly RealServerState[] _servers;

    // Index of the last server chosen; -1 is the list head itself, so the first pick is servers[0].
    private int _last = -1;

    /// <summary>Creates the scheduler over <paramref name="servers"/> in list order.</summary>
    public RoundRobinScheduler(RealServerState[] servers, IScheduler? previous = null)
    {
        _servers = servers;

        // Keep the rotation where it was when the previous instance's last pick is still listed
        // (the kernel keeps its list pointer across edits of other servers).
        if (previous is RoundRobinScheduler old && (uint)old._last < (uint)old._servers.Length)
        {
            _last = Array.IndexOf(servers, old._servers[old._last]);
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
            if (server.Weight > 0 && !server.IsOverloaded)
            {
                _last = index;
                return server;
            }
        }

        return null;
    }
}
