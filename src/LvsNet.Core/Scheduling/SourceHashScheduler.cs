using LvsNet.Core.Configuration;
using LvsNet.Packets;

namespace LvsNet.Core.Scheduling;

/// <summary>
/// sh: a static 256-bucket table looked up by the client's address (and, with <c>sh-port</c>, its
/// port) with <c>hash_32(port + saddr, 8)</c> (ip_vs_sh.c). The table is filled in list order, each
/// server taking as many consecutive buckets as its weight (at least one per cycle, weight 0
/// included), cycling until all 256 are filled. The bucket's server is returned if it has a
/// positive weight and is not overloaded; with <c>sh-fallback</c> the table is walked from there
/// for the next usable server.
/// </summary>
/// <remarks>
/// Uses the configured <see cref="RealServerState.Weight"/>: the table is rebuilt with each
/// snapshot (the kernel rebuilds on every server add, delete or edit), so adding, removing or
/// reweighting any server remaps most clients. O(1) per pick (O(256) worst case with fallback);
/// no allocation.
/// </remarks>
public sealed class SourceHashScheduler : IScheduler
{
    /// <summary>CONFIG_IP_VS_SH_TAB_BITS.</summary>
    public const int TableBits = 8;

    /// <summary>The number of buckets.</summary>
    public const int TableSize = 1 << TableBits;

    private const int TableMask = TableSize - 1;

    private readonly RealServerState?[] _buckets = new RealServerState?[TableSize];
    private readonly bool _usePort;
    private readonly bool _fallback;

    /// <summary>Creates the scheduler over <paramref name="servers"/> in list order.</summary>
    /// <param name="servers">The service's servers in kernel list order.</param>
    /// <param name="flags"><see cref="SchedulerFlags.Flag1"/> = sh-fallback, <see cref="SchedulerFlags.Flag2"/> = sh-port.</param>
    public SourceHashScheduler(RealServerState[] servers, SchedulerFlags flags = SchedulerFlags.None)
    {
        ArgumentNullException.ThrowIfNull(servers);
        _fallback = (flags & SchedulerFlags.Flag1) != 0;
        _usePort = (flags & SchedulerFlags.Flag2) != 0;

        // ip_vs_sh_reassign(): stay on a server until it has filled 'weight' buckets (one when its
        // weight is 0 or less), then move to the next, wrapping around the list.
        if (servers.Length > 0)
        {
            var index = 0;
            var filled = 0;
            for (var i = 0; i < TableSize; i++)
            {
                var server = servers[index];
                _buckets[i] = server;
                if (++filled >= server.Weight)
                {
                    index = index + 1 == servers.Length ? 0 : index + 1;
                    filled = 0;
                }
            }
        }
    }

    /// <inheritdoc />
    public string Name => SchedulerNames.SourceHash;

    /// <summary>The server in each bucket (for tests and listings).</summary>
    public ReadOnlySpan<RealServerState?> Buckets => _buckets;

    /// <summary>
    /// ip_vs_sh_hashkey(): <c>(offset + hash_32(port + saddr, 8)) &amp; 255</c>, the addition wrapping at 32 bits.
    /// </summary>
    public static int BucketOf(uint address, ushort port, uint offset = 0) =>
        (int)((offset + KernelHash.Hash32(unchecked(port + address), TableBits)) & TableMask);

    /// <inheritdoc />
    public RealServerState? Schedule(in FlowInfo flow)
    {
        // ip_vs_sh_get_port(): ports exist for TCP, UDP and SCTP only.
        var port = _usePort && flow.Protocol is IpProtocol.Tcp or IpProtocol.Udp or IpProtocol.Sctp ? flow.SourcePort : (ushort)0;
        var hash = BucketOf(flow.Source, port);
        var server = _buckets[hash];
        if (server is null)
        {
            return null;
        }

        if (IsUsable(server))
        {
            return server;
        }

        return _fallback ? Fallback(flow.Source, port, hash) : null;
    }

    private static bool IsUsable(RealServerState server) => server.Weight > 0 && ServerLoad.IsUsable(server);

    // ip_vs_sh_get_fallback(): loop around the table starting from the original hash value.
    private RealServerState? Fallback(uint address, ushort port, int hash)
    {
        for (var offset = 0; offset < TableSize; offset++)
        {
            var roffset = (uint)((offset + hash) % TableSize);
            var server = _buckets[BucketOf(address, port, roffset)];
            if (server is null)
            {
                break;
            }

            if (IsUsable(server))
            {
                return server;
            }
        }

        return null;
    }
}
