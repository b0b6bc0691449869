using LvsNet.Core.Configuration;
using LvsNet.Core.Scheduling;
using LvsNet.Packets;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.Core.Tests;

/// <summary>
/// Zero allocations per <see cref="IScheduler.Schedule"/> for every scheduler in steady state.
/// lblc/lblcr allocate only when their cache grows (the documented cache-insert case), so their
/// flows cycle over destinations already cached.
/// </summary>
public class SchedulerAllocationTests
{
    public static TheoryData<string> Names => [.. SchedulerNames.Implemented];

    [Theory]
    [MemberData(nameof(Names))]
    public void Schedule_SteadyState_AllocatesNothing(string name)
    {
        var servers = ServerSets.Create(3, 1, 4, 1, 5, 9, 2, 6);
        servers[2].SetConnectionCounts(3, 7);
        servers[5].IsOverloaded = true;
        var time = new TestTimeProvider();
        var scheduler = SchedulerFactory.Create(name, servers, null, new SchedulerOptions
        {
            Flags = SchedulerFlags.Flag1 | SchedulerFlags.Flag2,
            TimeProvider = time,
            Random = new Random(1),
        });

        var flows = new FlowInfo[64];
        for (var i = 0; i < flows.Length; i++)
        {
            flows[i] = new FlowInfo(IpProtocol.Tcp, Ipv4Address.Parse("192.168.0.1") + (uint)(i * 7919), (ushort)(1024 + i), Ipv4Address.Parse("10.0.0.100") + (uint)(i % 16), 80);
        }

        // Warm up: JIT, cache entries for every destination, one GC run of lblc/lblcr.
        for (var i = 0; i < 1000; i++)
        {
            scheduler.Schedule(in flows[i % flows.Length]);
        }

        time.Advance(TimeSpan.FromMinutes(2));
        scheduler.Schedule(in flows[0]);

        var before = AllocationMeter.Start();
        var hits = 0;
        for (var i = 0; i < 20_000; i++)
        {
            if (scheduler.Schedule(in flows[i % flows.Length]) is not null)
            {
                hits++;
            }

            if (i % 5000 == 0)
            {
                // Clock moves on: lblc/lblcr run their periodic collection inside the measured loop.
                time.Advance(TimeSpan.FromSeconds(61));
            }
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(hits > 0);
    }
}
