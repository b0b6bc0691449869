using System.Collections.Immutable;
using LvsNet.Control.Yaml;
using LvsNet.Core.Configuration;
using LvsNet.Packets;
using Xunit;

namespace LvsNet.Control.Tests.Yaml;

/// <summary>The feedback keys (agent_check, MISC feedback) survive lvsnetadm's YAML writer.</summary>
public class FeedbackYamlTests
{
    [Fact]
    public void AgentCheckAndMiscFeedback_RoundTrip()
    {
        var config = new LvsConfig
        {
            Director = new DirectorConfig { Interface = "eth0", Address = Ipv4Address.Parse("10.0.0.2"), PrefixLength = 24 },
            VirtualServices =
            [
                new VirtualServiceConfig
                {
                    Protocol = IpProtocol.Tcp,
                    Address = Ipv4Address.Parse("10.0.0.100"),
                    Port = 80,
                    Scheduler = "wlc",
                    AgentCheck = new AgentCheckConfig { Port = 9777 },
                    HealthCheck = new HealthCheckConfig { Checks = ImmutableArray.Create<CheckerConfig>(new MiscCheckConfig { Command = "/usr/local/bin/load \"$LVSNET_RS_ADDRESS\"", Feedback = true }) },
                    RealServers = [new RealServerConfig { Address = Ipv4Address.Parse("10.0.0.11"), Port = 80, Weight = 10, AgentCheck = new AgentCheckConfig { Interval = TimeSpan.FromSeconds(1) } }],
                },
            ],
        };
        var yaml = ConfigYamlWriter.Write(config);
        Assert.Contains("feedback: true", yaml, StringComparison.Ordinal);
        var read = LvsConfigReader.Parse(yaml);
        Assert.Equal(config.VirtualServices[0], read.VirtualServices[0]);
        Assert.True(((MiscCheckConfig)read.VirtualServices[0].HealthCheck!.Checks[0]).Feedback);
    }
}
