using LvsNet.Core.Configuration;

namespace LvsNet.Core.Scheduling;

/// <summary>
/// lblc: locality-based least connection (ip_vs_lblc.c). Flows to the same destination address go
/// to the same server, cached per address; the cached server is used while it is available, has a
/// positive weight and is not "overloaded" (more active connections than its weight while some
/// server has fewer than half its weight), otherwise the wlc choice is made and cached.
/// </summary>
/// <remarks>
/// <para>The cached server is reused without looking at the OVERLOAD flag, as in the kernel; the
/// wlc fallback does honour it. Uses <see cref="RealServerState.EffectiveWeight"/>.</para>
/// <para>The key is the packet's destination, which for an ordinary virtual service is the VIP
/// (one entry per service): lblc is meant for fwmark services in front of transparent caches.</para>
/// <para>Pick O(1) on a cache hit, O(n) when rescheduling; allocation only when the cache grows
/// (see <see cref="LocalityCache"/>). Idle entries are collected lazily from this call.</para>
/// </remarks>
public sealed class LocalityBasedLeastConnectionScheduler : IScheduler
{
    private readonly RealServerState[] _servers;
    private readonly TimeProvider _time;
    private readonly LocalityCache _cache;

    /// <summary>Creates the scheduler over <paramref name="servers"/> in list order.</summary>
    /// <param name="servers">The service's servers in kernel list order.</param>
    /// <param name="previous">The previous lblc instance of the service, whose cache is kept.</param>
    /// <param name="options">Clock, expiration and cache bound; null = defaults.</param>
    public LocalityBasedLeastConnectionScheduler(RealServerState[] servers, IScheduler? previous = null, SchedulerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(servers);
        options ??= SchedulerOptions.Default;
        _servers = servers;
        _time = options.TimeProvider;

        // The kernel's table lives as long as the service keeps this scheduler; server changes do
        // not touch it (lblc has no add/del/upd_dest hooks).
        if (previous is LocalityBasedLeastConnectionScheduler old && old._time.TimestampFrequency == _time.TimestampFrequency)
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
    public string Name => SchedulerNames.LocalityBasedLeastConnection;

    /// <summary>Cached destination addresses.</summary>
    public int CacheCount => _cache.Count;

    /// <summary>Cache inserts refused at the hard capacity (those flows were scheduled uncached).</summary>
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
        if (index >= 0)
        {
            ref var entry = ref cache[index];
            entry.LastUse = now;
            var cached = entry.Server;
            if (cached is not null && cached.IsAvailable && cached.EffectiveWeight > 0 && !ServerLoad.IsLocalityOverloaded(cached, servers))
            {
                return cached;
            }
        }

        var chosen = ServerLoad.WeightedLeastConnection(servers);
        if (chosen < 0)
        {
            return null;
        }

        var server = servers[chosen];

        // ip_vs_lblc_new(): rebind the entry, or create it; if it cannot be created the valid
        // server is used uncached.
        if (index < 0)
        {
            index = cache.Add(address, now);
        }

        if (index >= 0)
        {
            cache[index].Server = server;
        }

        return server;
    }
}
