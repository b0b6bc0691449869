using System.Reflection;
using BenchmarkDotNet.Attributes;
using LvsNet.Core;
using LvsNet.Core.Configuration;
using LvsNet.Core.Scheduling;
using LvsNet.Packets;

namespace LvsNet.Benchmarks;

/// <summary>
/// Cost of one <see cref="IScheduler.Schedule"/> call for every scheduler, over 2, 100 and 1000
/// real servers with random weights (1..100) and random connection counts. Flows cycle over 1024
/// clients and 64 destination addresses, so lblc/lblcr run from a warm cache (their steady state);
/// counts do not change between calls, so each figure is the pure selection cost.
/// </summary>
[MemoryDiagnoser]
public class SchedulerBenchmarks
{
    private const int FlowCount = 1024;

    // Connection counts are set through the internal test hook (setup only, never measured).
    private static readonly MethodInfo SetCounts =
        typeof(RealServerState).GetMethod("SetConnectionCounts", BindingFlags.Instance | BindingFlags.NonPublic)!;

    private readonly FlowInfo[] _flows = new FlowInfo[FlowCount];
    private IScheduler _scheduler = null!;

    [ParamsSource(nameof(Names))]
    public string Scheduler { get; set; } = "";

    [Params(2, 100, 1000)]
    public int Servers { get; set; }

    public static IEnumerable<string> Names => SchedulerNames.Implemented;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(20260101);
        var key = new ServiceKey(IpProtocol.Tcp, Ipv4Address.Parse("10.0.0.100"), 80);
        var counters = new ServiceCounters();
        var servers = new RealServerState[Servers];
        for (var i = 0; i < servers.Length; i++)
        {
            servers[i] = new RealServerState(i, key, counters, new RealServerConfig
            {
                Address = Ipv4Address.Parse("10.1.0.0") + (uint)i,
                Port = 80,
                Weight = random.Next(1, 101),
            });

            // ovf needs some server with act <= w to find anything.
            SetCounts.Invoke(servers[i], [random.Next(0, 120), random.Next(0, 1000)]);
        }

        for (var i = 0; i < _flows.Length; i++)
        {
            _flows[i] = new FlowInfo(IpProtocol.Tcp, (uint)random.Next(), (ushort)random.Next(1024, 65536), Ipv4Address.Parse("203.0.113.0") + (uint)(i % 64), 80);
        }

        _scheduler = SchedulerFactory.Create(Scheduler, servers, null, new SchedulerOptions
        {
            Flags = SchedulerFlags.Flag1 | SchedulerFlags.Flag2,
            Random = new Random(1),
        });

        // Warm the lblc/lblcr caches.
        foreach (var flow in _flows)
        {
            _scheduler.Schedule(in flow);
        }
    }

    [Benchmark(OperationsPerInvoke = FlowCount)]
    public int Schedule()
    {
        var scheduler = _scheduler;
        var flows = _flows;
        var found = 0;
        for (var i = 0; i < flows.Length; i++)
        {
            if (scheduler.Schedule(in flows[i]) is not null)
            {
                found++;
            }
        }

        return found;
    }
}
