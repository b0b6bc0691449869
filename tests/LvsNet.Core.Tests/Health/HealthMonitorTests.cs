using LvsNet.Core.Configuration;
using LvsNet.Core.Feedback;
using LvsNet.Core.Health;
using LvsNet.Core.Health.Checkers;
using LvsNet.Core.Runtime;
using Xunit;
using static LvsNet.Core.Tests.Health.HealthFixtures;

namespace LvsNet.Core.Tests.Health;

/// <summary>The monitor on a driven clock with fake checkers: timers, retries, rise, quorum, reloads.</summary>
public sealed class HealthMonitorTests : IDisposable
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);
    private readonly ManualTimeProvider _time = new();
    private readonly FakeCheckers _checkers;
    private readonly RecordingCommands _commands = new();
    private readonly LvsRuntime _runtime = new();
    private readonly List<ServerHealthChange> _changes = [];
    private HealthMonitor? _monitor;

    public HealthMonitorTests() => _checkers = new FakeCheckers(_time);

    public void Dispose() => _monitor?.Dispose();

    private HealthMonitor Start(LvsConfig config, HealthMonitorOptions? options = null)
    {
        NoSynchronizationContext();
        _runtime.Apply(config);
        _monitor = new HealthMonitor(_runtime, _checkers, _time, options ?? new HealthMonitorOptions { Jitter = 0, Seed = 1 }, commands: _commands);
        _monitor.ServerHealthChanged += _changes.Add;
        _monitor.Start();
        return _monitor;
    }

    // xunit runs a test method under its own synchronization context, which would defer await
    // continuations until the test ends; without it, checks that complete inside the clock's
    // Advance finish there, deterministically.
    private static void NoSynchronizationContext() => SynchronizationContext.SetSynchronizationContext(null);

    private static void WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            Thread.Sleep(5);
        }
    }

    private TimeSpan At(TimeSpan t)
    {
        _time.Advance(t - _time.Elapsed);
        return _time.Elapsed;
    }

    [Fact]
    public void Retries_DelayBeforeRetryApart_ServerRemovedAtRetryPlusOneFailures()
    {
        // delay_loop 10 s, retry 2, delay_before_retry 1 s, warmup 0: checks at 0, 10, 11, 12.
        Start(Config(Tcp(delayLoop: TimeSpan.FromSeconds(10), retry: 2, delayBeforeRetry: TimeSpan.FromSeconds(1))));
        At(TimeSpan.Zero);
        Assert.Equal([TimeSpan.Zero], _checkers.CallTimes(Rs1));

        _checkers.Fail(Rs1);
        At(TimeSpan.FromSeconds(10));
        At(TimeSpan.FromSeconds(11));
        Assert.Equal([Rs1, Rs2], Pool(_runtime));
        At(TimeSpan.FromSeconds(12) - Ms);
        Assert.Equal([Rs1, Rs2], Pool(_runtime));
        At(TimeSpan.FromSeconds(12));
        Assert.Equal([Rs2], Pool(_runtime));
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(11), TimeSpan.FromSeconds(12)], _checkers.CallTimes(Rs1));

        var change = Assert.Single(_changes);
        Assert.Equal((Key(Rs1), HealthState.Down, PoolMembership.Removed), (change.Server, change.State, change.Membership));
        Assert.Equal("tcp: connection refused (3 consecutive failures)", change.Reason);
        Assert.Equal(TimeSpan.FromSeconds(12), change.At - ManualTimeProvider.Start);

        // Down: checked every delay_loop, no retries; one success brings it back.
        At(TimeSpan.FromSeconds(22));
        Assert.Equal(TimeSpan.FromSeconds(22), _checkers.CallTimes(Rs1)[^1]);
        _checkers.Pass(Rs1);
        At(TimeSpan.FromSeconds(32));
        Assert.Equal([Rs1, Rs2], Pool(_runtime));
        Assert.Equal(HealthState.Up, _changes[^1].State);
        Assert.Equal(PoolMembership.InPool, _changes[^1].Membership);
    }

    [Fact]
    public void FailoverBound_IsDelayLoopTimesRetryPlusOneInterval()
    {
        // The bound: with delay_before_retry = delay_loop, a failure that starts right
        // after a passed check is acted on within delay_loop * retry + one interval.
        var delayLoop = TimeSpan.FromSeconds(3);
        Start(Config(Tcp(delayLoop: delayLoop, retry: 2, delayBeforeRetry: delayLoop)));
        At(Ms);
        _checkers.Fail(Rs1);
        var failedAt = _time.Elapsed;
        while (Pool(_runtime).Contains(Rs1))
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
        }

        Assert.True(_time.Elapsed - failedAt <= (delayLoop * 2) + delayLoop, $"removed after {_time.Elapsed - failedAt}");
    }

    [Fact]
    public void Rise2_NeedsTwoSuccessesDelayBeforeRetryApart()
    {
        Start(Config(Tcp(delayLoop: TimeSpan.FromSeconds(10), retry: 0, delayBeforeRetry: TimeSpan.FromSeconds(2), rise: 2)));
        _checkers.Fail(Rs1);
        At(TimeSpan.Zero);
        Assert.Equal([Rs2], Pool(_runtime));

        _checkers.Pass(Rs1);
        At(TimeSpan.FromSeconds(10));
        Assert.Equal([Rs2], Pool(_runtime));
        At(TimeSpan.FromSeconds(12));
        Assert.Equal([Rs1, Rs2], Pool(_runtime));
    }

    [Fact]
    public void Alpha_ServerEntersThePoolAfterItsFirstSuccessfulCheck()
    {
        Start(Config(Tcp(alpha: true) with { Parameters = Tcp(alpha: true).Parameters with { Warmup = TimeSpan.FromSeconds(4) } }));
        Assert.Empty(Pool(_runtime));
        At(TimeSpan.FromSeconds(4));
        Assert.Equal([Rs1, Rs2], Pool(_runtime));
        Assert.Equal(2, _changes.Count(c => c.State == HealthState.Up));
    }

    [Fact]
    public void AllCheckersMustBeUp_OneDownCheckerTakesTheServerDown()
    {
        var health = Tcp(retry: 0) with { Checks = [new TcpCheckConfig(), new HttpGetCheckConfig { Path = "/health" }] };
        Start(Config(health));
        _checkers.Fail(Rs1, index: 1, message: "/health: status 503");
        At(TimeSpan.Zero);
        Assert.Equal([Rs2], Pool(_runtime));
        Assert.Equal("http_get /health: /health: status 503", Assert.Single(_changes).Reason);

        // The tcp checker failing too changes nothing more; the server comes back only when both pass.
        _checkers.Fail(Rs1, index: 0);
        _checkers.Pass(Rs1, index: 1);
        At(TimeSpan.FromSeconds(10));
        Assert.Equal([Rs2], Pool(_runtime));
        _checkers.Pass(Rs1, index: 0);
        At(TimeSpan.FromSeconds(20));
        Assert.Equal([Rs1, Rs2], Pool(_runtime));
    }

    [Fact]
    public void Timeout_AHangingCheckFailsAfterConnectTimeout()
    {
        Start(Config(Tcp(retry: 0)));
        _checkers.Hang(Rs1);
        At(TimeSpan.Zero);
        Assert.Equal([Rs1, Rs2], Pool(_runtime));
        At(TimeSpan.FromSeconds(2));
        Assert.Equal([Rs2], Pool(_runtime));
        Assert.Equal("tcp: timed out after 2s", _changes[^1].Reason);
        Assert.Equal(0, _monitor!.ChecksInFlight);
    }

    [Fact]
    public void Concurrency_AtMostMaxChecksInFlight_TheRestWaitTheirTurn()
    {
        var servers = Enumerable.Range(1, 6).Select(i => (Address: Rs1 + (uint)i - 1, Weight: 1)).ToArray();
        foreach (var (address, _) in servers)
        {
            _checkers.Hang(address);
        }

        var monitor = Start(Config(Tcp(retry: 0), servers: servers), new HealthMonitorOptions { Jitter = 0, Seed = 1, MaxConcurrentChecks = 2 });
        At(TimeSpan.Zero);
        Assert.Equal(2, _checkers.Calls.Count);
        Assert.Equal(2, monitor.ChecksInFlight); // 6 timers fired: 2 running, 4 waiting for a slot

        // Each timeout frees a slot; the waiting checks start then (SemaphoreSlim resumes waiters on
        // the thread pool) and get their own full timeout.
        At(TimeSpan.FromSeconds(2));
        WaitUntil(() => _checkers.Calls.Count == 4 && monitor.ChecksInFlight == 2);
        At(TimeSpan.FromSeconds(4));
        WaitUntil(() => _checkers.Calls.Count == 6 && monitor.ChecksInFlight == 2);
        Assert.Equal(2, _checkers.Calls.Count(c => c.At == TimeSpan.FromSeconds(4)));
        At(TimeSpan.FromSeconds(6));
        WaitUntil(() => monitor.ChecksInFlight == 0);
        Assert.Empty(Pool(_runtime));
    }

    [Fact]
    public void Warmup_SpreadsTheFirstChecksOverTheWarmupWindow()
    {
        var servers = Enumerable.Range(1, 50).Select(i => (Address: Rs1 + (uint)i - 1, Weight: 1)).ToArray();
        var health = Tcp() with { Parameters = Tcp().Parameters with { Warmup = TimeSpan.FromSeconds(10) } };
        Start(Config(health, servers: servers), new HealthMonitorOptions { Jitter = 0.05, Seed = 42 });
        _time.Run(TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(10));
        var first = _checkers.Calls.GroupBy(c => c.Server).Select(g => g.Min(c => c.At)).ToList();
        Assert.Equal(50, first.Count);
        Assert.All(first, t => Assert.InRange(t, TimeSpan.Zero, TimeSpan.FromSeconds(10)));
        Assert.True(first.Distinct().Count() >= 45, "first checks are spread, not in lockstep");
        Assert.True(first.Count(t => t < TimeSpan.FromSeconds(5)) is > 10 and < 40, "roughly uniform");

        // The jitter keeps spreading later checks: intervals vary within ±5% of delay_loop.
        _time.Run(TimeSpan.FromSeconds(40), TimeSpan.FromMilliseconds(50));
        var intervals = _checkers.Calls.GroupBy(c => c.Server).SelectMany(g => g.Select(c => c.At).Order().Zip(g.Select(c => c.At).Order().Skip(1), (a, b) => b - a)).ToList();
        Assert.All(intervals, i => Assert.InRange(i, TimeSpan.FromSeconds(9.45), TimeSpan.FromSeconds(10.55)));
        Assert.True(intervals.Distinct().Count() > 10);
    }

    [Fact]
    public void Reload_SameChecks_KeepsRunningCheckersAndVerdicts()
    {
        Start(Config(Tcp(retry: 0)));
        _checkers.Fail(Rs1);
        At(TimeSpan.Zero);
        Assert.Equal([Rs2], Pool(_runtime));
        var created = _checkers.Created;

        _runtime.Apply(Config(Tcp(retry: 0), servers: [(Rs1, 4), (Rs2, 4)]));
        Assert.Equal(created, _checkers.Created);
        Assert.Equal([Rs2], Pool(_runtime));

        _checkers.Pass(Rs1);
        At(TimeSpan.FromSeconds(10));
        Assert.Equal([Rs1, Rs2], Pool(_runtime));
        Assert.Equal(4, ServiceOf(_runtime).Servers[0].Weight);
    }

    [Fact]
    public void Reload_ChangedChecks_RestartsCheckersButCarriesTheVerdict()
    {
        Start(Config(Tcp(retry: 0)));
        _checkers.Fail(Rs1);
        At(TimeSpan.Zero);
        At(TimeSpan.FromSeconds(1));
        var disposed = _checkers.Disposed;

        _runtime.Apply(Config(Tcp(retry: 0, delayLoop: TimeSpan.FromSeconds(5))));
        Assert.Equal(disposed + 2, _checkers.Disposed);
        Assert.Equal([Rs2], Pool(_runtime));
        At(TimeSpan.FromSeconds(1));
        Assert.Equal([Rs2], Pool(_runtime));
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromSeconds(1)], _checkers.CallTimes(Rs1));
        At(TimeSpan.FromSeconds(6));
        Assert.Equal(TimeSpan.FromSeconds(6), _checkers.CallTimes(Rs1)[^1]);
    }

    [Fact]
    public void Reload_ServerRemoved_StopsItsChecks()
    {
        Start(Config(Tcp()));
        At(TimeSpan.Zero);
        _runtime.Apply(Config(Tcp(), servers: [(Rs2, 1)]));
        var calls = _checkers.CallTimes(Rs1).Count;
        At(TimeSpan.FromSeconds(30));
        Assert.Equal(calls, _checkers.CallTimes(Rs1).Count);
        Assert.Equal(4, _checkers.CallTimes(Rs2).Count);
        Assert.Single(_monitor!.Describe());
    }

    [Fact]
    public void Quorum_SorryServerAndCommands_FollowTheChecks()
    {
        var health = Tcp(retry: 0) with { NotifyDown = "/usr/local/bin/rs-down", NotifyUp = "/usr/local/bin/rs-up" };
        var quorum = new QuorumConfig { UpCommand = "quorum-up", DownCommand = "quorum-down fail", SorryServer = new SorryServerConfig { Address = Sorry, Port = 80 } };
        Start(Config(health, quorum));
        _checkers.Fail(Rs1);
        _checkers.Fail(Rs2);
        At(TimeSpan.Zero);
        Assert.Equal([Sorry], Pool(_runtime));
        Assert.Equal(["/usr/local/bin/rs-down", "/usr/local/bin/rs-down", "quorum-down fail"], _commands.Runs.Select(r => r.Command).Order());
        var env = _commands.Runs.First().Environment;
        Assert.Equal("down", env["LVSNET_EVENT"]);
        Assert.Equal("tcp/10.77.0.100:80", env["LVSNET_SERVICE"]);
        Assert.Contains(env["LVSNET_RS_ADDRESS"], new[] { "10.77.0.11", "10.77.0.12" });
        var quorumRun = _commands.Runs.Single(r => r.Command == "quorum-down fail");
        Assert.Equal("quorum_down", quorumRun.Environment["LVSNET_EVENT"]);
        Assert.False(quorumRun.Environment.ContainsKey("LVSNET_RS_ADDRESS"));

        _checkers.Pass(Rs2);
        At(TimeSpan.FromSeconds(10));
        Assert.Equal([Rs2], Pool(_runtime));
        Assert.Equal(["/usr/local/bin/rs-up", "quorum-up"], _commands.Runs.Skip(3).Select(r => r.Command).Order());
    }

    [Fact]
    public void Start_InitialQuorumDown_RunsTheDownCommandOnce()
    {
        Start(Config(Tcp(alpha: true), new QuorumConfig { DownCommand = "quorum-down" }));
        Assert.Equal(["quorum-down"], _commands.Runs.Select(r => r.Command));
        At(TimeSpan.Zero);
        Assert.Equal(["quorum-down"], _commands.Runs.Select(r => r.Command));
    }

    [Fact]
    public void DynamicMisc_ExitCodeWeightIsPublished()
    {
        var health = Tcp() with { Checks = [new MiscCheckConfig { Command = "check", Dynamic = true }] };
        Start(Config(health, servers: [(Rs1, 1), (Rs2, 1)]));
        _checkers.Pass(Rs1, weight: 5);
        At(TimeSpan.Zero);
        Assert.Equal(5, Configured(_runtime, Rs1).Weight);
        Assert.True(_changes.Single().WeightOnly);
        _checkers.Pass(Rs1, weight: 5);
        At(TimeSpan.FromSeconds(10));
        Assert.Single(_changes);
    }

    [Fact]
    public void ViaVip_WithoutRoutes_ChecksFailInsteadOfProbingUnrouted()
    {
        var health = Tcp(retry: 0) with { Checks = [new TcpCheckConfig { ViaVirtualAddress = true }] };
        Start(Config(health));
        At(TimeSpan.Zero);
        Assert.Empty(Pool(_runtime));
        Assert.Contains("via_vip", _changes[0].Reason, StringComparison.Ordinal);
        Assert.Equal(0, _checkers.Created);
    }

    [Fact]
    public void ViaVip_WithRoutes_ProbesTheVipWithTheServersMark()
    {
        var routes = new FakeRoutes();
        NoSynchronizationContext();
        _runtime.Apply(Config(Tcp() with { Checks = [new TcpCheckConfig { ViaVirtualAddress = true }] }));
        _monitor = new HealthMonitor(_runtime, _checkers, _time, new HealthMonitorOptions { Jitter = 0 }, routes: routes);
        _monitor.Start();
        Assert.Equal([(Vip, Rs1), (Vip, Rs2)], routes.Prepared);
        var target = _checkers.Targets.Single(t => t.Server.Address == Rs2);
        Assert.Equal("10.77.0.100:80", target.Endpoint.ToString());
        Assert.Equal(0x100 + (int)(Rs2 & 0xFF), target.SocketMark);
        Assert.Equal("10.77.0.2", target.BindAddress!.ToString());
        Assert.Equal("10.77.0.100:80 via 10.77.0.12", target.ToString());
    }

    [Fact]
    public void LoadSignal_FeedsTheDynamicWeightDriver()
    {
        var config = Config(Tcp(), scheduler: "wlc", servers: [(Rs1, 100), (Rs2, 100)]);
        config = config with { VirtualServices = [config.VirtualServices[0] with { DynamicWeights = new DynamicWeightsConfig { Interval = TimeSpan.FromSeconds(1), ConnectionCoefficient = 0 } }] };
        var monitor = Start(config);
        _checkers.Set(Rs1, 0, _ => Task.FromResult(CheckResult.Passed("ok", TimeSpan.FromMilliseconds(10))));
        _checkers.Set(Rs2, 0, _ => Task.FromResult(CheckResult.Passed("ok", TimeSpan.FromMilliseconds(40))));
        At(TimeSpan.Zero);
        Assert.True(monitor.LoadSignal.TryGetSample(ServiceOf(_runtime).Servers[1], out var sample));
        Assert.Equal(TimeSpan.FromMilliseconds(40), sample.Latency);
        Assert.Equal(0, sample.FailureRatio);

        using var driver = new DynamicWeightDriver(_runtime, monitor.LoadSignal, _time);
        for (var i = 0; i < 5; i++)
        {
            driver.RunDue();
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.True(ServiceOf(_runtime).Servers[1].EffectiveWeight < ServiceOf(_runtime).Servers[0].EffectiveWeight, "the slower server gets less weight");
    }

    [Fact]
    public void Describe_ShowsPerCheckerCounters()
    {
        Start(Config(Tcp(retry: 1)));
        _checkers.Fail(Rs1, message: "connection refused");
        At(TimeSpan.Zero);
        var rs1 = _monitor!.Describe().Single(d => d.Server.Address == Rs1);
        var checker = Assert.Single(rs1.Checkers);
        Assert.Equal((1L, 1L, 1, true), (checker.Checks, checker.Failures, checker.PendingFailures, checker.IsUp));
        Assert.Equal("connection refused", checker.LastMessage);
        Assert.Equal("10.77.0.11:80", checker.Target);
    }

    [Fact]
    public void Dispose_StopsEveryTimer()
    {
        Start(Config(Tcp()));
        Assert.Equal(2, _time.ArmedTimers);
        _monitor!.Dispose();
        Assert.Equal(0, _time.ArmedTimers);
        At(TimeSpan.FromSeconds(60));
        Assert.Empty(_checkers.Calls);
    }

    private sealed class FakeRoutes : IProbeRouteProvider
    {
        public List<(uint Vip, uint Server)> Prepared { get; } = [];

        public int? Prepare(uint virtualAddress, uint realServer)
        {
            Prepared.Add((virtualAddress, realServer));
            return 0x100 + (int)(realServer & 0xFF);
        }

        public int? Prepare6(Packets.Ipv6.Ipv6Address virtualAddress, Packets.Ipv6.Ipv6Address realServer) => throw new InvalidOperationException("an IPv4 service asked for an IPv6 route");
    }
}
