using LvsNet.Core.Configuration;

namespace LvsNet.Core.Scheduling;

/// <summary>
/// dh: a static 256-bucket table filled with the servers in list order, one bucket per server
/// per cycle (weights ignored), looked up by the packet's destination address with
/// <c>hash_32(daddr, 8)</c> (ip_vs_dh.c). The bucket's server is returned only if it has a positive
/// weight and is not overloaded; there is no fallback.
/// </summary>
/// <remarks>
/// The destination of a packet to a virtual service is the VIP, so every flow of a service hashes
/// to the same bucket: dh is meant for fwmark services in front of transparent caches, where the
/// destination is the origin server. O(1) per pick; no allocation.
/// </remarks>
public sealed class DestinationHashScheduler : IScheduler
{
    /// <summary>CONFIG_IP_VS_DH_TAB_BITS.</summary>
    public const int TableBits = 8;

    /// <summary>The number of buckets.</summary>
    public const int TableSize = 1 << TableBits;

    private readonly RealServerState?[] _buckets = new RealServerState?[TableSize];

    /// <summary>Creates the scheduler over <paramref name="servers"/> in list order.</summary>
    public DestinationHashScheduler(RealServerState[] servers)
    {
        ArgumentNullException.ThrowIfNull(servers);

        // ip_vs_dh_reassign(): bucket i gets the i-th server cycling through the list.
        if (servers.Length > 0)
        {
            for (var i = 0; i < TableSize; i++)
            {
                _buckets[i] = servers[i % servers.Length];
            }
        }
    }

    /// <inheritdoc />
    public string Name => SchedulerNames.DestinationHash;

    /// <summary>The server in each bucket (for tests and listings).</summary>
    public ReadOnlySpan<RealServerState?> Buckets => _buckets;

    /// <summary>The bucket of a destination address: <c>hash_32(daddr, 8)</c>.</summary>
    public static int BucketOf(uint destination) => (int)KernelHash.Hash32(destination, TableBits);

    /// <inheritdoc />
    public RealServerState? Schedule(in FlowInfo flow)
    {
        var server = _buckets[BucketOf(flow.Destination)];
        return server is not null && server.Weight > 0 && ServerLoad.IsUsable(server) ? server : null;
    }
}
