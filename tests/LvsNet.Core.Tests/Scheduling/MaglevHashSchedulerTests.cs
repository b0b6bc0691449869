using LvsNet.Core.Configuration;
using LvsNet.Core.Scheduling;
using LvsNet.Packets;
using Xunit;

namespace LvsNet.Core.Tests;

/// <summary>mh: hsiphash vectors, weighted shares, minimal disruption, determinism, last_weight and fallback (reference §2.14).</summary>
public class MaglevHashSchedulerTests
{
    private static RealServerState[] Servers(int[] weights, int firstIndex = 0)
    {
        var counters = new ServiceCounters();
        var servers = new RealServerState[weights.Length];
        for (var i = 0; i < weights.Length; i++)
        {
            servers[i] = new RealServerState(firstIndex + i, ServerSets.Key, counters, ServerSets.Config(firstIndex + i, weights[i]));
        }

        return servers;
    }

    private static int[] SlotCounts(MaglevHashScheduler scheduler, RealServerState[] servers)
    {
        var counts = new int[servers.Length];
        for (var slot = 0; slot < scheduler.TableSize; slot++)
        {
            counts[Array.IndexOf(servers, scheduler.SlotOwner(slot))]++;
        }

        return counts;
    }

    [Fact]
    public void HsipHash_MatchesKernelTestVectors()
    {
        var input = new byte[64];
        for (var i = 0; i < input.Length; i++)
        {
            input[i] = (byte)i;
        }

        for (var length = 0; length < 64; length++)
        {
            Assert.Equal(KernelTestVectors.HsipHash[length], KernelHash.HsipHash(input.AsSpan(0, length), 0x0706050403020100UL, 0x0f0e0d0c0b0a0908UL));
        }
    }

    [Fact]
    public void HsipHash_FourByteFastPath_EqualsGeneralForm()
    {
        var random = new Random(9);
        Span<byte> bytes = stackalloc byte[4];
        for (var i = 0; i < 1000; i++)
        {
            var value = (uint)random.NextInt64(0, 1L << 32);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
            Assert.Equal(KernelHash.HsipHash(bytes, 2654435761UL, 2654435761UL), KernelHash.HsipHash(value, 2654435761UL, 2654435761UL));
        }
    }

    [Fact]
    public void EqualWeights_100Servers_EachHoldsFloorOrCeilOfItsShare()
    {
        var servers = Servers(Enumerable.Repeat(1, 100).ToArray());
        var scheduler = new MaglevHashScheduler(servers);
        Assert.Equal(4093, scheduler.TableSize);
        foreach (var count in SlotCounts(scheduler, servers))
        {
            Assert.InRange(count, 40, 41);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Weighted_100Servers_ShareWithinOnePercentOfWeightShare(int seed)
    {
        var random = new Random(seed);
        var weights = Enumerable.Range(0, 100).Select(_ => random.Next(1, 101)).ToArray();
        var servers = Servers(weights);
        var scheduler = new MaglevHashScheduler(servers);
        var counts = SlotCounts(scheduler, servers);
        double total = weights.Sum();
        for (var i = 0; i < servers.Length; i++)
        {
            var share = counts[i] / (double)scheduler.TableSize;
            Assert.InRange(share - (weights[i] / total), -0.01, 0.01);
        }
    }

    [Fact]
    public void Table_IsDeterministic_FromAddressesPortsAndWeights()
    {
        var weights = new[] { 3, 1, 4, 1, 5, 9, 2, 6 };
        var first = new MaglevHashScheduler(Servers(weights));
        var second = new MaglevHashScheduler(Servers(weights));
        for (var slot = 0; slot < first.TableSize; slot++)
        {
            Assert.Equal(first.SlotOwner(slot)!.Address, second.SlotOwner(slot)!.Address);
        }

        // Lookups: same client, same server, on any director.
        var random = new Random(1);
        for (var i = 0; i < 1000; i++)
        {
            var flow = ServerSets.FlowFrom((uint)random.Next());
            Assert.Equal(first.Schedule(flow)!.Address, second.Schedule(flow)!.Address);
        }
    }

    // Maglev is not perfectly minimal (NSDI 2016 §3.4 and Figure 12): when a server leaves, the
    // others' fill order shifts and a few of their slots change hands too, more so when M/N is
    // small. Measured with the kernel's algorithm (same table as a Linux director):
    //   M = 4093:  N = 10 → 11.3 % moved (1.3 % from survivors); N = 100 → 3.9 % (2.9 %)
    //   M = 65521: N = 10 → 10.3 % (0.26 %);                      N = 100 → 1.55 % (0.55 %)
    // So the test pins the bound rather than claiming zero survivor movement.
    [Theory]
    [InlineData(4093, 10, 0.015)]
    [InlineData(4093, 50, 0.025)]
    [InlineData(4093, 100, 0.032)]
    [InlineData(65521, 100, 0.007)]
    [InlineData(131071, 50, 0.004)]
    public void RemovingOneOfN_MovesItsKeysAndFewOthers(int tableSize, int n, double survivorBound)
    {
        var servers = Servers(Enumerable.Repeat(1, n).ToArray());
        var before = new MaglevHashScheduler(servers, SchedulerFlags.None, tableSize);
        var removed = servers[n / 2];
        var after = new MaglevHashScheduler([.. servers.Where(s => s != removed)], SchedulerFlags.None, tableSize);
        var moved = 0;
        var movedFromSurvivors = 0;
        for (var slot = 0; slot < tableSize; slot++)
        {
            var was = before.SlotOwner(slot);
            var now = after.SlotOwner(slot);
            Assert.NotSame(removed, now);
            if (!ReferenceEquals(was, now))
            {
                moved++;
                if (!ReferenceEquals(was, removed))
                {
                    movedFromSurvivors++;
                }
            }
        }

        var fraction = moved / (double)tableSize;
        Assert.InRange(fraction, 1.0 / n * 0.9, (1.0 / n * 1.1) + survivorBound);
        Assert.InRange(movedFromSurvivors / (double)tableSize, 0, survivorBound);

        // Adding it back restores the original table exactly.
        var restored = new MaglevHashScheduler(servers, SchedulerFlags.None, tableSize);
        for (var slot = 0; slot < tableSize; slot++)
        {
            Assert.Same(before.SlotOwner(slot), restored.SlotOwner(slot));
        }
    }

    [Fact]
    public void Quiescing_KeepsTheTable_LookupsFailOverOnlyWithFallback()
    {
        var servers = Servers([1, 1, 1, 1]);
        var before = new MaglevHashScheduler(servers);
        servers[1].Apply(ServerSets.Config(1, 0));
        Assert.Equal(1, servers[1].LastWeight);
        var plain = new MaglevHashScheduler(servers);
        var fallback = new MaglevHashScheduler(servers, SchedulerFlags.Flag1);
        for (var slot = 0; slot < before.TableSize; slot++)
        {
            Assert.Same(before.SlotOwner(slot), plain.SlotOwner(slot));
        }

        var random = new Random(4);
        var failedOver = 0;
        for (var i = 0; i < 2000; i++)
        {
            var flow = ServerSets.FlowFrom((uint)random.Next());
            var owner = plain.SlotOwner(plain.SlotOf(flow.Source, 0));
            if (owner == servers[1])
            {
                Assert.Null(plain.Schedule(flow));

                // ip_vs_mh_get_fallback(): first usable owner of hash(addr, port, roffset).
                var slot = plain.SlotOf(flow.Source, 0);
                RealServerState? expected = null;
                for (var k = 0; k < plain.TableSize && expected is null; k++)
                {
                    var candidate = plain.SlotOwner(plain.SlotOf(flow.Source, 0, (uint)((k + slot) % plain.TableSize)));
                    if (candidate != servers[1])
                    {
                        expected = candidate;
                    }
                }

                Assert.Same(expected, fallback.Schedule(flow));
                failedOver++;
            }
            else
            {
                Assert.Same(owner, plain.Schedule(flow));
                Assert.Same(owner, fallback.Schedule(flow));
            }
        }

        Assert.True(failedOver > 300);
    }

    [Fact]
    public void ServerAddedWithWeightZero_TakesNoSlots()
    {
        var servers = Servers([1, 0, 1]);
        var scheduler = new MaglevHashScheduler(servers);
        Assert.Equal(0, SlotCounts(scheduler, servers)[1]);
    }

    [Fact]
    public void PortFlag_SpreadsOneClientAcrossServers()
    {
        var servers = Servers([1, 1, 1, 1]);
        var withPort = new MaglevHashScheduler(servers, SchedulerFlags.Flag2);
        var without = new MaglevHashScheduler(servers);
        var source = Ipv4Address.Parse("10.0.0.1");
        var seen = new HashSet<RealServerState>();
        for (ushort port = 1000; port < 1100; port++)
        {
            var flow = ServerSets.FlowFrom(source, port);
            seen.Add(withPort.Schedule(flow)!);
            Assert.Same(without.Schedule(ServerSets.FlowFrom(source, 1)), without.Schedule(flow));
            Assert.Same(withPort.SlotOwner(withPort.SlotOf(source, port)), withPort.Schedule(flow));
        }

        Assert.Equal(4, seen.Count);
    }

    [Fact]
    public void LargeWeights_AreShiftedToKeepTurnsSmall()
    {
        // max/gcd = 1000 → fls = 10 → shift 4 (IP_VS_MH_TAB_BITS = 6): turns 62 and 6.
        var servers = Servers([1000, 100]);
        var counts = SlotCounts(new MaglevHashScheduler(servers), servers);
        Assert.InRange(counts[0] / (double)(counts[0] + counts[1]), 0.88, 0.93);
    }

    [Theory]
    [InlineData(251)]
    [InlineData(65521)]
    public void OtherTableSizes_FillEverySlot(int size)
    {
        var servers = Servers([2, 1, 1]);
        var scheduler = new MaglevHashScheduler(servers, SchedulerFlags.None, size);
        Assert.Equal(size, SlotCounts(scheduler, servers).Sum());
    }

    [Fact]
    public void InvalidTableSizeOrTooManyServers_Throw()
    {
        Assert.Throws<ArgumentException>(() => new MaglevHashScheduler(Servers([1]), SchedulerFlags.None, 1000));
        Assert.Throws<ArgumentException>(() => new MaglevHashScheduler(Servers(Enumerable.Repeat(1, 252).ToArray()), SchedulerFlags.None, 251));
    }

    [Fact]
    public void Factory_UsesConfiguredFlagsAndTableSize()
    {
        var service = new VirtualServiceConfig
        {
            Protocol = IpProtocol.Tcp,
            Address = ServerSets.Key.Address,
            Port = 80,
            Scheduler = "mh",
            SchedulerFlags = ["mh-port"],
            MaglevTableSize = 509,
        };
        var scheduler = Assert.IsType<MaglevHashScheduler>(SchedulerFactory.Create(service, Servers([1, 1])));
        Assert.Equal(509, scheduler.TableSize);
    }
}
