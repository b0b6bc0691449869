using LvsNet.Core.Configuration;
using LvsNet.Core.Scheduling;
using LvsNet.Packets;
using Xunit;

namespace LvsNet.Core.Tests;

/// <summary>Scheduler names, flags and the factory.</summary>
public class SchedulerFactoryTests
{
    [Theory]
    [InlineData("rr", typeof(RoundRobinScheduler))]
    [InlineData("wrr", typeof(WeightedRoundRobinScheduler))]
    [InlineData("lc", typeof(LeastConnectionScheduler))]
    [InlineData("wlc", typeof(WeightedLeastConnectionScheduler))]
    [InlineData("lblc", typeof(LocalityBasedLeastConnectionScheduler))]
    [InlineData("lblcr", typeof(LocalityBasedLeastConnectionReplicationScheduler))]
    [InlineData("dh", typeof(DestinationHashScheduler))]
    [InlineData("sh", typeof(SourceHashScheduler))]
    [InlineData("sed", typeof(ShortestExpectedDelayScheduler))]
    [InlineData("nq", typeof(NeverQueueScheduler))]
    [InlineData("mh", typeof(MaglevHashScheduler))]
    [InlineData("fo", typeof(WeightedFailoverScheduler))]
    [InlineData("ovf", typeof(OverflowScheduler))]
    [InlineData("twos", typeof(TwoChoicesScheduler))]
    public void Create_EveryName_GivesItsScheduler(string name, Type type)
    {
        var scheduler = SchedulerFactory.Create(name, ServerSets.Create(1, 2));
        Assert.IsType(type, scheduler);
        Assert.Equal(name, scheduler.Name);
        Assert.True(SchedulerNames.IsKnown(name));
    }

    [Fact]
    public void Implemented_ListsAllFourteen()
    {
        Assert.Equal(14, SchedulerNames.Implemented.Distinct().Count());
        Assert.False(SchedulerNames.IsKnown("none"));
        Assert.Throws<ArgumentException>(() => SchedulerFactory.Create("xyz", []));
    }

    [Theory]
    [InlineData("sh-fallback", SchedulerFlags.Flag1)]
    [InlineData("mh-fallback", SchedulerFlags.Flag1)]
    [InlineData("flag-1", SchedulerFlags.Flag1)]
    [InlineData("sh-port", SchedulerFlags.Flag2)]
    [InlineData("mh-port", SchedulerFlags.Flag2)]
    [InlineData("flag-2", SchedulerFlags.Flag2)]
    [InlineData("flag-3", SchedulerFlags.Flag3)]
    public void FlagNames_MapToKernelBits(string name, SchedulerFlags flag)
    {
        Assert.True(SchedulerFlagNames.TryParse(name, out var parsed));
        Assert.Equal(flag, parsed);
    }

    [Theory]
    [InlineData("sh", "sh-port", true)]
    [InlineData("sh", "flag-1", true)]
    [InlineData("sh", "mh-port", false)]
    [InlineData("sh", "flag-3", false)]
    [InlineData("mh", "mh-fallback", true)]
    [InlineData("mh", "sh-fallback", false)]
    [InlineData("rr", "flag-1", false)]
    public void FlagNames_ApplyOnlyWhereUsed(string scheduler, string flag, bool applies)
    {
        Assert.Equal(applies, SchedulerFlagNames.AppliesTo(scheduler, flag));
    }

    [Fact]
    public void Create_FromServiceConfig_PassesFlags()
    {
        var service = new VirtualServiceConfig
        {
            Protocol = IpProtocol.Tcp,
            Address = ServerSets.Key.Address,
            Port = 80,
            Scheduler = "sh",
            SchedulerFlags = ["sh-port"],
        };
        var servers = ServerSets.Create(1, 1, 1);
        var scheduler = SchedulerFactory.Create(service, servers);
        var source = Ipv4Address.Parse("10.0.0.1");
        var seen = new HashSet<RealServerState?>();
        for (ushort port = 1; port < 100; port++)
        {
            seen.Add(scheduler.Schedule(ServerSets.FlowFrom(source, port)));
        }

        Assert.Equal(3, seen.Count);
    }

    [Fact]
    public void Create_WithPrevious_CarriesStateOnlyForTheSameKind()
    {
        var servers = ServerSets.Create(1, 1, 1);
        var rr = SchedulerFactory.Create("rr", servers);
        rr.Schedule(ServerSets.Flow);
        var next = SchedulerFactory.Create("rr", servers, rr);
        Assert.Same(servers[1], next.Schedule(ServerSets.Flow));

        // A different scheduler kind starts fresh.
        var wlc = SchedulerFactory.Create("wlc", servers, rr);
        Assert.Same(servers[0], wlc.Schedule(ServerSets.Flow));
    }

    [Theory]
    [InlineData("wrr", true)]
    [InlineData("wlc", true)]
    [InlineData("lblcr", true)]
    [InlineData("twos", true)]
    [InlineData("rr", false)]
    [InlineData("lc", false)]
    [InlineData("fo", false)]
    [InlineData("sh", false)]
    [InlineData("mh", false)]
    [InlineData("dh", false)]
    public void SupportsDynamicWeights_OnlyLoadProportionalSchedulers(string name, bool expected)
    {
        Assert.Equal(expected, SchedulerNames.SupportsDynamicWeights(name));
    }
}
