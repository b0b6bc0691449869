using System.Net;
using LvsNet.Core.Configuration;
using LvsNet.Core.Feedback;
using LvsNet.Core.Health;
using LvsNet.Core.Health.Checkers;
using LvsNet.Core.Runtime;
using LvsNet.Packets;
using Xunit;
using static LvsNet.Core.Tests.Health.HealthFixtures;

namespace LvsNet.Core.Tests.Health;

/// <summary>
/// MISC checks with <c>feedback</c>: the command's first output line is an agent reply, the exit
/// code still decides up or down, and the monitor hands the reply to the agents' store.
/// </summary>
public class MiscFeedbackTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static CheckTarget Target() => new()
    {
        Server = new RealServerKey(new ServiceKey(IpProtocol.Tcp, Ipv4Address.Parse("10.0.0.100"), 80), Ipv4Address.Parse("127.0.0.1"), 80),
        Endpoint = new IPEndPoint(IPAddress.Loopback, 80),
    };

    [Theory]
    [InlineData("echo 60%; exit 0", true, true, "60%")]
    [InlineData("printf 'drain\\nsecond line\\n'", true, true, "drain")]
    [InlineData("echo 'down#disk full'; exit 1", true, false, "down#disk full")]
    [InlineData("echo 60%", false, true, null)]
    [InlineData("true", true, true, null)]
    public async Task FirstOutputLine_IsTheReply(string command, bool feedback, bool success, string? reply)
    {
        using var cancel = new CancellationTokenSource(Timeout);
        var result = await new MiscChecker(new MiscCheckConfig { Command = command, Feedback = feedback }, Target()).CheckAsync(cancel.Token);
        Assert.Equal(success, result.Success);
        Assert.Equal(reply, result.Feedback);
    }

    [Fact]
    public async Task DynamicExitCode_AndFeedback_Together()
    {
        // keepalived's misc_dynamic still applies: exit 12 = up with weight 10; the line feeds the agent state.
        using var cancel = new CancellationTokenSource(Timeout);
        var result = await new MiscChecker(new MiscCheckConfig { Command = "echo 50%; exit 12", Dynamic = true, Feedback = true }, Target()).CheckAsync(cancel.Token);
        Assert.True(result.Success);
        Assert.Equal(10, result.Weight);
        Assert.Equal("50%", result.Feedback);
    }

    [Fact]
    public void Monitor_PassesTheReplyToTheStore()
    {
        SynchronizationContext.SetSynchronizationContext(null);
        var time = new ManualTimeProvider();
        var checkers = new FakeCheckers(time);
        checkers.Set(Rs1, 0, _ => Task.FromResult(CheckResult.Passed("exit status 0") with { Feedback = "40%" }));
        var runtime = new LvsRuntime();
        runtime.Apply(Config(Tcp(delayLoop: TimeSpan.FromSeconds(1))));
        var store = new AgentFeedbackStore();
        using var monitor = new HealthMonitor(runtime, checkers, time, new HealthMonitorOptions { Jitter = 0, Seed = 1 }, agents: store);
        monitor.Start();
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(store.TryGet(Key(Rs1), out var status));
        Assert.Equal(40, status.WeightPercent);
        Assert.Equal("misc", status.Source);
        Assert.False(store.TryGet(Key(Rs2), out _));
    }
}
