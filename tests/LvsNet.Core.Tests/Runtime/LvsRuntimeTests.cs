using LvsNet.Core.Tests.DataPath;
using LvsNet.Core.Configuration;
using LvsNet.Core.Runtime;
using Xunit;
using static LvsNet.Core.Tests.DataPath.DataPathHarness;

namespace LvsNet.Core.Tests.Runtime;

public class LvsRuntimeTests
{
    [Fact]
    public void Apply_KeepsStateOfServersThatStayAndReportsChanges()
    {
        var runtime = new LvsRuntime();
        var first = runtime.Apply(Config("rr", (Rs1, 1), (Rs2, 1)));
        Assert.Single(first.ServicesAdded);
        Assert.Equal(2, first.ServersAdded.Count);
        var rs1 = runtime.Current!.Services[0].Servers[0];

        var second = runtime.Apply(Config("rr", (Rs1, 5)));
        Assert.Same(rs1, runtime.Current!.Services[0].Servers[0]);
        Assert.Equal(5, rs1.Weight);
        Assert.Single(second.ServersEdited);
        Assert.Single(second.ServersRemoved);
        Assert.Empty(second.ServersAdded);
        Assert.False(runtime.Current.ServersById[1]!.IsAvailable);

        var third = runtime.Apply(Config("rr", (Rs1, 5), (Rs2, 1)));
        Assert.Single(third.ServersAdded);
        Assert.True(runtime.Current.ServersById[1]!.IsAvailable);
        Assert.Equal(2, runtime.Current.Version - 1);
    }

    [Fact]
    public void Apply_InvalidConfig_KeepsRunningSnapshot()
    {
        var runtime = new LvsRuntime();
        runtime.Apply(Config("rr", (Rs1, 1)));
        var before = runtime.Current;
        Assert.Throws<ConfigException>(() => runtime.Apply(Config("bogus", (Rs1, 1))));
        Assert.Same(before, runtime.Current);
    }
}
