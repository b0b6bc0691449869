using LvsNet.Core.Configuration;
using LvsNet.Core.Feedback;
using LvsNet.Core.Runtime;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.Core.Tests.Feedback;

/// <summary>
/// The SYN-to-established signal in the policy: the driver turns the servers' handshake totals into
/// each interval's mean, and the calculator weighs it against the other servers' mean.
/// </summary>
public class DynamicWeightHandshakeTests
{
    private readonly TestTimeProvider _time = new();

    [Fact]
    public void HandshakeIndex_IsTheServersTimeOverTheMean()
    {
        // 3 ms and 1 ms: mean 2 ms, indexes 1.5 and 0.5 (the only signal in the load index).
        var policy = new DynamicWeightsConfig { ConnectionCoefficient = 0, LatencyCoefficient = 0, HandshakeCoefficient = 1 };
        var states = new DynamicWeightState[2];
        var weights = new int[2];
        DynamicWeightCalculator.Update(policy, [new(100, 0, Handshake: TimeSpan.FromMilliseconds(3)), new(100, 0, Handshake: TimeSpan.FromMilliseconds(1))], states, weights);
        Assert.Equal(1.5, states[0].LastLoad, 6);
        Assert.Equal(0.5, states[1].LastLoad, 6);
        Assert.True(weights[0] < 100);

        // With the coefficient at 0 (the default) the signal is ignored.
        states = new DynamicWeightState[2];
        DynamicWeightCalculator.Update(policy with { HandshakeCoefficient = 0 }, [new(100, 0, Handshake: TimeSpan.FromMilliseconds(3)), new(100, 0, Handshake: TimeSpan.FromMilliseconds(1))], states, weights);
        Assert.Equal(1.0, states[0].LastLoad, 6);
    }

    [Fact]
    public void Driver_UsesEachIntervalsNewHandshakesOnly()
    {
        var runtime = new LvsRuntime();
        runtime.Apply(DynamicWeightDriverTests.Config(new DynamicWeightsConfig { Interval = TimeSpan.FromSeconds(1), HandshakeCoefficient = 1 }));
        var servers = runtime.Current!.Services[0].Servers;
        using var driver = new DynamicWeightDriver(runtime, null, _time);

        // Interval 1: two handshakes of 1 and 3 ms on two workers → 2 ms; the other server 1 ms.
        servers[0].Handshakes.Add(0, 1000);
        servers[0].Handshakes.Add(1, 3000);
        servers[1].Handshakes.Add(0, 1000);
        driver.RunDue();
        Assert.True(driver.TryGetDecision(servers[0], out var decision));
        Assert.Equal(TimeSpan.FromMilliseconds(2), decision.Input.Handshake);
        Assert.Contains("handshake 2.00 ms", decision.Describe(), StringComparison.Ordinal);

        // Interval 2: one more of 6 ms → 6 ms (not the running mean, 3.33 ms).
        servers[0].Handshakes.Add(0, 6000);
        _time.Advance(TimeSpan.FromSeconds(1));
        driver.RunDue();
        Assert.True(driver.TryGetDecision(servers[0], out decision));
        Assert.Equal(TimeSpan.FromMilliseconds(6), decision.Input.Handshake);

        // Interval 3: none → no signal (and server 1 had none since interval 1).
        _time.Advance(TimeSpan.FromSeconds(1));
        driver.RunDue();
        Assert.True(driver.TryGetDecision(servers[0], out decision));
        Assert.Null(decision.Input.Handshake);
        Assert.True(driver.TryGetDecision(servers[1], out decision));
        Assert.Null(decision.Input.Handshake);
    }

    [Fact]
    public void HandshakeCoefficient_IsReadFromYaml()
    {
        var yaml = """
            director:
              interface: eth0
              address: 10.77.0.2/24
            virtual_services:
              - protocol: tcp
                address: 10.77.0.100
                port: 80
                scheduler: wlc
                dynamic_weights:
                  handshake_coefficient: 2.5
                real_servers:
                  - address: 10.77.0.11
                    port: 80
                    method: nat
            """;
        Assert.Equal(2.5, LvsConfigReader.Parse(yaml).VirtualServices[0].DynamicWeights!.HandshakeCoefficient);
        Assert.Equal(0, new DynamicWeightsConfig().HandshakeCoefficient);
    }
}
