using LvsNet.Core.Configuration;
using LvsNet.Core.Scheduling;
using LvsNet.Packets;
using Xunit;

namespace LvsNet.Core.Tests;

/// <summary>Weight 0 and OVERLOAD for every scheduler (reference §2.0 and §2.15).</summary>
public class QuiescentAndOverloadTests
{
    // Every scheduler that never gives a new connection to a weight-0 server.
    public static TheoryData<string> NonHashing => new()
    {
        "rr", "wrr", "lc", "wlc", "sed", "nq", "fo", "ovf", "twos", "lblc", "lblcr",
    };

    public static TheoryData<string> All => [.. SchedulerNames.Implemented];

    private static IEnumerable<FlowInfo> Flows(int count)
    {
        var random = new Random(42);
        for (var i = 0; i < count; i++)
        {
            yield return new FlowInfo(IpProtocol.Tcp, (uint)random.Next(), (ushort)random.Next(1024, 65535), Ipv4Address.Parse("10.0.0.100") + (uint)(i % 7), 80);
        }
    }

    private static IScheduler Create(string name, RealServerState[] servers, SchedulerFlags flags = SchedulerFlags.None) =>
        SchedulerFactory.Create(name, servers, null, new SchedulerOptions { Flags = flags, Random = new Random(7) });

    [Theory]
    [MemberData(nameof(NonHashing))]
    public void WeightZero_NeverChosen(string name)
    {
        var servers = ServerSets.Create(0, 3, 0, 2, 0);
        var scheduler = Create(name, servers);
        foreach (var flow in Flows(500))
        {
            var chosen = scheduler.Schedule(flow);
            Assert.NotNull(chosen);
            Assert.NotEqual(0, chosen.Weight);
            chosen.OnConnectionCreated();
        }
    }

    [Theory]
    [MemberData(nameof(All))]
    public void AllWeightsZero_NoDestination(string name)
    {
        var servers = ServerSets.Create(0, 0, 0);
        var scheduler = Create(name, servers, SchedulerFlags.Flag1);
        foreach (var flow in Flows(50))
        {
            Assert.Null(scheduler.Schedule(flow));
        }
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Overloaded_NeverChosen(string name)
    {
        var servers = ServerSets.Create(2, 3, 1, 2);
        servers[1].IsOverloaded = true;
        var scheduler = Create(name, servers, SchedulerFlags.Flag1);
        foreach (var flow in Flows(500))
        {
            var chosen = scheduler.Schedule(flow);
            Assert.NotSame(servers[1], chosen);
            chosen?.OnConnectionCreated();
        }
    }

    [Theory]
    [MemberData(nameof(All))]
    public void AllOverloaded_NoDestination(string name)
    {
        var servers = ServerSets.Create(1, 2, 3);
        foreach (var server in servers)
        {
            server.IsOverloaded = true;
        }

        var scheduler = Create(name, servers, SchedulerFlags.Flag1);
        foreach (var flow in Flows(50))
        {
            Assert.Null(scheduler.Schedule(flow));
        }
    }

    [Theory]
    [MemberData(nameof(All))]
    public void RemovedServer_NeverChosenByTheOutgoingInstance(string name)
    {
        // Between the reload that removes a server and the capture thread picking up the new
        // snapshot, the old scheduler must not hand out the removed server.
        var servers = ServerSets.Create(1, 1, 1);
        servers[0].IsAvailable = false;
        var scheduler = Create(name, servers, SchedulerFlags.Flag1);
        foreach (var flow in Flows(200))
        {
            Assert.NotSame(servers[0], scheduler.Schedule(flow));
        }
    }

    [Fact]
    public void DestinationHash_WeightZeroKeepsBucketsAndGivesNoDestination()
    {
        var servers = ServerSets.Create(1, 0, 1);
        var scheduler = new DestinationHashScheduler(servers);
        var hits = 0;
        for (uint d = 0; d < 2000; d++)
        {
            var destination = Ipv4Address.Parse("172.16.0.0") + d;
            var owner = scheduler.Buckets[DestinationHashScheduler.BucketOf(destination)];
            var chosen = scheduler.Schedule(ServerSets.FlowFrom(1, destination: destination));
            if (owner == servers[1])
            {
                hits++;
                Assert.Null(chosen);
            }
            else
            {
                Assert.Same(owner, chosen);
            }
        }

        Assert.True(hits > 0);
    }
}
