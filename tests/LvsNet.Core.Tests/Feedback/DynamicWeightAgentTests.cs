using LvsNet.Core.Configuration;
using LvsNet.Core.Feedback;
using LvsNet.Core.Runtime;
using LvsNet.Core.Scheduling;
using LvsNet.Packets;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.Core.Tests.Feedback;

/// <summary>
/// The agents' word in the weights: a percentage scales the configured weight, drain/maint/down
/// take it to 0 (and the least-connection schedulers stop picking the server), with or without a
/// dynamic_weights policy; every change is one event carrying its inputs. Also the flapping
/// server: weights do not oscillate.
/// </summary>
public class DynamicWeightAgentTests
{
    private static readonly uint Rs1 = DynamicWeightDriverTests.Rs1;
    private static readonly uint Rs2 = DynamicWeightDriverTests.Rs2;
    private static readonly ServiceKey Service = new(IpProtocol.Tcp, Ipv4Address.Parse("10.77.0.100"), 80, 0);

    private readonly TestTimeProvider _time = new();
    private readonly AgentFeedbackStoreTests.ListLogger _agentLog = new();
    private readonly DriverLog _log = new();

    private static LvsConfig Config(DynamicWeightsConfig? policy, string scheduler = "wlc") => DynamicWeightDriverTests.Config(policy, scheduler);

    [Fact]
    public void Percentage_ScalesTheEffectiveWeight_WithPolicy()
    {
        var runtime = new LvsRuntime();
        runtime.Apply(Config(new DynamicWeightsConfig()));
        var store = new AgentFeedbackStore(_agentLog, _time);
        store.Record(new RealServerKey(Service, Rs2, 80), "agent", "50%");
        using var driver = new DynamicWeightDriver(runtime, null, _time, store, _log);

        driver.RunDue();
        var servers = runtime.Current!.Services[0].Servers;
        Assert.Equal(100, servers[0].EffectiveWeight);
        Assert.Equal(50, servers[1].EffectiveWeight);
        Assert.Equal(100, servers[1].Weight);

        // The event names the old and new weight and the inputs, the agent among them.
        var change = Assert.Single(_log.Events, e => e.Id == 750);
        Assert.Contains("100 -> 50", change.Message, StringComparison.Ordinal);
        Assert.Contains("configured 100", change.Message, StringComparison.Ordinal);
        Assert.Contains("agent ready up 50%", change.Message, StringComparison.Ordinal);
        Assert.Contains("multiplier 1.00", change.Message, StringComparison.Ordinal);
        Assert.Equal(1, driver.WeightChanges);
    }

    [Fact]
    public void Percentage_ConnectionsInProportion_IsBalanced()
    {
        // The agent halves B's share; wlc then gives B half A's connections: that is B's share,
        // so the feedback loop must not push B back up (its load index stays 1).
        var policy = new DynamicWeightsConfig();
        var states = new DynamicWeightState[2];
        var weights = new int[2];
        for (var i = 0; i < 30; i++)
        {
            DynamicWeightCalculator.Update(policy, [new(100, 200), new(100, 100, null, 0.5)], states, weights);
        }

        Assert.Equal([100, 50], weights);
        Assert.Equal(1.0, states[1].Multiplier);
    }

    [Theory]
    [InlineData("drain")]
    [InlineData("maint")]
    [InlineData("down")]
    public void Drain_TakesTheWeightToZero_AndWlcSkipsTheServer(string word)
    {
        var runtime = new LvsRuntime();
        runtime.Apply(Config(new DynamicWeightsConfig()));
        var store = new AgentFeedbackStore(_agentLog, _time);
        var servers = runtime.Current!.Services[0].Servers;
        servers[0].SetConnectionCounts(50, 0);
        store.Record(new RealServerKey(Service, Rs2, 80), "agent", word);
        using var driver = new DynamicWeightDriver(runtime, null, _time, store, _log);

        driver.RunDue();
        Assert.Equal(0, servers[1].EffectiveWeight);

        // Server 1 has 50 connections, server 2 none: wlc would pick server 2 but for the drain.
        Assert.Equal(0, ServerLoad.WeightedLeastConnection(servers));

        // "ready"/"up" gives the share back.
        store.Record(new RealServerKey(Service, Rs2, 80), "agent", "ready up");
        _time.Advance(TimeSpan.FromSeconds(5));
        driver.RunDue();
        Assert.Equal(100, servers[1].EffectiveWeight);
        Assert.Equal(1, ServerLoad.WeightedLeastConnection(servers));
    }

    [Fact]
    public void WithoutPolicy_AgentAloneSetsTheWeight_AndForgettingRestores()
    {
        var runtime = new LvsRuntime();
        runtime.Apply(Config(null));
        var store = new AgentFeedbackStore(_agentLog, _time);
        var key = new RealServerKey(Service, Rs1, 80);
        store.Record(key, "agent", "25%");
        using var driver = new DynamicWeightDriver(runtime, null, _time, store, _log);

        driver.RunDue();
        var servers = runtime.Current!.Services[0].Servers;
        Assert.Equal(25, servers[0].EffectiveWeight);
        Assert.Equal(100, servers[1].EffectiveWeight);

        store.Forget(key);
        driver.RunDue();
        Assert.Equal(100, servers[0].EffectiveWeight);
    }

    [Fact]
    public void SchedulerWithoutWeightShares_IgnoresAgents()
    {
        var runtime = new LvsRuntime();
        runtime.Apply(Config(null, "rr"));
        var store = new AgentFeedbackStore(_agentLog, _time);
        store.Record(new RealServerKey(Service, Rs1, 80), "agent", "drain");
        using var driver = new DynamicWeightDriver(runtime, null, _time, store, _log);
        driver.RunDue();
        Assert.Equal(100, runtime.Current!.Services[0].Servers[0].EffectiveWeight);
    }

    [Fact]
    public void FlappingServer_WeightsDoNotOscillate()
    {
        // B flaps between healthy and three times slower every interval for 120 intervals (a
        // 2-minute run at 1 s), placement follows the weights as wlc does. B starts fast (L = 1, inside
        // the band, but one evaluation does not settle it); the first slow interval (latency index
        // 1.5, connection index 1: L = 1.25) takes the average to 0.6·1.25 + 0.4 = 1.15, outside the
        // 10 % band, so the weight moves down and then finds a level. Whatever the signals do, the
        // flap memory bounds the reversals in T intervals by 3 + 2T/H = 7 (docs/schedulers.md, "Why
        // it does not oscillate").
        var (changes, reversals) = Flap(new DynamicWeightsConfig { Interval = TimeSpan.FromSeconds(1), Smoothing = 0.6, Gain = 1, MaxStepPercent = 50, DeadBandPercent = 10, FlapHalfLife = TimeSpan.FromSeconds(60) }, slowEvery: 1);
        Assert.InRange(reversals, 0, 7);
        Assert.True(changes >= 1, "the weight finds a level below the fast server's");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(7)]
    [InlineData(10)]
    public void FlappingServer_AnyPeriod_ReversalsWithinTheBound(int period)
    {
        // B slow for `period` intervals, then fast for as many, 120 intervals: the bound 3 + 2T/H = 7
        // holds whatever the period, because it only depends on the flap memory.
        var (_, reversals) = Flap(Policy, period);
        Assert.InRange(reversals, 0, 7);
    }

    [Fact]
    public void FlappingServer_WithoutTheFlapMemory_ExceedsTheBound()
    {
        // The same run with the memory and the noise band off: nothing bounds the reversals, and a
        // server flapping every 7 intervals (long enough for a reversal's two evaluations in a row)
        // drags the weight along (the test of the bound can fail).
        var (changes, reversals) = Flap(Policy with { FlapHalfLife = TimeSpan.Zero, NoiseBandFactor = 0 }, 7);
        Assert.True(reversals > 7, $"{reversals} reversals in {changes} changes without the memory");
    }

    private static DynamicWeightsConfig Policy => new() { Interval = TimeSpan.FromSeconds(1), Smoothing = 0.6, Gain = 1, MaxStepPercent = 50, DeadBandPercent = 10, FlapHalfLife = TimeSpan.FromSeconds(60) };

    private static (int Changes, int Reversals) Flap(DynamicWeightsConfig policy, int slowEvery)
    {
        var states = new DynamicWeightState[2];
        var weights = new[] { 100, 100 };
        var changes = 0;
        var reversals = 0;
        var lastDirection = 0;
        for (var interval = 0; interval < 120; interval++)
        {
            const int Connections = 200;
            var a = Connections * weights[0] / (weights[0] + weights[1]);
            var b = Connections - a;
            var slow = interval / slowEvery % 2 == 1;
            var latencyA = TimeSpan.FromMilliseconds(10);
            var latencyB = TimeSpan.FromMilliseconds(slow ? 30 : 10);
            var previous = weights[1];
            var next = new int[2];
            DynamicWeightCalculator.Update(policy, [new(100, a, new ServerLoadSample(latencyA, 0)), new(100, b, new ServerLoadSample(latencyB, 0))], states, next);
            weights = next;
            if (weights[1] != previous)
            {
                changes++;
                var direction = Math.Sign(weights[1] - previous);
                if (lastDirection != 0 && direction != lastDirection)
                {
                    reversals++;
                }

                lastDirection = direction;
            }
        }

        return (changes, reversals);
    }

    private sealed class DriverLog : Microsoft.Extensions.Logging.ILogger<DynamicWeightDriver>
    {
        public List<(int Id, string Message)> Events { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Events.Add((eventId.Id, formatter(state, exception)));
    }
}
