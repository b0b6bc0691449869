using System.Net;
using System.Net.Sockets;
using System.Text;
using LvsNet.Core.Configuration;
using LvsNet.Core.Health;
using LvsNet.Core.Health.Checkers;
using LvsNet.Core.Runtime;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;
using Xunit;

namespace LvsNet.Core.Tests.Health;

/// <summary>Health checks of IPv6 real servers: the probe's target, and the real checkers against listeners on ::1.</summary>
public sealed class Ipv6HealthCheckTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private static readonly Ipv6Address Vip = Ipv6Address.Parse("2001:db8::100");
    private static readonly Ipv6Address Rs1 = Ipv6Address.Parse("2001:db8::11");
    private static readonly Ipv6Address Rs2 = Ipv6Address.Parse("2001:db8::12");

    private readonly ManualTimeProvider _time = new();
    private readonly LvsRuntime _runtime = new();
    private readonly FakeCheckers _checkers;
    private HealthMonitor? _monitor;

    public Ipv6HealthCheckTests() => _checkers = new FakeCheckers(_time);

    public void Dispose() => _monitor?.Dispose();

    private static LvsConfig Config(HealthCheckConfig? health) => new()
    {
        Director = new DirectorConfig { Interface = "eth0", Address = Ipv4Address.Parse("10.77.0.2"), PrefixLength = 24 },
        VirtualServices =
        [
            new VirtualServiceConfig
            {
                Protocol = IpProtocol.Tcp,
                Address = 0,
                Address6 = Vip,
                Port = 80,
                Scheduler = "wlc",
                HealthCheck = health,
                RealServers = [new RealServerConfig { Address = 0, Address6 = Rs1, Port = 80 }, new RealServerConfig { Address = 0, Address6 = Rs2, Port = 80 }],
            },
        ],
    };

    private static CheckTarget Target(int port) => new()
    {
        Server = new RealServerKey(new ServiceKey(IpProtocol.Tcp, 0, 80, 0, Vip), 0, (ushort)port, Ipv6Address.Parse("::1")),
        Endpoint = new IPEndPoint(IPAddress.IPv6Loopback, port),
    };

    [Fact]
    public void Validator_AcceptsHealthAgentPingAndViaVipChecksOnIpv6Services()
    {
        var health = HealthFixtures.Tcp() with { Checks = [new TcpCheckConfig(), new HttpGetCheckConfig { Path = "/" }] };
        var config = Config(health);
        config = config with { VirtualServices = [config.VirtualServices[0] with { AgentCheck = new AgentCheckConfig { Port = 9777 } }] };
        Assert.Empty(ConfigValidator.Validate(config));

        var own = config with { VirtualServices = [config.VirtualServices[0] with { HealthCheck = null, RealServers = [config.VirtualServices[0].RealServers[0] with { HealthCheck = new RealServerHealthCheckConfig { Checks = [new TcpCheckConfig()] } }] }] };
        Assert.Empty(ConfigValidator.Validate(own));

        Assert.Empty(ConfigValidator.Validate(Config(HealthFixtures.Tcp() with { Checks = [new PingCheckConfig()] })));
        Assert.Empty(ConfigValidator.Validate(Config(HealthFixtures.Tcp() with { Checks = [new TcpCheckConfig { ViaVirtualAddress = true }] })));

        // With director.address6 the server must be inside its prefix: the probe is routed to its MAC.
        var onLink = Config(HealthFixtures.Tcp() with { Checks = [new TcpCheckConfig { ViaVirtualAddress = true }] });
        onLink = onLink with { Director = onLink.Director with { Address6 = Ipv6Address.Parse("2001:db8::2"), PrefixLength6 = 64 } };
        Assert.Empty(ConfigValidator.Validate(onLink));
        var offLink = onLink with { VirtualServices = [onLink.VirtualServices[0] with { RealServers = [new RealServerConfig { Address = 0, Address6 = Ipv6Address.Parse("2001:db8:1::11"), Port = 80 }] }] };
        var error = Assert.Single(ConfigValidator.Validate(offLink));
        Assert.Equal("virtual_services[0].real_servers[0]", error.Path);
        Assert.Contains("director's segment", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Monitor_ViaVip_ProbesTheIpv6VipThroughEachServerWithItsMark()
    {
        SynchronizationContext.SetSynchronizationContext(null);
        var routes = new FakeRoutes6();
        _runtime.Apply(Config(HealthFixtures.Tcp() with { Checks = [new TcpCheckConfig { ViaVirtualAddress = true }] }));
        _monitor = new HealthMonitor(_runtime, _checkers, _time, new HealthMonitorOptions { Jitter = 0, Seed = 1, BindToDirectorAddress = true }, routes: routes);
        _monitor.Start();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (_checkers.Created < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "the checkers were not created within 10 s");
            Thread.Sleep(5);
        }

        lock (_checkers.Targets)
        {
            Assert.Equal([(Vip, Rs1), (Vip, Rs2)], routes.Prepared.Order());
            var target = _checkers.Targets.Single(t => t.Server.Address6 == Rs2);
            Assert.Equal("[2001:db8::100]:80", target.Endpoint.ToString());
            Assert.Equal(0x212, target.SocketMark);
            Assert.Null(target.BindAddress);
            Assert.Equal("[2001:db8::100]:80 via 2001:db8::12", target.ToString());
        }
    }

    private sealed class FakeRoutes6 : IProbeRouteProvider
    {
        public List<(Ipv6Address Vip, Ipv6Address Server)> Prepared { get; } = [];

        public int? Prepare(uint virtualAddress, uint realServer) => throw new InvalidOperationException("an IPv6 service asked for an IPv4 route");

        public int? Prepare6(Ipv6Address virtualAddress, Ipv6Address realServer)
        {
            lock (Prepared)
            {
                Prepared.Add((virtualAddress, realServer));
            }

            return 0x200 + (int)(realServer.Low & 0xFF);
        }
    }

    [Fact]
    public void Monitor_ProbesEachIpv6ServerAtItsAddress_WithoutBindingTheDirectorsIpv4Address()
    {
        SynchronizationContext.SetSynchronizationContext(null);
        _runtime.Apply(Config(HealthFixtures.Tcp()));
        _monitor = new HealthMonitor(_runtime, _checkers, _time, new HealthMonitorOptions { Jitter = 0, Seed = 1, BindToDirectorAddress = true });
        _monitor.Start();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (_checkers.Created < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "the checkers were not created within 10 s");
            Thread.Sleep(5);
        }

        lock (_checkers.Targets)
        {
            Assert.Equal(["[2001:db8::11]:80", "[2001:db8::12]:80"], _checkers.Targets.Select(t => t.Endpoint.ToString()).Order(StringComparer.Ordinal));
            Assert.All(_checkers.Targets, t => Assert.Null(t.BindAddress));
            Assert.Equal(["[2001:db8::11]:80", "[2001:db8::12]:80"], _checkers.Targets.Select(t => t.Server.ServerText).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void Settings_ConnectIpKeepsTheIpv4Probe()
    {
        var key = new RealServerKey(new ServiceKey(IpProtocol.Tcp, 0, 80, 0, Vip), 0, 80, Rs1);
        var own = CheckerSettings.Resolve(new TcpCheckConfig(), 0, HealthCheckParameters.Empty, key, Ipv4Address.Parse("10.77.0.2"));
        Assert.Equal(((Ipv6Address?)Rs1, (uint?)null), (own.Address6, own.BindAddress));
        var other = CheckerSettings.Resolve(new TcpCheckConfig { ConnectAddress = Ipv4Address.Parse("10.77.0.50") }, 0, HealthCheckParameters.Empty, key, Ipv4Address.Parse("10.77.0.2"));
        Assert.Equal(((Ipv6Address?)null, Ipv4Address.Parse("10.77.0.50"), (uint?)Ipv4Address.Parse("10.77.0.2")), (other.Address6, other.Address, other.BindAddress));
    }

    [Fact]
    public async Task Tcp_ListenerOnIpv6Loopback_Passes_ClosedPort_FailsRefused()
    {
        using var listener = new TcpListener(IPAddress.IPv6Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var cancel = new CancellationTokenSource(Timeout);
        var passed = await new TcpConnectChecker(Target(port)).CheckAsync(cancel.Token);
        Assert.True(passed.Success, passed.Message);

        listener.Stop();
        var failed = await new TcpConnectChecker(Target(port)).CheckAsync(cancel.Token);
        Assert.False(failed.Success);
        Assert.Equal("connection refused", failed.Message);
    }

    [Fact]
    public async Task Http_ListenerOnIpv6Loopback_GetsTheRequestWithABracketedHost()
    {
        using var listener = new TcpListener(IPAddress.IPv6Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var cancel = new CancellationTokenSource(Timeout);
        var served = Task.Run(
            async () =>
            {
                using var client = await listener.AcceptTcpClientAsync(cancel.Token);
                var stream = client.GetStream();
                var buffer = new byte[4096];
                var request = new StringBuilder();
                while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var read = await stream.ReadAsync(buffer, cancel.Token);
                    if (read == 0)
                    {
                        break;
                    }

                    request.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }

                await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"), cancel.Token);
                return request.ToString();
            },
            cancel.Token);

        using var checker = new HttpGetChecker(new HttpGetCheckConfig { Path = "/health", BodyContains = "ok" }, Target(port));
        var result = await checker.CheckAsync(cancel.Token);
        Assert.True(result.Success, result.Message);
        var text = await served;
        Assert.StartsWith("GET /health HTTP/1.0\r\n", text, StringComparison.Ordinal);

        // RFC 7230 §5.4 / RFC 3986 §3.2.2: an IPv6 literal in Host is bracketed.
        Assert.Contains($"Host: [::1]:{port}\r\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void MiscEnvironment_NamesIpv6ServiceAndServer()
    {
        var environment = new Dictionary<string, string?>();
        MiscChecker.SetEnvironment(environment, new RealServerKey(new ServiceKey(IpProtocol.Tcp, 0, 80, 0, Vip), 0, 8080, Rs1));
        Assert.Equal("tcp/[2001:db8::100]:80", environment["LVSNET_SERVICE"]);
        Assert.Equal("2001:db8::100", environment["LVSNET_VIP"]);
        Assert.Equal("2001:db8::11", environment["LVSNET_RS_ADDRESS"]);
    }

    [Fact]
    public async Task Agent_OnIpv6Loopback_AnswersItsLoad()
    {
        using var agent = new TcpListener(IPAddress.IPv6Loopback, 0);
        agent.Start();
        var port = ((IPEndPoint)agent.LocalEndpoint).Port;
        using var cancel = new CancellationTokenSource(Timeout);
        var serve = Task.Run(
            async () =>
            {
                using var client = await agent.AcceptTcpClientAsync(cancel.Token);
                await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes("75%\n"), cancel.Token);
            },
            cancel.Token);
        var (line, error) = await AgentQuery.RunAsync(Target(port), null, cancel.Token);
        await serve;
        Assert.Null(error);
        Assert.Equal("75%", line);
    }
}
