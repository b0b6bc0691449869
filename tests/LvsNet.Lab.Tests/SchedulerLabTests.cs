using LvsNet.Testing;
using Xunit;

namespace LvsNet.Lab.Tests;

/// <summary>Schedulers with real TCP through the real daemon (wlc, and the hashing schedulers sh and mh).</summary>
[Trait("Category", "Lab")]
public class SchedulerLabTests
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(90);

    [RequiresRootFact]
    public void Wlc_SpreadsSequentialConnectionsByOverhead()
    {
        using var lab = Lab.Up();
        using var daemon = DaemonProcess.Start(lab, DirectRoutingLabTests.Config("wlc", 2, 1));

        // Closed connections stay inactive (FIN_WAIT) for 120 s, so each new connection goes to the
        // server with the smaller (act*256 + inact)/weight: rs1 (weight 2) takes two for every one of rs2.
        var answers = lab.Requests(30);
        Assert.DoesNotContain("FAILED", answers.Keys);
        Assert.Equal(20, answers.GetValueOrDefault("rs1"));
        Assert.Equal(10, answers.GetValueOrDefault("rs2"));
    }

    [RequiresRootFact]
    public void SourceHash_SameClientAlwaysSameServer()
    {
        using var lab = Lab.Up();
        using var daemon = DaemonProcess.Start(lab, DirectRoutingLabTests.Config("sh"));
        var answers = lab.Requests(20);
        Assert.Single(answers);
        Assert.StartsWith("rs", answers.Keys.Single(), StringComparison.Ordinal);
    }

    [RequiresRootFact]
    public void SourceHashWithPort_SpreadsOneClientsConnections()
    {
        using var lab = Lab.Up();
        var yaml = DirectRoutingLabTests.Config("sh").Replace("    scheduler: sh", "    scheduler: sh\n    scheduler_flags: [sh-port]", StringComparison.Ordinal);
        using var daemon = DaemonProcess.Start(lab, yaml);
        var answers = lab.Requests(30);
        Assert.DoesNotContain("FAILED", answers.Keys);
        Assert.Equal(2, answers.Count);
    }

    [RequiresRootFact]
    public void Maglev_SameClientAlwaysSameServer_AndTableMatchesAcrossRestarts()
    {
        using var lab = Lab.Up();
        string first;
        using (var daemon = DaemonProcess.Start(lab, DirectRoutingLabTests.Config("mh")))
        {
            var answers = lab.Requests(15);
            Assert.Single(answers);
            first = answers.Keys.Single();
        }

        // Maglev's table depends only on the servers, so another director (here: a restart) picks the same.
        using (var again = DaemonProcess.Start(lab, DirectRoutingLabTests.Config("mh")))
        {
            lab.Exec("client", Short, "ip", "neigh", "flush", "all");
            var answers = lab.Requests(5);
            Assert.Equal(first, Assert.Single(answers).Key);
        }
    }
}
