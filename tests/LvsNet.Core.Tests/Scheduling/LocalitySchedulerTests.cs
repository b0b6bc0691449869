using LvsNet.Core.Scheduling;
using LvsNet.Packets;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.Core.Tests;

/// <summary>lblc and lblcr: cache reuse, the "overloaded" switch, set replication and expiry with a driven clock (reference §2.10, §2.11).</summary>
public class LocalitySchedulerTests
{
    private static readonly uint D1 = Ipv4Address.Parse("203.0.113.1");
    private static readonly uint D2 = Ipv4Address.Parse("203.0.113.2");

    private readonly TestTimeProvider _time = new();

    private static FlowInfo To(uint destination) => ServerSets.FlowFrom(Ipv4Address.Parse("192.168.1.1"), destination: destination);

    private SchedulerOptions Options(TimeSpan? expiration = null, int capacity = LocalityCache.DefaultCapacity) => new()
    {
        TimeProvider = _time,
        LocalityExpiration = expiration ?? LocalityCache.DefaultExpiration,
        LocalityCacheCapacity = capacity,
    };

    private static List<RealServerState> Members(LocalityCache cache, uint address)
    {
        var members = new List<RealServerState>();
        var index = cache.Find(address);
        for (var m = index < 0 ? -1 : cache[index].SetHead; m >= 0; m = cache.MemberAt(m).Next)
        {
            members.Add(cache.MemberAt(m).Server!);
        }

        return members;
    }

    [Fact]
    public void Lblc_ReusesCachedServerWhileNotOverloaded()
    {
        var servers = ServerSets.Create(1, 1, 1);
        var scheduler = new LocalityBasedLeastConnectionScheduler(servers, null, Options());
        Assert.Same(servers[0], scheduler.Schedule(To(D1)));

        // wlc alone would now pick B, but A is not "overloaded" (act <= weight).
        ServerSets.SetCounts(servers, (1, 50), (0, 0), (0, 0));
        Assert.Same(servers[0], scheduler.Schedule(To(D1)));
        Assert.Same(servers[1], scheduler.Schedule(To(D2)));
        Assert.Equal(2, scheduler.CacheCount);
    }

    [Fact]
    public void Lblc_OverloadedCachedServer_SwitchesToWlcAndRebinds()
    {
        var servers = ServerSets.Create(1, 1, 1);
        var scheduler = new LocalityBasedLeastConnectionScheduler(servers, null, Options());
        Assert.Same(servers[0], scheduler.Schedule(To(D1)));

        // act(A) = 2 > w(A) = 1, and C has 2*act < w: overloaded, reschedule with wlc.
        ServerSets.SetCounts(servers, (2, 0), (1, 0), (0, 0));
        Assert.Same(servers[2], scheduler.Schedule(To(D1)));

        // Rebound: C stays while it is not overloaded, even when another server is lighter.
        ServerSets.SetCounts(servers, (0, 0), (0, 0), (1, 0));
        Assert.Same(servers[2], scheduler.Schedule(To(D1)));
        Assert.Equal(1, scheduler.CacheCount);
    }

    [Fact]
    public void Lblc_BusyButNoLighterServer_KeepsCachedServer()
    {
        var servers = ServerSets.Create(1, 1);
        var scheduler = new LocalityBasedLeastConnectionScheduler(servers, null, Options());
        scheduler.Schedule(To(D1));

        // A is above its weight, but no server has 2*act < w: not "overloaded".
        ServerSets.SetCounts(servers, (5, 0), (1, 0));
        Assert.Same(servers[0], scheduler.Schedule(To(D1)));
    }

    [Fact]
    public void Lblc_CachedServerIgnoresOverloadFlag_ButNotWeightZero()
    {
        var servers = ServerSets.Create(1, 1);
        var scheduler = new LocalityBasedLeastConnectionScheduler(servers, null, Options());
        Assert.Same(servers[0], scheduler.Schedule(To(D1)));

        // The kernel reuses the cached dest without looking at OVERLOAD (§2.0's one exception).
        servers[0].IsOverloaded = true;
        Assert.Same(servers[0], scheduler.Schedule(To(D1)));

        // A new address does go through wlc, which honours OVERLOAD.
        Assert.Same(servers[1], scheduler.Schedule(To(D2)));

        servers[0].IsOverloaded = false;
        servers[0].Apply(ServerSets.Config(0, 0));
        Assert.Same(servers[1], scheduler.Schedule(To(D1)));
    }

    [Fact]
    public void Lblc_EntryExpiresAtFullCheckAfterExpiration()
    {
        var servers = ServerSets.Create(1, 1);
        var scheduler = new LocalityBasedLeastConnectionScheduler(servers, null, Options());
        scheduler.Schedule(To(D1));

        // Full checks run every 30th minute; the one at 24 h removes the entry idle for 24 h.
        _time.Advance(TimeSpan.FromHours(24) - TimeSpan.FromSeconds(1));
        scheduler.Schedule(To(D2));
        Assert.Equal(2, scheduler.CacheCount);
        Assert.True(scheduler.Cache.Find(D1) >= 0);

        _time.Advance(TimeSpan.FromSeconds(2));
        scheduler.Schedule(To(D2));
        Assert.Equal(-1, scheduler.Cache.Find(D1));
        Assert.Equal(1, scheduler.CacheCount);
    }

    [Fact]
    public void Lblc_UseRefreshesTheEntry()
    {
        var servers = ServerSets.Create(1, 1);
        var scheduler = new LocalityBasedLeastConnectionScheduler(servers, null, Options(TimeSpan.FromMinutes(10)));
        scheduler.Schedule(To(D1));
        for (var i = 0; i < 10; i++)
        {
            _time.Advance(TimeSpan.FromMinutes(9));
            scheduler.Schedule(To(D1));
        }

        Assert.True(scheduler.Cache.Find(D1) >= 0);

        // Unused for 10 minutes: gone at the next full check (every 30 minutes).
        _time.Advance(TimeSpan.FromMinutes(41));
        scheduler.Schedule(To(D2));
        Assert.Equal(-1, scheduler.Cache.Find(D1));
    }

    [Fact]
    public void Lblc_OverSoftSize_CollectsEntriesIdleSixMinutes()
    {
        var servers = ServerSets.Create(1, 1);
        var scheduler = new LocalityBasedLeastConnectionScheduler(servers, null, Options());
        var baseAddress = Ipv4Address.Parse("198.18.0.0");
        for (uint i = 0; i < 20000; i++)
        {
            scheduler.Schedule(To(baseAddress + i));
        }

        Assert.Equal(20000, scheduler.CacheCount);

        // Runs at 1..5 minutes find nothing idle long enough; the 6-minute run removes at least
        // (20000 − 16384)·4/3 = 4821 entries, finishing the bucket it reached the goal in.
        _time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(30));
        scheduler.Schedule(To(baseAddress));
        Assert.Equal(20000, scheduler.CacheCount);
        _time.Advance(TimeSpan.FromMinutes(1));
        scheduler.Schedule(To(baseAddress));
        var removed = 20000 - scheduler.CacheCount;
        Assert.InRange(removed, 4821, 4821 + 100);
    }

    [Fact]
    public void Lblc_AtHardCapacity_SchedulesUncachedThenRecovers()
    {
        var servers = ServerSets.Create(1, 1);
        var scheduler = new LocalityBasedLeastConnectionScheduler(servers, null, Options(capacity: 100));
        var baseAddress = Ipv4Address.Parse("198.18.0.0");
        for (uint i = 0; i < 150; i++)
        {
            Assert.NotNull(scheduler.Schedule(To(baseAddress + i)));
        }

        Assert.Equal(100, scheduler.CacheCount);
        Assert.Equal(50, scheduler.CacheInsertFailures);

        // Once entries have been idle for 6 minutes an insert collects room.
        _time.Advance(TimeSpan.FromMinutes(6));
        Assert.NotNull(scheduler.Schedule(To(baseAddress + 1000)));
        Assert.True(scheduler.Cache.Find(baseAddress + 1000) >= 0);
        Assert.True(scheduler.CacheCount <= 100);
    }

    [Fact]
    public void Lblc_SuccessorKeepsCache_RemovedServerRescheduled()
    {
        var servers = ServerSets.Create(1, 1, 1);
        var first = new LocalityBasedLeastConnectionScheduler(servers, null, Options());
        Assert.Same(servers[0], first.Schedule(To(D1)));

        // Reordered list: wlc would choose C now, the cache still says A.
        RealServerState[] reordered = [servers[2], servers[1], servers[0]];
        var second = new LocalityBasedLeastConnectionScheduler(reordered, first, Options());
        Assert.Same(servers[0], second.Schedule(To(D1)));

        // A leaves the service: its entry is rebound on the next lookup.
        servers[0].IsAvailable = false;
        var third = new LocalityBasedLeastConnectionScheduler([servers[2], servers[1]], second, Options());
        Assert.Same(servers[2], third.Schedule(To(D1)));
        Assert.Equal(1, third.CacheCount);
    }

    [Fact]
    public void Lblcr_NewEntryHasOneMember_ReusedWhileNotOverloaded()
    {
        var servers = ServerSets.Create(1, 1, 1);
        var scheduler = new LocalityBasedLeastConnectionReplicationScheduler(servers, null, Options());
        Assert.Same(servers[0], scheduler.Schedule(To(D1)));
        ServerSets.SetCounts(servers, (1, 9), (0, 0), (0, 0));
        Assert.Same(servers[0], scheduler.Schedule(To(D1)));
        Assert.Equal([servers[0]], Members(scheduler.Cache, D1));
    }

    [Fact]
    public void Lblcr_OverloadedMember_AddsWlcChoiceAtHeadOfSet()
    {
        var servers = ServerSets.Create(1, 1, 1);
        var scheduler = new LocalityBasedLeastConnectionReplicationScheduler(servers, null, Options());
        scheduler.Schedule(To(D1));
        ServerSets.SetCounts(servers, (2, 0), (1, 0), (0, 0));
        Assert.Same(servers[2], scheduler.Schedule(To(D1)));
        Assert.Equal([servers[2], servers[0]], Members(scheduler.Cache, D1));

        // Now the least loaded member of {C, A} serves: A once it is lighter than C.
        ServerSets.SetCounts(servers, (0, 1), (0, 0), (1, 0));
        Assert.Same(servers[0], scheduler.Schedule(To(D1)));
        ServerSets.SetCounts(servers, (1, 0), (0, 0), (0, 5));
        Assert.Same(servers[2], scheduler.Schedule(To(D1)));
    }

    [Fact]
    public void Lblcr_UnchangedSetOlderThanExpiration_DropsMostLoadedMember()
    {
        var servers = ServerSets.Create(1, 1, 1);
        var scheduler = new LocalityBasedLeastConnectionReplicationScheduler(servers, null, Options(TimeSpan.FromMinutes(10)));
        scheduler.Schedule(To(D1));
        ServerSets.SetCounts(servers, (2, 0), (1, 0), (0, 0));
        scheduler.Schedule(To(D1)); // set {C, A}, lastmod = now

        ServerSets.SetCounts(servers, (1, 0), (1, 0), (0, 0));
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Same(servers[2], scheduler.Schedule(To(D1)));
        Assert.Equal(2, Members(scheduler.Cache, D1).Count); // not yet: strictly after lastmod + expiration

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Same(servers[2], scheduler.Schedule(To(D1)));
        Assert.Equal([servers[2]], Members(scheduler.Cache, D1));
    }

    [Fact]
    public void Lblcr_LeastMemberAlsoMostLoaded_IsDroppedButStillServes()
    {
        // ip_vs_lblcr_schedule() takes the minimum before erasing the maximum: with equal loads
        // both are the head member, which is erased and still returned.
        var servers = ServerSets.Create(1, 1, 1);
        var scheduler = new LocalityBasedLeastConnectionReplicationScheduler(servers, null, Options(TimeSpan.FromMinutes(10)));
        scheduler.Schedule(To(D1));
        ServerSets.SetCounts(servers, (2, 0), (1, 0), (0, 0));
        scheduler.Schedule(To(D1)); // {C, A}
        ServerSets.SetCounts(servers, (0, 0), (0, 0), (0, 0));
        _time.Advance(TimeSpan.FromMinutes(11));
        Assert.Same(servers[2], scheduler.Schedule(To(D1)));
        Assert.Equal([servers[0]], Members(scheduler.Cache, D1));
    }

    [Fact]
    public void Lblcr_NoUsableMember_AddsWlcChoice()
    {
        var servers = ServerSets.Create(1, 1);
        var scheduler = new LocalityBasedLeastConnectionReplicationScheduler(servers, null, Options());
        scheduler.Schedule(To(D1));
        servers[0].IsOverloaded = true;
        Assert.Same(servers[1], scheduler.Schedule(To(D1)));
        Assert.Equal([servers[1], servers[0]], Members(scheduler.Cache, D1));
    }

    [Fact]
    public void Lblcr_EntryExpires()
    {
        var servers = ServerSets.Create(1, 1);
        var scheduler = new LocalityBasedLeastConnectionReplicationScheduler(servers, null, Options());
        scheduler.Schedule(To(D1));
        _time.Advance(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1));
        scheduler.Schedule(To(D2));
        Assert.Equal(-1, scheduler.Cache.Find(D1));
        Assert.Equal(1, scheduler.CacheCount);
    }

    [Fact]
    public void Lblcr_SuccessorKeepsSets()
    {
        var servers = ServerSets.Create(1, 1, 1);
        var first = new LocalityBasedLeastConnectionReplicationScheduler(servers, null, Options());
        first.Schedule(To(D1));
        var second = new LocalityBasedLeastConnectionReplicationScheduler([servers[2], servers[1], servers[0]], first, Options());
        Assert.Same(servers[0], second.Schedule(To(D1)));
        Assert.Same(first.Cache, second.Cache);
    }
}
