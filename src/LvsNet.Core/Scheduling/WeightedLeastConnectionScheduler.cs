using LvsNet.Core.Configuration;

namespace LvsNet.Core.Scheduling;

/// <summary>
/// wlc, the ipvsadm default: the server with the least <c>(active·256 + inactive) / weight</c>
/// (ip_vs_wlc.c). The first server with a positive weight is the first candidate; a later one
/// replaces it only when strictly less loaded (64-bit cross-multiplication), so ties keep the
/// earlier server and weight-0 servers never win. Overloaded servers are skipped.
/// </summary>
/// <remarks>Uses <see cref="RealServerState.EffectiveWeight"/>. O(n) per pick; no allocation.</remarks>
public sealed class WeightedLeastConnectionScheduler : IScheduler
{
    private readonly RealServerState[] _servers;

    /// <summary>Creates the scheduler over <paramref name="servers"/> in list order.</summary>
    public WeightedLeastConnectionScheduler(RealServerState[] servers)
    {
        ArgumentNullException.ThrowIfNull(servers);
        _servers = servers;
    }

    /// <inheritdoc />
    public string Name => SchedulerNames.WeightedLeastConnection;

    /// <inheritdoc />
    public RealServerState? Schedule(in FlowInfo flow)
    {
        var index = ServerLoad.WeightedLeastConnection(_servers);
        return index < 0 ? null : _servers[index];
    }
}
