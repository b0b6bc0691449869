namespace LvsNet.Core.Scheduling;

/// <summary>Creates scheduler instances by ipvsadm name; resolved once per snapshot, never per packet.</summary>
public static class SchedulerFactory
{
    /// <summary>Creates the scheduler <paramref name="name"/> over <paramref name="servers"/> (list order).</summary>
    /// <param name="name">An ipvsadm scheduler name.</param>
    /// <param name="servers">The service's servers in kernel list order.</param>
    /// <param name="previous">The service's scheduler in the previous snapshot, whose position may be kept.</param>
    /// <exception cref="ArgumentException">The name is not implemented (the validator rejects it first).</exception>
    public static IScheduler Create(string name, RealServerState[] servers, IScheduler? previous = null) => name switch
    {
        SchedulerNames.RoundRobin => new RoundRobinScheduler(servers, previous),
        SchedulerNames.WeightedRoundRobin => new WeightedRoundRobinScheduler(servers, previous),
        _ => throw new ArgumentException($"unknown scheduler '{name}'", nameof(name)),
    };
}
