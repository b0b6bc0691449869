using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.Lab.Tests;

/// <summary>
/// IPv6 firewall-mark services, IPv6 sorry servers and via_vip probes of IPv6 real servers, end to
/// end: the lab with IPv6 (fd77::/64 inside its namespaces), lvsnetd on the director, nginx real
/// servers holding the IPv6 VIP on lo, curl over IPv6 from the client.
/// </summary>
[Trait("Category", "Lab")]
public class Ipv6ServicesLabTests
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(30);

    private static string CliDll =>
        Path.Combine(TestEnvironment.RepositoryRoot, "src", "LvsNet.Cli", "bin", Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(DaemonProcess.DaemonDll)!)!), "net10.0", "lvsnetadm.dll");

    private static string Property(JsonElement logEvent, string name) => logEvent.GetProperty(name).ToString();

    // COUNT requests from the client to URL over IPv6, each a new connection: the answers by real server name.
    private static Dictionary<string, int> Requests(Lab lab, string url, int count)
    {
        var curl = lab.Shell("client", $"for i in $(seq 1 {count.ToString(CultureInfo.InvariantCulture)}); do curl -6 -s --max-time 3 '{url}' || echo FAILED; done", TimeSpan.FromSeconds(60));
        Assert.True(curl.ExitCode == 0, curl.Output);
        return curl.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).GroupBy(l => l.Trim()).ToDictionary(g => g.Key, g => g.Count());
    }

    // Makes the health checks of rsK fail (TCP 8080 reset by its own nftables), or pass again; bounded, in the lab's namespace.
    private static void RefuseChecks(Lab lab, int server, bool refuse)
    {
        var role = $"rs{server.ToString(CultureInfo.InvariantCulture)}";
        var script = refuse
            ? "nft add table inet lvtcheck && nft add chain inet lvtcheck input '{ type filter hook input priority 0; }' && nft add rule inet lvtcheck input tcp dport 8080 reject with tcp reset"
            : "nft delete table inet lvtcheck";
        var result = lab.Shell(role, script, Short);
        Assert.True(result.ExitCode == 0, result.Output);
    }

    [RequiresRootFact]
    public void Ipv6FirewallMarkService_CurlOverIpv6_ThenTheIpv6SorryServerTakesOverWhenEveryServerIsDown()
    {
        using var lab = Lab.Up(realServers: 3, ipv6: true);
        var directory = Directory.CreateTempSubdirectory("lvt-v6fwm-");
        try
        {
            MarkServiceAndSorryServer(lab, Path.Combine(directory.FullName, "lvsnet.sock"));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static void MarkServiceAndSorryServer(Lab lab, string socket)
    {
        var yaml = """
            director:
              interface: eth0
              address: 10.77.0.2/24
            firewall_marks:
              - mark: 5
                protocol: tcp
                destinations: ["fd77::100"]
                ports: [80, 8080]
            virtual_services:
              - fwmark: 5
                family: inet6
                scheduler: rr
                health_check:
                  delay_loop: 1s
                  connect_timeout: 1s
                  retry: 1
                  delay_before_retry: 1s
                  warmup: 0
                  checks:
                    - type: tcp
                      connect_port: 8080
                sorry_server:
                  address: fd77::d
                  port: 80
                real_servers:
                  - address: fd77::b
                    port: 80
                  - address: fd77::c
                    port: 80
            """;
        using var daemon = DaemonProcess.Start(lab, yaml, "--socket", socket);
        daemon.WaitForEvent("ControlListening", Short);
        Assert.Equal("up", Property(daemon.WaitForEvent("QuorumInitial", Short), "State"));

        // Both marked ports reach the mark service's servers, alternating (rr); the packet keeps its port (dr).
        Assert.Equal(new Dictionary<string, int> { ["rs1"] = 3, ["rs2"] = 3 }, Requests(lab, "http://[fd77::100]/", 6));
        Assert.Equal(new Dictionary<string, int> { ["rs1"] = 2, ["rs2"] = 2 }, Requests(lab, "http://[fd77::100]:8080/", 4));

        // ipvsadm's layout of an IPv6 fwmark service: "FWM  %d IPv6", servers in brackets.
        var listing = ProcessResult.Run("dotnet", [CliDll, "--socket", socket, "-L", "-n"], Short);
        Assert.True(listing.ExitCode == 0, listing.Output);
        Assert.Contains("\nFWM  5 IPv6 rr\n", listing.StandardOutput, StringComparison.Ordinal);
        Assert.Matches(@"\n  -> \[fd77::b\]:80\s+Route\s+1\s+\d+\s+\d+\s*\n", listing.StandardOutput);
        var saved = ProcessResult.Run("dotnet", [CliDll, "--socket", socket, "-S", "-n"], Short);
        Assert.True(saved.ExitCode == 0, saved.Output);
        Assert.Contains("-A -f 5 -6 -s rr\n", saved.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("-a -f 5 -6 -r [fd77::c]:80 -g -w 1\n", saved.StandardOutput, StringComparison.Ordinal);

        // Both real servers fail their checks: the quorum is lost and the IPv6 sorry server (rs3) answers.
        RefuseChecks(lab, 1, refuse: true);
        RefuseChecks(lab, 2, refuse: true);
        var lost = daemon.WaitForEvent("QuorumLost", Short);
        Assert.Equal(("FWM 5 IPv6", "[fd77::d]:80"), (Property(lost, "Service"), Property(lost, "SorryServer")));
        Assert.Equal(new Dictionary<string, int> { ["rs3"] = 4 }, Requests(lab, "http://[fd77::100]/", 4));

        // One comes back: the sorry server leaves the pool.
        RefuseChecks(lab, 2, refuse: false);
        daemon.WaitForEvent("QuorumGained", Short);
        Assert.Equal(new Dictionary<string, int> { ["rs2"] = 3 }, Requests(lab, "http://[fd77::100]/", 3));

        var (_, code) = daemon.Stop(TimeSpan.FromSeconds(10));
        Assert.Equal(0, code);
    }

    [RequiresRootFact]
    public void ViaVip_ProbesTheIpv6VipThroughEachServer_AndStopRemovesOnlyItsOwnRulesAndRoutes()
    {
        using var lab = Lab.Up(realServers: 2, ipv6: true);

        // An IPv6 rule of the operator's own at another priority, and the IPv4 rule list: both must stay as they were.
        Assert.Equal(0, lab.Exec("dir", Short, "ip", "-6", "rule", "add", "fwmark", "0x77", "lookup", "777", "priority", "19000").ExitCode);
        var rules4Before = lab.Exec("dir", Short, "ip", "rule", "show").StandardOutput;
        var yaml = """
            director:
              interface: eth0
              address: 10.77.0.2/24
            virtual_services:
              - protocol: tcp
                address: fd77::100
                port: 80
                scheduler: rr
                health_check:
                  delay_loop: 1s
                  connect_timeout: 1s
                  retry: 1
                  delay_before_retry: 1s
                  warmup: 0
                  checks:
                    - type: tcp
                      via_vip: true
                real_servers:
                  - address: fd77::b
                  - address: fd77::c
            """;
        var daemon = DaemonProcess.Start(lab, yaml);
        try
        {
            var installed = daemon.WaitForEvent("ProbeRouteInstalled", Short);
            var deadline = DateTime.UtcNow + Short;
            while (daemon.Events("ProbeRouteInstalled").Count < 2)
            {
                Assert.True(DateTime.UtcNow < deadline, daemon.Log);
                Thread.Sleep(100);
            }

            var rules = lab.Exec("dir", Short, "ip", "-6", "rule", "show").StandardOutput;
            Assert.True(Regex.Count(rules, @"^19542:\s+from all fwmark 0x4c56000[01] lookup 31267[23]", RegexOptions.Multiline) == 2, rules);
            var routes = lab.Exec("dir", Short, "ip", "-6", "route", "show", "table", "all").StandardOutput;
            Assert.Matches(@"fd77::100 via fd77::b dev eth0 table 31267[23]", routes);
            Assert.Matches(@"fd77::100 via fd77::c dev eth0 table 31267[23]", routes);
            Assert.Equal(new Dictionary<string, int> { ["rs1"] = 2, ["rs2"] = 2 }, Requests(lab, "http://[fd77::100]/", 4));

            // rs1 loses the VIP from lo: its own address still answers, the probe through the VIP fails.
            Assert.Equal(0, lab.Exec("rs1", Short, "ip", "-6", "addr", "del", "fd77::100/128", "dev", "lo").ExitCode);
            var down = daemon.WaitForEvent("RealServerDown", Short);
            Assert.Equal("[fd77::b]:80", Property(down, "Server"));
            Assert.Equal(new Dictionary<string, int> { ["rs2"] = 3 }, Requests(lab, "http://[fd77::100]/", 3));

            Assert.Equal(0, lab.Exec("rs1", Short, "ip", "-6", "addr", "add", "fd77::100/128", "dev", "lo").ExitCode);
            daemon.WaitForEvent("RealServerUp", Short);

            // Stopping the daemon removes what it added, and only that.
            var (_, code) = daemon.Stop(TimeSpan.FromSeconds(10));
            Assert.Equal(0, code);
            var rulesAfter = lab.Exec("dir", Short, "ip", "-6", "rule", "show").StandardOutput;
            Assert.DoesNotContain("19542:", rulesAfter, StringComparison.Ordinal);
            Assert.Contains("19000:\tfrom all fwmark 0x77 lookup 777", rulesAfter, StringComparison.Ordinal);
            Assert.DoesNotContain("fd77::100 via", lab.Exec("dir", Short, "ip", "-6", "route", "show", "table", "all").StandardOutput, StringComparison.Ordinal);
            Assert.Equal(rules4Before, lab.Exec("dir", Short, "ip", "rule", "show").StandardOutput);
            Assert.NotEqual(default, installed);
        }
        finally
        {
            daemon.Dispose();
        }
    }
}
