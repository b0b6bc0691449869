using LvsNet.Core.Configuration;
using Xunit;

namespace LvsNet.Core.Tests;

/// <summary><c>agent_check</c> of a service and of a real server, and MISC <c>feedback</c>: read, inherited, refused with path.</summary>
public class AgentCheckConfigTests
{
    private static string Document(string serviceLines, string serverLines = "") =>
        "director:\n  interface: eth0\n  address: 10.0.0.2/24\nvirtual_services:\n  - address: 10.0.0.100\n    port: 80\n"
        + string.Concat(serviceLines.Split('\n').Select(l => "    " + l + "\n"))
        + "    real_servers:\n      - address: 10.0.0.11\n"
        + string.Concat(serverLines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "        " + l + "\n"))
        + "      - address: 10.0.0.12\n";

    private static List<ConfigError> Errors(string yaml) => [.. Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(yaml)).Errors];

    [Fact]
    public void ServiceAgent_IsInheritedAndOverriddenPerServer()
    {
        var config = LvsConfigReader.Parse(Document(
            "scheduler: wlc\nagent_check:\n  port: 9777\n  interval: 3s\n  send: \"load?\"",
            "agent_check:\n  port: 9778\n  timeout: 500ms"));
        var service = config.VirtualServices[0];
        Assert.Equal(new AgentCheckSettings(9778, TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(500), "load?"), AgentCheckConfig.Resolve(service.AgentCheck, service.RealServers[0].AgentCheck));
        Assert.Equal(new AgentCheckSettings(9777, TimeSpan.FromSeconds(3), AgentCheckConfig.DefaultTimeout, "load?"), AgentCheckConfig.Resolve(service.AgentCheck, service.RealServers[1].AgentCheck));
    }

    [Fact]
    public void ServerAgent_Alone_AndDisabledPerServer()
    {
        var own = LvsConfigReader.Parse(Document("scheduler: wrr", "agent_check:\n  port: 9777")).VirtualServices[0];
        Assert.Equal(new AgentCheckSettings(9777, AgentCheckConfig.DefaultInterval, AgentCheckConfig.DefaultTimeout, null), AgentCheckConfig.Resolve(own.AgentCheck, own.RealServers[0].AgentCheck));
        Assert.Null(AgentCheckConfig.Resolve(own.AgentCheck, own.RealServers[1].AgentCheck));

        var off = LvsConfigReader.Parse(Document("scheduler: wlc\nagent_check:\n  port: 9777", "agent_check:\n  enabled: false")).VirtualServices[0];
        Assert.Null(AgentCheckConfig.Resolve(off.AgentCheck, off.RealServers[0].AgentCheck));
        Assert.NotNull(AgentCheckConfig.Resolve(off.AgentCheck, off.RealServers[1].AgentCheck));
    }

    [Theory]
    [InlineData("scheduler: rr\nagent_check:\n  port: 9777", "", "virtual_services[0].agent_check", "does not use weights as load shares")]
    [InlineData("scheduler: wlc\nagent_check:\n  interval: 2s", "", "virtual_services[0].agent_check.port", "port is required")]
    [InlineData("scheduler: wlc", "agent_check:\n  interval: 2s", "virtual_services[0].real_servers[0].agent_check.port", "port is required")]
    [InlineData("scheduler: wlc\nagent_check:\n  port: 0", "", "virtual_services[0].agent_check.port", "between")]
    [InlineData("scheduler: wlc\nagent_check:\n  port: 9777\n  interval: 10ms", "", "virtual_services[0].agent_check.interval", "")]
    [InlineData("scheduler: wlc\nagent_check:\n  port: 9777\n  interval: 1s\n  timeout: 2s", "", "virtual_services[0].real_servers[0].agent_check.timeout", "not be longer than the interval")]
    [InlineData("scheduler: wlc\nagent_check:\n  port: 9777\n  colour: blue", "", "virtual_services[0].agent_check.colour", "unknown key")]
    [InlineData("scheduler: wlc\nagent_check: 9777", "", "virtual_services[0].agent_check", "must be a mapping")]
    public void Invalid_IsRejectedWithPath(string serviceLines, string serverLines, string path, string message)
    {
        var errors = Errors(Document(serviceLines, serverLines));
        Assert.Contains(errors, e => e.Path == path && e.Message.Contains(message, StringComparison.Ordinal) && e.Line is not null);
    }

    [Theory]
    [InlineData("gain: 1\n  dead_band_percent: 0", true)]
    [InlineData("hold_intervals: 2\n  noise_band_factor: 2.5\n  flap_half_life: 0s", true)]
    [InlineData("hold_intervals: 11", false)]
    [InlineData("noise_band_factor: -1", false)]
    [InlineData("flap_half_life: 2h", false)]
    public void DynamicWeights_ControllerKeys(string lines, bool accepted)
    {
        var yaml = Document("scheduler: wlc\ndynamic_weights:\n  " + lines);
        if (accepted)
        {
            Assert.NotNull(LvsConfigReader.Parse(yaml).VirtualServices[0].DynamicWeights);
        }
        else
        {
            var key = lines.Split(':')[0];
            Assert.Contains(Errors(yaml), e => e.Path == "virtual_services[0].dynamic_weights." + key && e.Line is not null);
        }
    }

    [Fact]
    public void MiscFeedback_IsRead()
    {
        var config = LvsConfigReader.Parse(Document("scheduler: wlc\nhealth_check:\n  checks:\n    - type: misc\n      command: /usr/local/bin/load\n      feedback: true"));
        var misc = Assert.IsType<MiscCheckConfig>(config.VirtualServices[0].HealthCheck!.Checks[0]);
        Assert.True(misc.Feedback);
        Assert.False(misc.Dynamic);
    }
}
