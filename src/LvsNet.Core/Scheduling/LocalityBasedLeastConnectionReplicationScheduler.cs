using LvsNet.Core.Configuration;

namespace LvsNet.Core.Scheduling;

/// <summary>
/// lblcr: locality-based least connection with replication (ip_vs_lblcr.c). Each destination
/// address maps to a set of servers; a flow goes to the least loaded member (weighted, 64-bit
/// cross-multiplied); when that member is missing or "overloaded" (more active connections than
/// its weight while some server has fewer than half its weight) the wlc choice over the whole
/// service is added to the set. A set with more than one member that has not changed for the
/// expiration loses its most loaded member.
/// </summary>
/// <remarks>
/// <para>Set order follows the kernel (new members at the head), which decides ties. Uses
/// <see cref="RealServerState.EffectiveWeight"/>. Pick O(set + n); allocation only when the cache
/// grows (see <see cref="LocalityCache"/>).</para>
/// <para>As in the kernel, the least loaded member is chosen before the most loaded one may be
/// dropped from an expired set, and that choice stands even when it was the member dropped.</para>
/// </remarks>
public sealed class LocalityBasedLeastConnectionReplicationScheduler : IScheduler
{
    private readonly RealServerState[] _servers;
    private readonly TimeProvider _time;
    private readonly LocalityCache _cache;

    /// <summary>Creates the scheduler over <paramref name="servers"/> in list order.</summary>
    /// <param name="servers">The service's servers in kernel list order.</param>
    /// <param name="previous">The previous lblcr instance of the service, whose cache is kept.</param>
    /// <param name="options">Clock, expiration and cache bound; null = defaults.</param>
    public LocalityBasedLeastConnectionReplicationScheduler(RealServerState[] servers, IScheduler? previous = null, SchedulerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(servers);
        options ??= SchedulerOptions.Default;
        _servers = servers;
        _time = options.TimeProvider;
        if (previous is LocalityBasedLeastConnectionReplicationScheduler old && old._time.TimestampFrequency == _time.TimestampFrequency)
        {
            _cache = old._cache;
            _cache.SetExpiration(options.LocalityExpiration);
        }
        else
        {
            _cache = new LocalityCache(options.LocalityExpiration, options.LocalityCacheCapacity, _time.GetTimestamp(), _time.TimestampFrequency);
        }
    }

    /// <inheritdoc />
    public string Name => SchedulerNames.LocalityBasedLeastConnectionReplication;

    /// <summary>Cached destination addresses.</summary>
    public int CacheCount => _cache.Count;

    /// <summary>Cache or set inserts refused at the hard capacity (those flows were scheduled without caching).</summary>
    public long CacheInsertFailures => _cache.InsertFailures;

    internal LocalityCache Cache => _cache;

    /// <inheritdoc />
    public RealServerState? Schedule(in FlowInfo flow)
    {
        var now = _time.GetTimestamp();
        var cache = _cache;
        if (now >= cache.NextCheck)
        {
            cache.Maintain(now);
        }

        var servers = _servers;
        var address = flow.Destination;
        var index = cache.Find(address);
        int chosen;
        if (index >= 0)
        {
            ref var entry = ref cache[index];
            entry.LastUse = now;
            var least = SetMin(cache, entry.SetHead);

            // More than one member and unchanged for the expiration: drop the most loaded one.
            if (entry.SetSize > 1 && now - entry.LastModified > cache.Expiration)
            {
                var most = SetMax(cache, entry.SetHead);
                if (most is not null)
                {
                    cache.RemoveMember(index, most, now);
                }
            }

            if (least is not null && !ServerLoad.IsLocalityOverloaded(least, servers))
            {
                return least;
            }

            chosen = ServerLoad.WeightedLeastConnection(servers);
            if (chosen < 0)
            {
                return null;
            }

            cache.AddMember(index, servers[chosen], check: true, now);
            return servers[chosen];
        }

        chosen = ServerLoad.WeightedLeastConnection(servers);
        if (chosen < 0)
        {
            return null;
        }

        // ip_vs_lblcr_new(): a new entry with a one-member set; uncached if it cannot be created.
        index = cache.Add(address, now);
        if (index >= 0)
        {
            cache.AddMember(index, servers[chosen], check: false, now);
        }

        return servers[chosen];
    }

    // ip_vs_dest_set_min(): the first usable member with a positive weight, then any later
    // non-overloaded available member with a strictly smaller overhead/weight.
    private static RealServerState? SetMin(LocalityCache cache, int head)
    {
        RealServerState? least = null;
        long leastOverhead = 0;
        long leastWeight = 0;
        for (var m = head; m >= 0; m = cache.MemberAt(m).Next)
        {
            var server = cache.MemberAt(m).Server!;
            if (server.IsOverloaded)
            {
                continue;
            }

            long weight = server.EffectiveWeight;
            if (least is null)
            {
                if (weight > 0 && server.IsAvailable)
                {
                    least = server;
                    leastOverhead = ServerLoad.Overhead(server);
                    leastWeight = weight;
                }

                continue;
            }

            var overhead = ServerLoad.Overhead(server);
            if (leastOverhead * weight > overhead * leastWeight && server.IsAvailable)
            {
                least = server;
                leastOverhead = overhead;
                leastWeight = weight;
            }
        }

        return least;
    }

    // ip_vs_dest_set_max(): the first member with a positive weight, then any later member with a
    // positive weight and a strictly larger overhead/weight (neither OVERLOAD nor availability is
    // looked at).
    private static RealServerState? SetMax(LocalityCache cache, int head)
    {
        RealServerState? most = null;
        long mostOverhead = 0;
        long mostWeight = 0;
        for (var m = head; m >= 0; m = cache.MemberAt(m).Next)
        {
            var server = cache.MemberAt(m).Server!;
            long weight = server.EffectiveWeight;
            if (most is null)
            {
                if (weight > 0)
                {
                    most = server;
                    mostOverhead = ServerLoad.Overhead(server);
                    mostWeight = weight;
                }

                continue;
            }

            var overhead = ServerLoad.Overhead(server);
            if (mostOverhead * weight < overhead * mostWeight && weight > 0)
            {
                most = server;
                mostOverhead = overhead;
                mostWeight = weight;
            }
        }

        return most;
    }
}
