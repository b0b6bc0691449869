using System.Net;
using System.Net.Sockets;
using System.Text;
using LvsNet.Core.Configuration;
using LvsNet.Core.Feedback;
using LvsNet.Core.Health;
using LvsNet.Core.Health.Checkers;
using LvsNet.Core.Runtime;
using LvsNet.Packets;
using Xunit;

namespace LvsNet.Core.Tests.Health.Checkers;

/// <summary>The agent query against real agents on loopback, and the monitor that runs it per server.</summary>
public class AgentQueryTests
{
    [Theory]
    [InlineData("75%\n", "75%")]
    [InlineData("drain\r\n", "drain")]
    [InlineData("up 50%", "up 50%")]
    [InlineData("ready\nignored second line\n", "ready")]
    public async Task ReadsOneLine_WithOrWithoutNewline(string reply, string expected)
    {
        using var agent = new TcpListener(IPAddress.Loopback, 0);
        agent.Start();
        var port = ((IPEndPoint)agent.LocalEndpoint).Port;
        var serve = Task.Run(async () =>
        {
            using var client = await agent.AcceptTcpClientAsync();
            await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes(reply));
        });

        using var cancel = new CancellationTokenSource(LoopbackTargets.CheckTime);
        var (line, error) = await AgentQuery.RunAsync(LoopbackTargets.Target(port), null, cancel.Token);
        await serve;
        Assert.Null(error);
        Assert.Equal(expected, line);
    }

    [Fact]
    public async Task SendsTheConfiguredLineFirst()
    {
        using var agent = new TcpListener(IPAddress.Loopback, 0);
        agent.Start();
        var port = ((IPEndPoint)agent.LocalEndpoint).Port;
        var serve = Task.Run(async () =>
        {
            using var client = await agent.AcceptTcpClientAsync();
            using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
            var question = await reader.ReadLineAsync();
            await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes(question == "load?" ? "42%\n" : "down\n"));
        });

        using var cancel = new CancellationTokenSource(LoopbackTargets.CheckTime);
        var (line, _) = await AgentQuery.RunAsync(LoopbackTargets.Target(port), "load?", cancel.Token);
        await serve;
        Assert.Equal("42%", line);
    }

    [Fact]
    public async Task Refused_And_Silent_And_TooLong()
    {
        using var cancel = new CancellationTokenSource(LoopbackTargets.CheckTime);
        var (line, error) = await AgentQuery.RunAsync(LoopbackTargets.Target(LoopbackTargets.FreeTcpPort()), null, cancel.Token);
        Assert.Null(line);
        Assert.Equal("connection refused", error);

        // An agent that accepts and never answers: the query's time runs out.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        using var shortTime = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        (line, error) = await AgentQuery.RunAsync(LoopbackTargets.Target(((IPEndPoint)silent.LocalEndpoint).Port), null, shortTime.Token);
        Assert.Null(line);
        Assert.Equal("timed out", error);

        using var chatty = new TcpListener(IPAddress.Loopback, 0);
        chatty.Start();
        var serve = Task.Run(async () =>
        {
            using var client = await chatty.AcceptTcpClientAsync();
            await client.GetStream().WriteAsync(new byte[4096].Select(_ => (byte)'a').ToArray());
        });
        using var again = new CancellationTokenSource(LoopbackTargets.CheckTime);
        (line, error) = await AgentQuery.RunAsync(LoopbackTargets.Target(((IPEndPoint)chatty.LocalEndpoint).Port), null, again.Token);
        await serve;
        Assert.Null(line);
        Assert.Contains("longer than", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Monitor_QueriesEveryConfiguredAgent_AndFollowsReloads()
    {
        // Real servers cannot be loopback addresses, so the query is redirected to a real agent on loopback.
        using var agent = new TcpListener(IPAddress.Loopback, 0);
        agent.Start();
        var agentPort = ((IPEndPoint)agent.LocalEndpoint).Port;
        using var stop = new CancellationTokenSource();
        var replies = 0;
        var serve = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var client = await agent.AcceptTcpClientAsync(stop.Token);
                Interlocked.Increment(ref replies);
                await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes("30%\n"), stop.Token);
            }
        });

        var rs1 = Ipv4Address.Parse("10.77.0.11");
        var rs2 = Ipv4Address.Parse("10.77.0.12");
        LvsConfig Config(AgentCheckConfig? agentCheck) => new()
        {
            Director = new DirectorConfig { Interface = "eth0", Address = Ipv4Address.Parse("10.77.0.2") },
            VirtualServices =
            [
                new VirtualServiceConfig
                {
                    Protocol = IpProtocol.Tcp,
                    Address = Ipv4Address.Parse("10.77.0.100"),
                    Port = 80,
                    AgentCheck = agentCheck,
                    RealServers =
                    [
                        new RealServerConfig { Address = rs1, Port = 80, Weight = 10 },
                        new RealServerConfig { Address = rs2, Port = 80, Weight = 10, AgentCheck = new AgentCheckConfig { Enabled = false } },
                    ],
                },
            ],
        };

        var asked = new List<CheckTarget>();
        Task<(string?, string?)> Redirect(CheckTarget target, string? send, CancellationToken token)
        {
            lock (asked)
            {
                asked.Add(target);
            }

            return AgentQuery.RunAsync(LoopbackTargets.Target(agentPort), send, token);
        }

        var runtime = new LvsRuntime();
        runtime.Apply(Config(new AgentCheckConfig { Port = 9777, Interval = TimeSpan.FromMilliseconds(200), Timeout = TimeSpan.FromMilliseconds(150) }));
        var store = new AgentFeedbackStore();
        using var monitor = new AgentCheckMonitor(runtime, store, null, true, Redirect);
        monitor.Start();
        Assert.Equal(1, monitor.Count);
        var key = new RealServerKey(new ServiceKey(IpProtocol.Tcp, Ipv4Address.Parse("10.77.0.100"), 80, 0), rs1, 80);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (Volatile.Read(ref replies) < 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(Volatile.Read(ref replies) >= 3, "the agent was asked repeatedly");
        Assert.True(store.TryGet(key, out var status));
        Assert.Equal(30, status.WeightPercent);
        lock (asked)
        {
            // Only the server with the check is asked, at its address and the agent's port, from the director's address.
            Assert.All(asked, t => Assert.Equal(new IPEndPoint(IPAddress.Parse("10.77.0.11"), 9777), t.Endpoint));
            Assert.All(asked, t => Assert.Equal(IPAddress.Parse("10.77.0.2"), t.BindAddress));
        }

        // The agent check leaves the configuration: no more queries, the status is forgotten.
        runtime.Apply(Config(null));
        Assert.Equal(0, monitor.Count);
        Assert.False(store.TryGet(key, out _));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => serve);
    }
}
