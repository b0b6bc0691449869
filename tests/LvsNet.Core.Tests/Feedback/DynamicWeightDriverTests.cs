using LvsNet.Core.Configuration;
using LvsNet.Core.Feedback;
using LvsNet.Core.Runtime;
using LvsNet.Packets;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.Core.Tests.Feedback;

/// <summary>The periodic driver with a fake clock and a fake load signal.</summary>
public class DynamicWeightDriverTests
{
    internal static readonly uint Rs1 = Ipv4Address.Parse("10.77.0.11");
    internal static readonly uint Rs2 = Ipv4Address.Parse("10.77.0.12");

    private readonly TestTimeProvider _time = new();
    private readonly FakeSignal _signal = new();

    /// <summary>One service (10.77.0.100:80) over <see cref="Rs1"/> and <see cref="Rs2"/> at weight 100; the agent tests use it too.</summary>
    internal static LvsConfig Config(DynamicWeightsConfig? policy, string scheduler = "wlc") => new()
    {
        Director = new DirectorConfig { Interface = "eth0", Address = Ipv4Address.Parse("10.77.0.2") },
        VirtualServices =
        [
            new VirtualServiceConfig
            {
                Protocol = IpProtocol.Tcp,
                Address = Ipv4Address.Parse("10.77.0.100"),
                Port = 80,
                Scheduler = scheduler,
                DynamicWeights = policy,
                RealServers =
                [
                    new RealServerConfig { Address = Rs1, Port = 80, Weight = 100 },
                    new RealServerConfig { Address = Rs2, Port = 80, Weight = 100 },
                ],
            },
        ],
    };

    [Fact]
    public void RunDue_EveryInterval_LowersTheSlowServer()
    {
        var runtime = new LvsRuntime();
        runtime.Apply(Config(new DynamicWeightsConfig { Interval = TimeSpan.FromSeconds(5) }));
        var servers = runtime.Current!.Services[0].Servers;
        _signal.Latency[Rs1] = TimeSpan.FromMilliseconds(10);
        _signal.Latency[Rs2] = TimeSpan.FromMilliseconds(40);
        using var driver = new DynamicWeightDriver(runtime, _signal, _time);

        Assert.Equal(1, driver.RunDue());
        var first = servers[1].EffectiveWeight;
        Assert.True(first < 100);
        Assert.Equal(100, servers[0].EffectiveWeight);
        Assert.Equal(100, servers[1].Weight);

        // Not due again before the interval.
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(0, driver.RunDue());
        Assert.Equal(first, servers[1].EffectiveWeight);

        // Due, but the interval after a move is a hold (hold_intervals 1): the signals catch up.
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, driver.RunDue());
        Assert.Equal(first, servers[1].EffectiveWeight);

        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(1, driver.RunDue());
        Assert.True(servers[1].EffectiveWeight < first);
        Assert.True(driver.TryGetState(servers[1], out var state));
        Assert.True(state.Multiplier < 1);
    }

    [Fact]
    public void RunDue_TickALittleEarly_StillRuns()
    {
        // Interval 1 s on 1 s ticks: a tick that comes 10 ms early (its predecessor was late) must not
        // stretch the interval to two ticks; a service is due from half a tick before its interval.
        var runtime = new LvsRuntime();
        runtime.Apply(Config(new DynamicWeightsConfig { Interval = TimeSpan.FromSeconds(1) }));
        using var driver = new DynamicWeightDriver(runtime, _signal, _time);
        Assert.Equal(1, driver.RunDue());
        _time.Advance(TimeSpan.FromMilliseconds(990));
        Assert.Equal(1, driver.RunDue());
        _time.Advance(TimeSpan.FromMilliseconds(400));
        Assert.Equal(0, driver.RunDue());
        _time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal(1, driver.RunDue());
    }

    [Fact]
    public void PolicyRemoved_RestoresConfiguredWeights()
    {
        var runtime = new LvsRuntime();
        runtime.Apply(Config(new DynamicWeightsConfig()));
        var servers = runtime.Current!.Services[0].Servers;
        _signal.Latency[Rs1] = TimeSpan.FromMilliseconds(10);
        _signal.Latency[Rs2] = TimeSpan.FromMilliseconds(90);
        using var driver = new DynamicWeightDriver(runtime, _signal, _time);
        for (var i = 0; i < 5; i++)
        {
            driver.RunDue();
            _time.Advance(TimeSpan.FromSeconds(5));
        }

        Assert.True(servers[1].EffectiveWeight < 100);
        runtime.Apply(Config(null));
        driver.RunDue();
        Assert.Equal(100, servers[1].EffectiveWeight);
        Assert.False(driver.TryGetState(servers[1], out _));
    }

    [Fact]
    public void WithoutPolicy_NothingChanges()
    {
        var runtime = new LvsRuntime();
        runtime.Apply(Config(null));
        using var driver = new DynamicWeightDriver(runtime, _signal, _time);
        _signal.Latency[Rs2] = TimeSpan.FromMilliseconds(900);
        Assert.Equal(0, driver.RunDue());
        Assert.All(runtime.Current!.Services[0].Servers, s => Assert.Equal(100, s.EffectiveWeight));
    }

    [Fact]
    public void Start_UsesTheTimeProviderTimer()
    {
        var runtime = new LvsRuntime();
        runtime.Apply(Config(new DynamicWeightsConfig()));
        _signal.Latency[Rs1] = TimeSpan.FromMilliseconds(10);
        _signal.Latency[Rs2] = TimeSpan.FromMilliseconds(90);
        using var driver = new DynamicWeightDriver(runtime, _signal, TimeProvider.System);
        driver.Start();
        driver.Start();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (runtime.Current!.Services[0].Servers[1].EffectiveWeight == 100 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(50);
        }

        Assert.True(runtime.Current!.Services[0].Servers[1].EffectiveWeight < 100);
    }

    private sealed class FakeSignal : IServerLoadSignal
    {
        public Dictionary<uint, TimeSpan> Latency { get; } = [];

        public bool TryGetSample(RealServerState server, out ServerLoadSample sample)
        {
            if (Latency.TryGetValue(server.Address, out var latency))
            {
                sample = new ServerLoadSample(latency, 0);
                return true;
            }

            sample = default;
            return false;
        }
    }
}
