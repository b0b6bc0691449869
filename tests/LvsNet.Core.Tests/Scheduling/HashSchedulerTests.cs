using LvsNet.Core.Configuration;
using LvsNet.Core.Scheduling;
using LvsNet.Packets;
using Xunit;

namespace LvsNet.Core.Tests;

/// <summary>dh and sh bucket placement, computed independently from the kernel formulas (reference §2.12, §2.13).</summary>
public class HashSchedulerTests
{
    // hash_32(x, 8) of include/linux/hash.h, written out here rather than borrowed from the product.
    private static int Hash8(uint x) => (int)(unchecked(x * 0x61C88647u) >> 24);

    // ip_vs_sh_reassign(), written out independently: weight w → w consecutive buckets (min 1).
    private static int[] ExpectedSourceTable(int[] weights)
    {
        var table = new int[256];
        var bucket = 0;
        while (bucket < 256)
        {
            for (var s = 0; s < weights.Length && bucket < 256; s++)
            {
                for (var k = 0; k < Math.Max(1, weights[s]) && bucket < 256; k++)
                {
                    table[bucket++] = s;
                }
            }
        }

        return table;
    }

    [Theory]
    [InlineData("10.0.0.1", 0, 39)]
    [InlineData("10.0.0.1", 12345, 134)]
    [InlineData("192.168.1.100", 0, 89)]
    public void SourceHash_BucketMatchesReferenceExamples(string address, int port, int bucket)
    {
        Assert.Equal(bucket, SourceHashScheduler.BucketOf(Ipv4Address.Parse(address), (ushort)port));
    }

    [Fact]
    public void KernelHash32_MatchesFormula()
    {
        var random = new Random(5);
        for (var i = 0; i < 1000; i++)
        {
            var x = (uint)random.NextInt64(0, 1L << 32);
            Assert.Equal((uint)Hash8(x), KernelHash.Hash32(x, 8));
            Assert.Equal((x * 0x61C88647u) >> 22, KernelHash.Hash32(x, 10));
        }
    }

    [Theory]
    [InlineData(new[] { 1, 1, 1 })]
    [InlineData(new[] { 3, 1, 2 })]
    [InlineData(new[] { 0, 5, 0, 1 })]
    [InlineData(new[] { 100, 200 })]
    [InlineData(new[] { 7 })]
    public void SourceHash_TableFilledByWeightInListOrder(int[] weights)
    {
        var servers = ServerSets.Create(weights);
        var scheduler = new SourceHashScheduler(servers);
        var expected = ExpectedSourceTable(weights);
        for (var b = 0; b < 256; b++)
        {
            Assert.Same(servers[expected[b]], scheduler.Buckets[b]);
        }
    }

    [Fact]
    public void SourceHash_PicksTheBucketOfTheSourceAddress()
    {
        var servers = ServerSets.Create(3, 1, 2);
        var scheduler = new SourceHashScheduler(servers);
        var table = ExpectedSourceTable([3, 1, 2]);
        var random = new Random(11);
        for (var i = 0; i < 2000; i++)
        {
            var source = (uint)random.NextInt64(0, 1L << 32);
            var port = (ushort)random.Next(1, 65536);
            Assert.Same(servers[table[Hash8(source)]], scheduler.Schedule(ServerSets.FlowFrom(source, port)));
        }
    }

    [Fact]
    public void SourceHash_PortFlag_HashesPortPlusAddress()
    {
        var servers = ServerSets.Create(1, 1, 1, 1, 1);
        var scheduler = new SourceHashScheduler(servers, SchedulerFlags.Flag2);
        var table = ExpectedSourceTable([1, 1, 1, 1, 1]);
        var source = Ipv4Address.Parse("10.0.0.1");
        var seen = new HashSet<RealServerState>();
        for (ushort port = 1000; port < 1100; port++)
        {
            var chosen = scheduler.Schedule(ServerSets.FlowFrom(source, port));
            Assert.Same(servers[table[Hash8(source + port)]], chosen);
            seen.Add(chosen!);
        }

        Assert.Equal(5, seen.Count);

        // ICMP and other port-less protocols hash the address alone.
        var icmp = ServerSets.FlowFrom(source, 1234, protocol: IpProtocol.Icmp);
        Assert.Same(servers[table[Hash8(source)]], scheduler.Schedule(icmp));
    }

    [Fact]
    public void SourceHash_WithoutPortFlag_IgnoresPort()
    {
        var servers = ServerSets.Create(1, 1, 1);
        var scheduler = new SourceHashScheduler(servers);
        var source = Ipv4Address.Parse("10.9.8.7");
        var first = scheduler.Schedule(ServerSets.FlowFrom(source, 1));
        for (ushort port = 2; port < 200; port++)
        {
            Assert.Same(first, scheduler.Schedule(ServerSets.FlowFrom(source, port)));
        }
    }

    [Fact]
    public void SourceHash_UnusableBucket_NoFallbackGivesNone_FallbackWalksTable()
    {
        var weights = new[] { 1, 1, 1, 1 };
        var servers = ServerSets.Create(weights);
        var table = ExpectedSourceTable(weights);
        var plain = new SourceHashScheduler(servers);
        var fallback = new SourceHashScheduler(servers, SchedulerFlags.Flag1);
        servers[2].IsOverloaded = true;
        servers[3].Apply(ServerSets.Config(3, 0));
        var random = new Random(3);
        var checkedFallback = 0;
        for (var i = 0; i < 2000; i++)
        {
            var source = (uint)random.NextInt64(0, 1L << 32);
            var flow = ServerSets.FlowFrom(source);
            var h = Hash8(source);
            var owner = table[h];
            if (owner < 2)
            {
                Assert.Same(servers[owner], plain.Schedule(flow));
                Assert.Same(servers[owner], fallback.Schedule(flow));
                continue;
            }

            Assert.Null(plain.Schedule(flow));

            // ip_vs_sh_get_fallback(): bucket (roffset + h) & 255 for roffset = (k + h) % 256.
            var expected = -1;
            for (var k = 0; k < 256 && expected < 0; k++)
            {
                var candidate = table[(((k + h) % 256) + h) & 255];
                if (candidate < 2)
                {
                    expected = candidate;
                }
            }

            Assert.Same(servers[expected], fallback.Schedule(flow));
            checkedFallback++;
        }

        Assert.True(checkedFallback > 500);
    }

    [Fact]
    public void SourceHash_ReweightRemapsClients()
    {
        // Not consistent (§2.13): a weight change refills the whole table.
        var servers = ServerSets.Create(1, 1, 1);
        var before = new SourceHashScheduler(servers);
        servers[0].Apply(ServerSets.Config(0, 2));
        var after = new SourceHashScheduler(servers);
        var moved = 0;
        for (var b = 0; b < 256; b++)
        {
            if (!ReferenceEquals(before.Buckets[b], after.Buckets[b]))
            {
                moved++;
            }
        }

        Assert.True(moved > 100);
    }

    [Fact]
    public void DestinationHash_OneBucketPerServerPerCycle_KeyedByDestination()
    {
        var servers = ServerSets.Create(5, 1, 1);
        var scheduler = new DestinationHashScheduler(servers);
        for (var b = 0; b < 256; b++)
        {
            Assert.Same(servers[b % 3], scheduler.Buckets[b]);
        }

        var random = new Random(17);
        for (var i = 0; i < 2000; i++)
        {
            var destination = (uint)random.NextInt64(0, 1L << 32);
            var flow = ServerSets.FlowFrom((uint)random.Next(), destination: destination);
            Assert.Same(servers[Hash8(destination) % 3], scheduler.Schedule(flow));
        }
    }

    [Fact]
    public void DestinationHash_UnusableBucket_NoFallback()
    {
        var servers = ServerSets.Create(1, 1);
        var scheduler = new DestinationHashScheduler(servers);
        servers[0].IsOverloaded = true;
        var destination = Enumerable.Range(0, 1000).Select(i => Ipv4Address.Parse("172.16.0.0") + (uint)i).First(d => Hash8(d) % 2 == 0);
        Assert.Null(scheduler.Schedule(ServerSets.FlowFrom(1, destination: destination)));
    }

    [Fact]
    public void EmptyService_NoDestination()
    {
        Assert.Null(new SourceHashScheduler([], SchedulerFlags.Flag1).Schedule(ServerSets.Flow));
        Assert.Null(new DestinationHashScheduler([]).Schedule(ServerSets.Flow));
        Assert.Null(new MaglevHashScheduler([], SchedulerFlags.Flag1).Schedule(ServerSets.Flow));
    }
}
