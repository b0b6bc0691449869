using LvsNet.Core.Scheduling;
using Xunit;

namespace LvsNet.Core.Tests;

/// <summary>
/// lc, wlc, sed, nq, fo and ovf under given (active, inactive) counts: the choices of §2.3–§2.8 of
/// the reference (ip_vs_lc.c, ip_vs_wlc.c, ip_vs_sed.c, ip_vs_nq.c, ip_vs_fo.c, ip_vs_ovf.c).
/// </summary>
public class LoadSchedulerTests
{
    // scheduler, weights, "act/inact" per server, overloaded servers (letters), expected letter.
    public static TheoryData<string, string, string, string, char> Cases => new()
    {
        // lc: least act*256 + inact among weight != 0; ties to the earlier; weight magnitude ignored.
        { "lc", "1,1,1", "1/0 0/10 0/5", "", 'C' },
        { "lc", "1,1", "0/5 0/5", "", 'A' },
        { "lc", "0,1", "0/0 1/0", "", 'B' },
        { "lc", "1,100", "0/1 0/2", "", 'A' },
        { "lc", "1,1", "1/0 0/255", "", 'B' },
        { "lc", "1,1", "1/0 0/256", "", 'A' },
        { "lc", "1,1,1", "0/0 0/0 0/1", "AB", 'C' },

        // wlc: least (act*256 + inact)/w, cross-multiplied; first positive weight is the candidate.
        { "wlc", "1,4", "0/3 0/8", "", 'B' },
        { "wlc", "1,2", "0/2 0/4", "", 'A' },
        { "wlc", "0,1", "0/0 5/0", "", 'B' },
        { "wlc", "1,0", "5/0 0/0", "", 'A' },
        { "wlc", "1,1", "1/0 0/255", "", 'B' },
        { "wlc", "1,1", "1/0 0/256", "", 'A' },
        { "wlc", "2,3,5", "2/0 3/0 4/0", "", 'C' },
        { "wlc", "2,3,5", "2/0 3/0 4/0", "C", 'A' },
        { "wlc", "65535,65535", "100000/0 99999/0", "", 'B' },

        // sed: least (act+1)/w; inactive ignored.
        { "sed", "1,3", "0/0 1/0", "", 'B' },
        { "sed", "1,1", "0/1000 1/0", "", 'A' },
        { "sed", "1,2", "0/0 1/0", "", 'A' },
        { "sed", "0,1", "0/0 9/0", "", 'B' },

        // nq: the first idle server wins regardless of weight, else the sed minimum.
        { "nq", "1,1,10", "5/0 0/0 0/0", "", 'B' },
        { "nq", "1,3", "1/0 2/0", "", 'B' },
        { "nq", "1,1,10", "5/0 0/0 0/0", "B", 'C' },
        { "nq", "0,1", "0/0 3/0", "", 'B' },
        { "nq", "5,1", "0/50 1/0", "", 'A' },

        // fo: highest weight, ties to the earlier; load ignored.
        { "fo", "2,5,5", "0/0 9/9 0/0", "", 'B' },
        { "fo", "2,5,5", "0/0 0/0 0/0", "B", 'C' },
        { "fo", "0,0", "0/0 0/0", "", '-' },

        // ovf: highest weight with act <= w.
        { "ovf", "2,5,1", "3/0 5/0 0/0", "", 'B' },
        { "ovf", "2,5,1", "3/0 6/0 0/0", "", 'C' },
        { "ovf", "2,5,1", "2/0 6/0 0/0", "", 'A' },
        { "ovf", "2,5,1", "3/0 6/0 2/0", "", '-' },
        { "ovf", "5,5", "0/100 0/0", "", 'A' },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Schedule_GivenCounts_PicksKernelChoice(string name, string weights, string counts, string overloaded, char expected)
    {
        var servers = ServerSets.Create(ServerSets.Parse(weights));
        var pairs = counts.Split(' ');
        for (var i = 0; i < pairs.Length; i++)
        {
            var parts = pairs[i].Split('/');
            servers[i].SetConnectionCounts(int.Parse(parts[0]), int.Parse(parts[1]));
        }

        foreach (var letter in overloaded)
        {
            servers[letter - 'A'].IsOverloaded = true;
        }

        var scheduler = SchedulerFactory.Create(name, servers);
        Assert.Equal(expected, ServerSets.Letter(servers, scheduler.Schedule(ServerSets.Flow)));
    }

    [Theory]
    [InlineData("wlc")]
    [InlineData("sed")]
    [InlineData("nq")]
    public void Schedule_UsesEffectiveWeight(string name)
    {
        // A and B configured equal; the dynamic policy halves B.
        var servers = ServerSets.Create(10, 10);
        ServerSets.SetCounts(servers, (6, 0), (4, 0));
        var scheduler = SchedulerFactory.Create(name, servers);
        Assert.Same(servers[1], scheduler.Schedule(ServerSets.Flow));
        servers[1].SetEffectiveWeight(3);
        Assert.Same(servers[0], scheduler.Schedule(ServerSets.Flow));
    }

    [Fact]
    public void Overflow_UsesEffectiveWeightAsCapacity()
    {
        var servers = ServerSets.Create(10, 10);
        ServerSets.SetCounts(servers, (11, 0), (4, 0));
        var scheduler = new OverflowScheduler(servers);
        Assert.Same(servers[1], scheduler.Schedule(ServerSets.Flow));
        servers[1].SetEffectiveWeight(3);
        Assert.Null(scheduler.Schedule(ServerSets.Flow));
    }
}
