using System.Globalization;
using System.Text.RegularExpressions;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.Lab.Tests;

/// <summary>
/// End to end in network namespaces: real lvsnetd (libpcap) on the director, real nginx real
/// servers with the VIP on lo (arp_ignore/arp_announce), real curl and wrk clients. No static
/// neighbour entries anywhere: the client resolves the VIP through the daemon's ARP replies and
/// the daemon resolves the real servers itself.
/// </summary>
[Trait("Category", "Lab")]
public class DirectRoutingLabTests
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(30);

    /// <summary>The lab's web service on VIP:80 with rs1 and rs2, for every forwarding method.</summary>
    internal static string Config(string scheduler, int weight1 = 1, int weight2 = 1, string extra = "", string method = "dr", int realPort = 80) =>
        $"""
        director:
          interface: eth0
          address: 10.77.0.2/24
        {extra}
        virtual_services:
          - name: web
            protocol: tcp
            address: 10.77.0.100
            port: 80
            scheduler: {scheduler}
            real_servers:
              - address: 10.77.0.11
                port: {realPort}
                weight: {weight1}
                method: {method}
              - address: 10.77.0.12
                port: {realPort}
                weight: {weight2}
                method: {method}
        """;

    [RequiresRootFact]
    public void RoundRobin_100SequentialRequests_SplitExactly50_50()
    {
        using var lab = Lab.Up();
        using var daemon = DaemonProcess.Start(lab, Config("rr"));
        var answers = lab.Requests(100);
        Assert.Equal(50, answers.GetValueOrDefault("rs1"));
        Assert.Equal(50, answers.GetValueOrDefault("rs2"));

        var (elapsed, code) = daemon.Stop(TimeSpan.FromSeconds(10));
        Assert.Equal(0, code);
        var stats = daemon.ServerStatistics();
        Assert.Equal(50, stats["10.77.0.11:80"].GetProperty("Connections").GetInt64());
        Assert.Equal(50, stats["10.77.0.12:80"].GetProperty("Connections").GetInt64());
        Assert.Equal(0, stats["10.77.0.11:80"].GetProperty("OutPackets").GetInt64());
        Assert.True(elapsed < TimeSpan.FromSeconds(2), $"SIGTERM to exit took {elapsed}");
    }

    [RequiresRootFact]
    public void WeightedRoundRobin_3To1_Splits75_25()
    {
        using var lab = Lab.Up();
        using var daemon = DaemonProcess.Start(lab, Config("wrr", 3, 1));
        var answers = lab.Requests(100);
        Assert.Equal(75, answers.GetValueOrDefault("rs1"));
        Assert.Equal(25, answers.GetValueOrDefault("rs2"));
    }

    [RequiresRootFact]
    public void Wrk_TenSeconds_NoSocketErrorsNoNon2xx()
    {
        using var lab = Lab.Up();
        using var daemon = DaemonProcess.Start(lab, Config("rr"));
        var result = lab.Exec("client", TimeSpan.FromSeconds(40), "wrk", "-t2", "-c16", "-d10s", "--timeout", "3s", $"http://{lab.Vip}/");
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.DoesNotContain("Socket errors", result.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("Non-2xx", result.StandardOutput, StringComparison.Ordinal);
        var requests = long.Parse(Regex.Match(result.StandardOutput, @"(\d+) requests in").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(requests > 1000, result.StandardOutput);

        daemon.Stop(TimeSpan.FromSeconds(10));
        var stats = daemon.ServerStatistics();
        var conns1 = stats["10.77.0.11:80"].GetProperty("InPackets").GetInt64();
        var conns2 = stats["10.77.0.12:80"].GetProperty("InPackets").GetInt64();
        Assert.True(conns1 > 0 && conns2 > 0, $"both servers get traffic: {conns1} / {conns2}");
    }

    [RequiresRootFact]
    public void Replies_BypassTheDirector_AndForwardedFramesCarryTheDrRewrite()
    {
        using var lab = Lab.Up();
        using var daemon = DaemonProcess.Start(lab, Config("rr"));
        var dirMac = lab.Env["LVT_DIR_MAC"];
        var rs1Mac = lab.Env["LVT_RS1_MAC"];

        // Capture on the director (both directions) and on rs1 while 20 requests run.
        var pcapDir = Directory.CreateTempSubdirectory("lvt-cap-").FullName;
        try
        {
            var dirCapture = lab.Start("dir", "tcpdump", "-i", "eth0", "-n", "-U", "-w", Path.Combine(pcapDir, "dir.pcap"), "tcp");
            var rsCapture = lab.Start("rs1", "tcpdump", "-i", "eth0", "-n", "-U", "-w", Path.Combine(pcapDir, "rs1.pcap"), "tcp port 80");
            Thread.Sleep(1500);
            var answers = lab.Requests(20);
            Assert.Equal(10, answers.GetValueOrDefault("rs1"));
            Thread.Sleep(500);
            foreach (var capture in new[] { dirCapture, rsCapture })
            {
                ProcessResult.Run("kill", ["-INT", capture.Id.ToString()], Short);
                capture.WaitForExit(10_000);
            }

            // On the director: no frame from a real server to the client, and nothing sent to the client.
            var dir = ProcessResult.Run("tcpdump", ["-n", "-e", "-r", Path.Combine(pcapDir, "dir.pcap")], Short).StandardOutput;
            var lines = dir.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.NotEmpty(lines);
            Assert.DoesNotContain(lines, l => l.Contains(rs1Mac + " > ", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, l => l.Contains("> 10.77.0.10.", StringComparison.Ordinal));

            // On rs1: frames to the VIP arrive from the director's MAC with TTL 63 (64 - 1).
            var rs = ProcessResult.Run("tcpdump", ["-n", "-e", "-v", "-r", Path.Combine(pcapDir, "rs1.pcap"), "dst host 10.77.0.100"], Short).StandardOutput;
            Assert.Contains($"{dirMac} > {rs1Mac}", rs, StringComparison.Ordinal);
            Assert.Contains("ttl 63", rs, StringComparison.Ordinal);
            Assert.DoesNotContain("ttl 64", rs, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(pcapDir, recursive: true);
        }
    }

    [RequiresRootFact]
    public void AfterStop_VipIsNotAnswered()
    {
        using var lab = Lab.Up();
        var daemon = DaemonProcess.Start(lab, Config("rr"));
        Assert.Equal("rs1", lab.Exec("client", Short, "curl", "-s", "--max-time", "3", $"http://{lab.Vip}/").StandardOutput.Trim());
        var (_, code) = daemon.Stop(TimeSpan.FromSeconds(10));
        daemon.Dispose();
        Assert.Equal(0, code);

        // Forget the director's MAC on the client so it has to ask again, then try.
        lab.Exec("client", Short, "ip", "neigh", "flush", "all");
        var after = lab.Exec("client", Short, "curl", "-s", "--max-time", "2", $"http://{lab.Vip}/");
        Assert.NotEqual(0, after.ExitCode);
        var addresses = lab.Exec("dir", Short, "ip", "-4", "addr", "show").StandardOutput;
        Assert.DoesNotContain("10.77.0.100", addresses, StringComparison.Ordinal);
    }

    [RequiresRootFact]
    public void Sighup_ReloadsConfig_KeepsRunningOnInvalidFile()
    {
        using var lab = Lab.Up();
        using var daemon = DaemonProcess.Start(lab, Config("rr"));
        Assert.Equal(2, lab.Requests(4).Count);

        // Weight 0 on rs2: new connections go to rs1 only.
        File.WriteAllText(daemon.ConfigPath, Config("rr", 1, 0));
        daemon.Signal("HUP");
        daemon.WaitForEvent("ConfigApplied", Short);
        var answers = lab.Requests(6);
        Assert.Equal(6, answers.GetValueOrDefault("rs1"));

        // A broken file is rejected with its errors and the running configuration stays.
        File.WriteAllText(daemon.ConfigPath, Config("rr", 1, 0).Replace("weight: 0", "weight: lots", StringComparison.Ordinal));
        daemon.Signal("HUP");
        var error = daemon.WaitForEvent("ConfigError", Short);
        Assert.Contains("virtual_services[0].real_servers[1].weight", error.GetProperty("@m").GetString(), StringComparison.Ordinal);
        Assert.Equal(4, lab.Requests(4).GetValueOrDefault("rs1"));
    }

    [RequiresRootFact]
    public void ConfigFileChange_IsAppliedWithoutASignal()
    {
        using var lab = Lab.Up();
        using var daemon = DaemonProcess.Start(lab, Config("rr"));
        Assert.Equal(2, lab.Requests(4).Count);

        // An editor's way: write a new file next to it and rename it over the old one.
        var temporary = daemon.ConfigPath + ".new";
        File.WriteAllText(temporary, Config("rr", 0, 1));
        File.Move(temporary, daemon.ConfigPath, overwrite: true);
        daemon.WaitForEvent("ConfigApplied", Short);
        Assert.Equal(6, lab.Requests(6).GetValueOrDefault("rs2"));
    }
}
