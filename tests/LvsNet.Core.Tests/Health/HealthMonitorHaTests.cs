using LvsNet.Core.Configuration;
using LvsNet.Core.Health;
using Xunit;
using static LvsNet.Core.Tests.Health.HealthFixtures;

namespace LvsNet.Core.Tests.Health;

/// <summary>ha_suspend (the hook the director HA role calls), omega at shutdown, and weights set by FILE checks.</summary>
public sealed class HealthMonitorHaTests : IDisposable
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);
    private readonly ManualTimeProvider _time = new();
    private readonly FakeCheckers _checkers;
    private readonly RecordingCommands _commands = new();
    private readonly LvsRuntime _runtime = new();
    private HealthMonitor? _monitor;

    public HealthMonitorHaTests() => _checkers = new FakeCheckers(_time);

    public void Dispose() => _monitor?.Dispose();

    private HealthMonitor Start(LvsConfig config)
    {
        SynchronizationContext.SetSynchronizationContext(null);
        _runtime.Apply(config);
        _monitor = new HealthMonitor(_runtime, _checkers, _time, new HealthMonitorOptions { Jitter = 0, Seed = 1 }, commands: _commands);
        _monitor.Start();
        return _monitor;
    }

    private void At(TimeSpan t) => _time.Advance(t - _time.Elapsed);

    // Two services: port 80 with ha_suspend (Rs1, Rs2), port 81 without (Rs3).
    private static LvsConfig TwoServices(bool haSuspend = true)
    {
        var config = Config(Tcp() with { HaSuspend = haSuspend });
        var other = config.VirtualServices[0] with
        {
            Port = 81,
            HealthCheck = Tcp(),
            RealServers = [new RealServerConfig { Address = Rs3, Port = 81, Weight = 1 }],
        };
        return config with { VirtualServices = [config.VirtualServices[0], other] };
    }

    [Fact]
    public void SetDirectorActive_False_SuspendsOnlyHaSuspendServices_TrueResumesThem()
    {
        var monitor = Start(TwoServices());
        At(TimeSpan.Zero);
        Assert.True(monitor.DirectorActive);
        Assert.Equal([TimeSpan.Zero], _checkers.CallTimes(Rs1));

        monitor.SetDirectorActive(false);
        Assert.False(monitor.DirectorActive);
        _checkers.Fail(Rs1);
        At(TimeSpan.FromSeconds(35));

        // Standby: no probe of the ha_suspend servers, whose verdict stays; the other service is checked every 10 s.
        Assert.Equal([TimeSpan.Zero], _checkers.CallTimes(Rs1));
        Assert.Equal([TimeSpan.Zero], _checkers.CallTimes(Rs2));
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30)], _checkers.CallTimes(Rs3));
        Assert.Equal([Rs1, Rs2], Pool(_runtime));

        // Active again: checked at once (warmup 0), and the failure now counts (retry 1: down after two).
        monitor.SetDirectorActive(true);
        At(TimeSpan.FromSeconds(35));
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromSeconds(35)], _checkers.CallTimes(Rs1));
        At(TimeSpan.FromSeconds(36));
        Assert.Equal([Rs2], Pool(_runtime));
    }

    [Fact]
    public void SetDirectorActive_WithoutHaSuspend_ChangesNothing_AndIsIdempotent()
    {
        var monitor = Start(TwoServices(haSuspend: false));
        At(TimeSpan.Zero);
        monitor.SetDirectorActive(false);
        monitor.SetDirectorActive(false);
        At(TimeSpan.FromSeconds(20));
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20)], _checkers.CallTimes(Rs1));
    }

    [Fact]
    public async Task Omega_RunsNotifyDownForUpServers_AndQuorumDownWhenQuorumIsUp()
    {
        var health = Tcp() with { Omega = true, NotifyDown = "rs-down" };
        var monitor = Start(Config(health, new QuorumConfig { DownCommand = "quorum-down" }));
        _checkers.Fail(Rs2);
        At(TimeSpan.Zero);
        At(Second);
        Assert.Equal([Rs1], Pool(_runtime));
        Assert.Equal(["rs-down"], _commands.Runs.Select(r => r.Command));

        var count = await monitor.RunOmegaNotifiersAsync(CancellationToken.None);

        // Rs1 is up (Rs2 already ran its notify_down when it failed); the quorum of 1 is up.
        Assert.Equal(2, count);
        var runs = _commands.Runs.Skip(1).ToList();
        Assert.Equal(["quorum-down", "rs-down"], runs.Select(r => r.Command).Order());
        Assert.Equal("10.77.0.11", runs.Single(r => r.Command == "rs-down").Environment["LVSNET_RS_ADDRESS"]);
        Assert.Equal("quorum_down", runs.Single(r => r.Command == "quorum-down").Environment["LVSNET_EVENT"]);
    }

    [Fact]
    public async Task WithoutOmega_ShutdownRunsNothing()
    {
        var monitor = Start(Config(Tcp() with { NotifyDown = "rs-down" }, new QuorumConfig { DownCommand = "quorum-down" }));
        At(TimeSpan.Zero);
        Assert.Equal(0, await monitor.RunOmegaNotifiersAsync(CancellationToken.None));
        Assert.Empty(_commands.Runs);
    }

    [Fact]
    public void FileCheckWeight_IsPublishedAsTheServersWeight()
    {
        var health = Tcp() with { Checks = [new FileCheckConfig { Path = "/run/w", Weight = 10 }] };
        Start(Config(health, servers: [(Rs1, 5), (Rs2, 5)]));
        _checkers.Pass(Rs1, weight: 35);
        At(TimeSpan.Zero);
        Assert.Equal(35, Configured(_runtime, Rs1).Weight);
        Assert.Equal(5, Configured(_runtime, Rs2).Weight);
        Assert.Equal(5, _checkers.Targets.Single(t => t.Server.Address == Rs1).ConfiguredWeight);
    }
}
