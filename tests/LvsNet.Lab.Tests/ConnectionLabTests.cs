using System.Text.Json;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.Lab.Tests;

/// <summary>Connection-table behaviour seen from outside: real TCP through the real daemon.</summary>
[Trait("Category", "Lab")]
public class ConnectionLabTests
{
    private static (long Active, long Inactive) LatestCounts(DaemonProcess daemon, string server)
    {
        var latest = daemon.Events("ServerStatistics").Last(e => e.GetProperty("Server").GetString() == server);
        var p = latest;
        return (p.GetProperty("ActiveConnections").GetInt64(), p.GetProperty("InactiveConnections").GetInt64());
    }

    private static void WaitForCounts(DaemonProcess daemon, Func<(long Active, long Inactive), bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        (long, long) last = default;
        while (DateTime.UtcNow < deadline)
        {
            if (daemon.Events("ServerStatistics").Count > 0)
            {
                var a = LatestCounts(daemon, "10.77.0.11:80");
                var b = LatestCounts(daemon, "10.77.0.12:80");
                last = (a.Active + b.Active, a.Inactive + b.Inactive);
                if (condition(last))
                {
                    return;
                }
            }

            Thread.Sleep(200);
        }

        Assert.Fail($"{what}: last counts (active, inactive) = {last}");
    }

    [RequiresRootFact]
    public void ClosedConnections_ExpireOnTime()
    {
        using var lab = Lab.Up();
        var extra = "connections:\n  tcp_fin_timeout: 4s";
        using var daemon = DaemonProcess.Start(lab, DirectRoutingLabTests.Config("rr", extra: extra), "--stats-interval", "1s");
        Assert.DoesNotContain("FAILED", lab.Requests(10).Keys);
        var closedAt = DateTime.UtcNow;

        // curl closes first: each entry is in FIN_WAIT (inactive) for tcp_fin_timeout, then gone.
        WaitForCounts(daemon, c => c.Active == 0 && c.Inactive == 10, TimeSpan.FromSeconds(3), "10 inactive entries right after the requests");
        WaitForCounts(daemon, c => c.Active == 0 && c.Inactive == 0, TimeSpan.FromSeconds(10), "entries gone after tcp_fin_timeout");
        var elapsed = DateTime.UtcNow - closedAt;
        Assert.True(elapsed >= TimeSpan.FromSeconds(3), $"entries disappeared too early ({elapsed})");
    }

    [RequiresRootFact]
    public void PersistentService_SendsOneClientsConnectionsToOneServer()
    {
        using var lab = Lab.Up();
        var yaml = DirectRoutingLabTests.Config("rr").Replace("    scheduler: rr", "    scheduler: rr\n    persistence_timeout: 60s", StringComparison.Ordinal);
        using var daemon = DaemonProcess.Start(lab, yaml);
        var answers = lab.Requests(20);
        Assert.Single(answers);
        Assert.StartsWith("rs", answers.Keys.Single(), StringComparison.Ordinal);

        daemon.Stop(TimeSpan.FromSeconds(10));
        var stats = daemon.ServerStatistics();
        Assert.Equal(20, stats.Values.Sum(s => s.GetProperty("Connections").GetInt64()));
        Assert.Contains(stats.Values, s => s.GetProperty("Connections").GetInt64() == 20);
    }
}
