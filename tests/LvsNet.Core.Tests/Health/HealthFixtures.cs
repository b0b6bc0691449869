using LvsNet.Core.Configuration;
using LvsNet.Core.Health;
using LvsNet.Core.Runtime;
using LvsNet.Packets;

namespace LvsNet.Core.Tests.Health;

/// <summary>Configurations with the lab's addresses for the health tests.</summary>
internal static class HealthFixtures
{
    public static readonly uint Dip = Ipv4Address.Parse("10.77.0.2");
    public static readonly uint Vip = Ipv4Address.Parse("10.77.0.100");
    public static readonly uint Rs1 = Ipv4Address.Parse("10.77.0.11");
    public static readonly uint Rs2 = Ipv4Address.Parse("10.77.0.12");
    public static readonly uint Rs3 = Ipv4Address.Parse("10.77.0.13");
    public static readonly uint Sorry = Ipv4Address.Parse("10.77.0.50");
    public static readonly ServiceKey Service = new(IpProtocol.Tcp, Vip, 80);

    public static RealServerKey Key(uint server) => new(Service, server, 80);

    public static HealthCheckConfig Tcp(TimeSpan? delayLoop = null, int? retry = null, TimeSpan? delayBeforeRetry = null, int? rise = null, bool? alpha = null, bool inhibit = false) => new()
    {
        Parameters = new HealthCheckParameters
        {
            DelayLoop = delayLoop ?? TimeSpan.FromSeconds(10),
            Retry = retry,
            DelayBeforeRetry = delayBeforeRetry,
            Rise = rise,
            Alpha = alpha,
            Warmup = TimeSpan.Zero,
            ConnectTimeout = TimeSpan.FromSeconds(2),
        },
        InhibitOnFailure = inhibit,
        Checks = [new TcpCheckConfig()],
    };

    public static LvsConfig Config(HealthCheckConfig? health, QuorumConfig? quorum = null, string scheduler = "rr", params (uint Address, int Weight)[] servers) => new()
    {
        Director = new DirectorConfig { Interface = "eth0", Address = Dip, PrefixLength = 24 },
        VirtualServices =
        [
            new VirtualServiceConfig
            {
                Protocol = IpProtocol.Tcp,
                Address = Vip,
                Port = 80,
                Scheduler = scheduler,
                HealthCheck = health,
                Quorum = quorum,
                RealServers = [.. (servers.Length == 0 ? [(Rs1, 1), (Rs2, 1)] : servers).Select(s => new RealServerConfig { Address = s.Address, Port = 80, Weight = s.Weight })],
            },
        ],
    };

    public static VirtualServiceState ServiceOf(LvsRuntime runtime) => runtime.Current!.Services[0];

    public static uint[] Pool(LvsRuntime runtime) => [.. ServiceOf(runtime).Servers.Select(s => s.Address)];

    public static RealServerState Configured(LvsRuntime runtime, uint address) =>
        ServiceOf(runtime).Health!.ConfiguredServers.Single(s => s.Address == address);

    public static ServerHealthReport Down(string reason = "connection refused") => new(HealthState.Down, ManualTimeProvider.Start, reason);

    public static ServerHealthReport Up(int? weight = null) => new(HealthState.Up, ManualTimeProvider.Start, "connected", weight);
}
