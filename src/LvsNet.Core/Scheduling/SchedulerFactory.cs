using LvsNet.Core.Configuration;

namespace LvsNet.Core.Scheduling;

/// <summary>Creates scheduler instances by ipvsadm name; resolved once per snapshot, never per packet.</summary>
public static class SchedulerFactory
{
    /// <summary>Creates the scheduler <paramref name="name"/> over <paramref name="servers"/> (list order).</summary>
    /// <param name="name">An ipvsadm scheduler name.</param>
    /// <param name="servers">The service's servers in kernel list order.</param>
    /// <param name="previous">
    /// The service's scheduler in the previous snapshot. State is carried over where the kernel
    /// keeps it across server changes: the rr position, the wrr current weight, and the lblc/lblcr
    /// caches. Other schedulers are stateless or rebuild their tables, as the kernel does.
    /// </param>
    /// <param name="options">Flags, clock and tuning; null = kernel defaults.</param>
    /// <exception cref="ArgumentException">The name is not implemented, or mh cannot hold the servers (the validator rejects both first).</exception>
    public static IScheduler Create(string name, RealServerState[] servers, IScheduler? previous = null, SchedulerOptions? options = null)
    {
        options ??= SchedulerOptions.Default;
        return name switch
        {
            SchedulerNames.RoundRobin => new RoundRobinScheduler(servers, previous),
            SchedulerNames.WeightedRoundRobin => new WeightedRoundRobinScheduler(servers, previous),
            SchedulerNames.LeastConnection => new LeastConnectionScheduler(servers),
            SchedulerNames.WeightedLeastConnection => new WeightedLeastConnectionScheduler(servers),
            SchedulerNames.LocalityBasedLeastConnection => new LocalityBasedLeastConnectionScheduler(servers, previous, options),
            SchedulerNames.LocalityBasedLeastConnectionReplication => new LocalityBasedLeastConnectionReplicationScheduler(servers, previous, options),
            SchedulerNames.DestinationHash => new DestinationHashScheduler(servers),
            SchedulerNames.SourceHash => new SourceHashScheduler(servers, options.Flags),
            SchedulerNames.ShortestExpectedDelay => new ShortestExpectedDelayScheduler(servers),
            SchedulerNames.NeverQueue => new NeverQueueScheduler(servers),
            SchedulerNames.MaglevHash => new MaglevHashScheduler(servers, options.Flags, options.MaglevTableSize),
            SchedulerNames.WeightedFailover => new WeightedFailoverScheduler(servers),
            SchedulerNames.Overflow => new OverflowScheduler(servers),
            SchedulerNames.TwoChoices => new TwoChoicesScheduler(servers, options.Random),
            _ => throw new ArgumentException($"unknown scheduler '{name}'", nameof(name)),
        };
    }

    /// <summary>Creates the scheduler a configured service asks for, with its flags and tuning.</summary>
    /// <param name="service">The service's configuration (scheduler name, flags, mh table size, locality expiration).</param>
    /// <param name="servers">The service's servers in kernel list order.</param>
    /// <param name="previous">The service's scheduler in the previous snapshot, or null.</param>
    /// <param name="time">The clock for lblc/lblcr; null = the system clock.</param>
    public static IScheduler Create(VirtualServiceConfig service, RealServerState[] servers, IScheduler? previous = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        return Create(service.Scheduler, servers, previous, SchedulerOptions.FromConfig(service, time));
    }
}
