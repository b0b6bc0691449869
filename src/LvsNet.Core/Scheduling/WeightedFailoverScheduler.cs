using LvsNet.Core.Configuration;

namespace LvsNet.Core.Scheduling;

/// <summary>
/// fo: the usable server with the highest weight, ties to the earlier in list order
/// (ip_vs_fo.c). Load is not considered: weights act as priorities, so traffic fails over to the
/// next-highest weight only when the top one is quiesced (weight 0) or overloaded.
/// </summary>
/// <remarks>Uses the configured <see cref="RealServerState.Weight"/>. O(n) per pick; no allocation.</remarks>
public sealed class WeightedFailoverScheduler : IScheduler
{
    private readonly RealServerState[] _servers;

    /// <summary>Creates the scheduler over <paramref name="servers"/> in list order.</summary>
    public WeightedFailoverScheduler(RealServerState[] servers)
    {
        ArgumentNullException.ThrowIfNull(servers);
        _servers = servers;
    }

    /// <inheritdoc />
    public string Name => SchedulerNames.WeightedFailover;

    /// <inheritdoc />
    public RealServerState? Schedule(in FlowInfo flow)
    {
        RealServerState? highest = null;
        var highestWeight = 0;
        foreach (var server in _servers)
        {
            var weight = server.Weight;
            if (weight > highestWeight && ServerLoad.IsUsable(server))
            {
                highest = server;
                highestWeight = weight;
            }
        }

        return highest;
    }
}
