using LvsNet.Core.Configuration;

namespace LvsNet.Core;

/// <summary>
/// The health side of a virtual service inside one snapshot (<see cref="VirtualServiceState.Health"/>):
/// every configured real server (the pool in <see cref="VirtualServiceState.Servers"/> leaves out
/// the ones health removed), the sorry server and the quorum state.
/// </summary>
public sealed class ServiceHealthView
{
    internal ServiceHealthView(RealServerState[] configuredServers, RealServerState? sorryServer, bool? quorumUp, long liveWeight, QuorumConfig quorum)
    {
        ConfiguredServers = configuredServers;
        SorryServer = sorryServer;
        QuorumUp = quorumUp;
        LiveWeight = liveWeight;
        Quorum = quorum;
    }

    /// <summary>Every configured real server in configuration order, in the pool or not (see <see cref="RealServerState.Health"/>).</summary>
    public IReadOnlyList<RealServerState> ConfiguredServers { get; }

    /// <summary>The sorry server's state, or null when none is configured.</summary>
    public RealServerState? SorryServer { get; }

    /// <summary>True while the sorry server takes the new connections.</summary>
    public bool SorryServerActive => SorryServer?.Health?.Membership == PoolMembership.InPool;

    /// <summary>The quorum state, or null when the service has neither health checks nor quorum settings.</summary>
    public bool? QuorumUp { get; }

    /// <summary>The sum of the weights of the up real servers (what the quorum is compared with).</summary>
    public long LiveWeight { get; }

    /// <summary>The quorum settings in force (keepalived's defaults when none are configured).</summary>
    public QuorumConfig Quorum { get; }
}
