using LvsNet.Core.Configuration;
using LvsNet.Core.Scheduling;

namespace LvsNet.Core.Runtime;

/// <summary>
/// The live state of a virtual service inside one snapshot: its configuration, its servers in list
/// order, its scheduler and its counters. Counters live in a <see cref="ServiceCounters"/> object
/// that carries over between snapshots while the service exists.
/// </summary>
public sealed class VirtualServiceState
{
    internal VirtualServiceState(VirtualServiceConfig config, ServiceCounters counters)
    {
        Config = config;
        Key = ServiceKey.Of(config);
        Counters = counters;
    }

    /// <summary>The service's key.</summary>
    public ServiceKey Key { get; }

    /// <summary>The configuration.</summary>
    public VirtualServiceConfig Config { get; internal set; }

    /// <summary>The servers in kernel list order.</summary>
    public RealServerState[] Servers { get; internal set; } = [];

    /// <summary>The scheduler bound to <see cref="Servers"/>.</summary>
    public IScheduler Scheduler { get; internal set; } = null!;

    /// <summary>
    /// Every configured real server (health may leave some out of <see cref="Servers"/>), the sorry
    /// server and the quorum state, as this snapshot's health decided them.
    /// </summary>
    public ServiceHealthView? Health { get; internal set; }

    /// <summary>The service's traffic counters.</summary>
    public ServiceCounters Counters { get; }

    /// <inheritdoc />
    public override string ToString() => Key.ToString();
}
