namespace LvsNet.Core.Scheduling;

/// <summary>Picks a real server for a new connection, as the IPVS scheduler of the same name does.</summary>
/// <remarks>
/// An instance is bound to one virtual service's server array (kernel list order) for the
/// lifetime of one snapshot; a change of the server set builds a new instance, which may carry
/// state over from its predecessor. <see cref="Schedule"/> runs on the capture thread, never
/// allocates and never blocks.
/// </remarks>
public interface IScheduler
{
    /// <summary>The scheduler's ipvsadm name.</summary>
    string Name { get; }

    /// <summary>Picks a server for a new flow, or null when none is available (the client then gets ICMP port unreachable).</summary>
    RealServerState? Schedule(in FlowInfo flow);
}
