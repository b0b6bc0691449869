using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.Lab.Tests;

/// <summary>
/// Health checks end to end: the real lvsnetd checks the lab's nginx real servers from the
/// director's namespace, and a real server whose nginx is stopped (through the lab's pid file)
/// leaves the pool while wrk and curl clients keep going. Every load is bounded in time.
/// </summary>
[Trait("Category", "Lab")]
public class HealthLabTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(30);

    // delay_loop 1 s, retry 2, delay_before_retry 1 s: the issue's bound for moving new connections
    // is delay_loop x retry + one interval = 3 s (plus the 5% delay_loop jitter and the time a
    // refused connect takes).
    private static readonly TimeSpan DelayLoop = TimeSpan.FromSeconds(1);
    private const int Retry = 2;
    private static readonly TimeSpan FailoverBound = (DelayLoop * Retry) + DelayLoop;

    private static string Config(string realServers = "      - address: 10.77.0.11\n      - address: 10.77.0.12\n      - address: 10.77.0.13\n", string health = "", string service = "", string check = "        - type: http_get\n          path: /health\n          body_contains: ok\n") =>
        $"""
        director:
          interface: eth0
          address: 10.77.0.2/24
        virtual_services:
          - name: web
            protocol: tcp
            address: 10.77.0.100
            port: 80
            scheduler: rr
            health_check:
              delay_loop: {DelayLoop.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s
              connect_timeout: 1s
              retry: {Retry}
              delay_before_retry: 1s
              warmup: 0
        {health}      checks:
        {check}{service}    real_servers:
        {realServers}
        """;

    private static string CliDll =>
        Path.Combine(TestEnvironment.RepositoryRoot, "src", "LvsNet.Cli", "bin", Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(DaemonProcess.DaemonDll)!)!), "net10.0", "lvsnetadm.dll");

    private static DateTimeOffset TimeOf(JsonElement logEvent) =>
        DateTimeOffset.Parse(logEvent.GetProperty("@t").GetString()!, CultureInfo.InvariantCulture);

    private static string Message(JsonElement logEvent) => logEvent.GetProperty("@m").GetString()!;

    private static string Property(JsonElement logEvent, string name) => logEvent.GetProperty(name).ToString();

    /// <summary>Waits for the <paramref name="count"/>-th event of a name (events accumulate over the daemon's life).</summary>
    private static JsonElement WaitForNth(DaemonProcess daemon, string name, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var events = daemon.Events(name);
            if (events.Count >= count)
            {
                return events[count - 1];
            }

            Thread.Sleep(50);
        }

        throw new TimeoutException($"no {name} event #{count} within {timeout}:\n{daemon.Log}");
    }

    private static string PidFile(Lab lab, int server) => lab.Env[$"LVT_RS{server}_PIDFILE"];

    /// <summary>Stops the lab's nginx of rsK by the pid in the lab's own pid file (TERM, fast shutdown) and waits until it is gone.</summary>
    private static void StopNginx(Lab lab, int server)
    {
        var pid = int.Parse(File.ReadAllText(PidFile(lab, server)).Trim(), CultureInfo.InvariantCulture);
        var commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        Assert.True(commandLine.StartsWith("nginx: master process", StringComparison.Ordinal) && commandLine.Contains(Path.GetDirectoryName(PidFile(lab, server))!, StringComparison.Ordinal), $"pid {pid} is not the lab's nginx: {commandLine}");
        Assert.Equal(0, ProcessResult.Run("kill", ["-TERM", pid.ToString(CultureInfo.InvariantCulture)], Short).ExitCode);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (lab.Exec($"rs{server}", Short, "curl", "-s", "--max-time", "1", "http://127.0.0.1/health").ExitCode == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"nginx of rs{server} still answers");
            Thread.Sleep(50);
        }
    }

    /// <summary>Starts rsK's nginx again exactly as lab.sh does (same configuration from the lab's state dir) and waits until it answers.</summary>
    private static void StartNginx(Lab lab, int server)
    {
        var directory = Path.GetDirectoryName(PidFile(lab, server))!;
        var result = lab.Exec($"rs{server}", Short, "nginx", "-e", Path.Combine(directory, "error.log"), "-p", directory + "/", "-c", Path.Combine(directory, "nginx.conf"));
        Assert.True(result.ExitCode == 0, result.Output);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (lab.Exec($"rs{server}", Short, "curl", "-s", "--max-time", "1", "http://127.0.0.1/health").StandardOutput != "ok")
        {
            Assert.True(DateTime.UtcNow < deadline, $"nginx of rs{server} does not answer after a restart");
            Thread.Sleep(50);
        }
    }

    [RequiresRootFact]
    public void StopNginx_UnderWrkLoad_NewConnectionsMoveWithinTheBound_NoErrorsAfterwards_AndTheServerComesBack()
    {
        using var lab = Lab.Up(realServers: 3);
        using var daemon = DaemonProcess.Start(lab, Config());
        WaitForNth(daemon, "HealthMonitorStarted", 1, Short);
        Assert.Equal(new Dictionary<string, int> { ["rs1"] = 3, ["rs2"] = 3, ["rs3"] = 3 }, lab.Requests(9, maxTimeSeconds: 2));

        // Bounded load: wrk for 12 s, and a probe that opens a new connection every 50 ms for 11 s,
        // printing when it started and who answered. The probe's limit (3 s) lets TCP retransmit a
        // SYN that the saturated box lost once (the first retransmission is after 1 s): such a probe
        // is still a connection that went to a live server, which is what this test is about; a
        // probe scheduled to the stopped server is refused at once and fails with curl's exit code 7.
        var wrk = lab.Start("client", "wrk", "-t2", "-c8", "-d12s", "--timeout", "2s", $"http://{lab.Vip}/");
        var probe = lab.Start("client", "bash", "-c",
            $"end=$((SECONDS+11)); while [ $SECONDS -lt $end ]; do t=$(date +%s.%N); r=$(curl -s --max-time 3 http://{lab.Vip}/ || echo FAILED-curl-exit-$?); echo \"$t $r\"; sleep 0.05; done");
        try
        {
            var probeOutput = probe.StandardOutput.ReadToEndAsync();
            var wrkOutput = wrk.StandardOutput.ReadToEndAsync();
            Thread.Sleep(2500);

            var stoppedAt = DateTimeOffset.UtcNow;
            StopNginx(lab, 1);
            var down = WaitForNth(daemon, "RealServerDown", 1, Short);
            var removedAt = TimeOf(down);
            Assert.Equal(("10.77.0.11:80", "removed from the pool"), (Property(down, "Server"), Property(down, "Action")));
            Assert.Equal("http_get /health: connection refused (3 consecutive failures)", Property(down, "Reason"));
            Assert.True(removedAt - stoppedAt <= FailoverBound + TimeSpan.FromMilliseconds(500), $"rs1 left the pool {(removedAt - stoppedAt).TotalSeconds:0.000} s after nginx stopped (bound {FailoverBound.TotalSeconds} s)");
            Assert.Equal(Retry, daemon.Events("HealthCheckFailed").Count(e => Message(e).Contains("10.77.0.11:80", StringComparison.Ordinal)));

            Assert.True(probe.WaitForExit(30_000) && wrk.WaitForExit(30_000), "the bounded clients finished");
            var samples = probeOutput.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => l.Split(' ', 2))
                .Select(p => (At: DateTimeOffset.FromUnixTimeMilliseconds((long)(double.Parse(p[0], CultureInfo.InvariantCulture) * 1000)), Answer: p[1].Trim()))
                .ToList();
            var before = samples.Where(s => s.At < stoppedAt).ToList();
            var after = samples.Where(s => s.At > removedAt).ToList();
            Assert.Contains(before, s => s.Answer == "rs1");
            Assert.True(after.Count >= 30, $"only {after.Count} probes after the failover");
            Assert.All(after, s => Assert.True(s.Answer is "rs2" or "rs3", $"new connection at {s.At:HH:mm:ss.fff} (rs1 removed at {removedAt:HH:mm:ss.fff}) got '{s.Answer}'"));
            output.WriteLine($"nginx stopped at {stoppedAt:HH:mm:ss.fff}, rs1 removed at {removedAt:HH:mm:ss.fff} ({(removedAt - stoppedAt).TotalSeconds:0.000} s; bound {FailoverBound.TotalSeconds} s); probes: {before.Count} before, {samples.Count - before.Count - after.Count} during, {after.Count} after (all rs2/rs3); failed probes during: {samples.Count(s => s.At >= stoppedAt && s.At <= removedAt && s.Answer.StartsWith("FAILED", StringComparison.Ordinal))}");
            var wrkText = wrkOutput.Result;
            output.WriteLine("wrk during the failover: " + string.Join(" | ", wrkText.Split('\n').Where(l => l.Contains("requests in", StringComparison.Ordinal) || l.Contains("Socket errors", StringComparison.Ordinal) || l.Contains("Non-2xx", StringComparison.Ordinal)).Select(l => l.Trim())));
            var requests = long.Parse(Regex.Match(wrkText, @"(\d+) requests in").Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.True(requests > 1000, wrkText);
        }
        finally
        {
            Lab.Stop(probe);
            Lab.Stop(wrk);
        }

        // After the failover, a fresh bounded wrk run sees no error at all.
        var clean = lab.Exec("client", Short, "wrk", "-t2", "-c8", "-d3s", "--timeout", "2s", $"http://{lab.Vip}/");
        Assert.True(clean.ExitCode == 0, clean.Output);
        Assert.DoesNotContain("Socket errors", clean.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("Non-2xx", clean.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(new Dictionary<string, int> { ["rs2"] = 3, ["rs3"] = 3 }, lab.Requests(6, maxTimeSeconds: 2));

        // nginx comes back: one successful check (rise 1) puts rs1 back in the pool.
        var restartedAt = DateTimeOffset.UtcNow;
        StartNginx(lab, 1);
        var up = WaitForNth(daemon, "RealServerUp", 1, Short);
        Assert.Equal(("10.77.0.11:80", "in the pool with weight 1"), (Property(up, "Server"), Property(up, "Action")));
        output.WriteLine($"nginx restarted, rs1 back in the pool after {(TimeOf(up) - restartedAt).TotalSeconds:0.000} s; clean wrk: {Regex.Match(clean.StandardOutput, @"\d+ requests in [^\n]*").Value}");
        Assert.True(TimeOf(up) - restartedAt <= DelayLoop + TimeSpan.FromSeconds(1.5), $"rs1 came back {(TimeOf(up) - restartedAt).TotalSeconds:0.000} s after nginx restarted");
        Assert.Equal(new Dictionary<string, int> { ["rs1"] = 3, ["rs2"] = 3, ["rs3"] = 3 }, lab.Requests(9, maxTimeSeconds: 2));
    }

    [RequiresRootFact]
    public void InhibitOnFailure_DownServerStaysListedAtWeight0_AndGetsItsWeightBack()
    {
        using var lab = Lab.Up(realServers: 2);
        var socket = Path.Combine(Path.GetTempPath(), $"lvt-{lab.Id}.sock");
        using var daemon = DaemonProcess.Start(lab, Config("      - address: 10.77.0.11\n        weight: 3\n      - address: 10.77.0.12\n", health: "      inhibit_on_failure: true\n"), "--socket", socket);
        daemon.WaitForEvent("ControlListening", Short);
        string List()
        {
            var result = ProcessResult.Run("dotnet", [CliDll, "--socket", socket, "-L", "-n"], Short);
            Assert.True(result.ExitCode == 0, result.Output);
            return result.StandardOutput;
        }

        Assert.Matches(@"\n  -> 10\.77\.0\.11:80 +Route +3 ", List());
        StopNginx(lab, 1);
        var down = daemon.WaitForEvent("RealServerDown", Short);
        Assert.Equal("inhibited: kept in the pool with weight 0 (inhibit_on_failure)", Property(down, "Action"));
        var listing = List();
        Assert.Matches(@"\n  -> 10\.77\.0\.11:80 +Route +0 ", listing);
        Assert.Matches(@"\n  -> 10\.77\.0\.12:80 +Route +1 ", listing);
        Assert.Equal(new Dictionary<string, int> { ["rs2"] = 4 }, lab.Requests(4, maxTimeSeconds: 2));

        StartNginx(lab, 1);
        daemon.WaitForEvent("RealServerUp", Short);
        Assert.Matches(@"\n  -> 10\.77\.0\.11:80 +Route +3 ", List());
    }

    [RequiresRootFact]
    public void EveryServerDown_TheSorryServerAnswers_UntilTheQuorumReturns()
    {
        using var lab = Lab.Up(realServers: 3);
        var sorry = "    sorry_server:\n      address: 10.77.0.13\n";
        using var daemon = DaemonProcess.Start(lab, Config("      - address: 10.77.0.11\n      - address: 10.77.0.12\n", service: sorry));
        var initial = daemon.WaitForEvent("QuorumInitial", Short);
        Assert.Equal("up", Property(initial, "State"));
        Assert.Equal(new Dictionary<string, int> { ["rs1"] = 2, ["rs2"] = 2 }, lab.Requests(4, maxTimeSeconds: 2));

        StopNginx(lab, 1);
        WaitForNth(daemon, "RealServerDown", 1, Short);
        Assert.Equal(new Dictionary<string, int> { ["rs2"] = 3 }, lab.Requests(3, maxTimeSeconds: 2));
        StopNginx(lab, 2);
        var lost = daemon.WaitForEvent("QuorumLost", Short);
        Assert.Equal(("TCP 10.77.0.100:80", "10.77.0.13:80", "0"), (Property(lost, "Service"), Property(lost, "SorryServer"), Property(lost, "LiveWeight")));
        Assert.Equal(new Dictionary<string, int> { ["rs3"] = 4 }, lab.Requests(4, maxTimeSeconds: 2));

        StartNginx(lab, 2);
        var gained = daemon.WaitForEvent("QuorumGained", Short);
        Assert.Equal(("10.77.0.13:80", "1"), (Property(gained, "SorryServer"), Property(gained, "LiveWeight")));
        Assert.Equal(new Dictionary<string, int> { ["rs2"] = 4 }, lab.Requests(4, maxTimeSeconds: 2));
    }

    [RequiresRootFact]
    public void ViaVip_ProbesTheVipThroughTheRealServer_AServerThatLostTheVipGoesDown()
    {
        using var lab = Lab.Up(realServers: 2);
        var daemon = DaemonProcess.Start(lab, Config("      - address: 10.77.0.11\n      - address: 10.77.0.12\n", check: "        - type: tcp\n          via_vip: true\n"));
        try
        {
            WaitForNth(daemon, "ProbeRouteInstalled", 2, Short);
            var rules = lab.Exec("dir", Short, "ip", "rule", "show").StandardOutput;
            Assert.True(Regex.Count(rules, @"^19542:\s+from all fwmark 0x4c56000[01] lookup 31267[23]", RegexOptions.Multiline) == 2, rules);
            Assert.Contains("10.77.0.100 via 10.77.0.11 dev eth0", lab.Exec("dir", Short, "ip", "route", "show", "table", "312672").StandardOutput, StringComparison.Ordinal);
            Assert.Equal(new Dictionary<string, int> { ["rs1"] = 2, ["rs2"] = 2 }, lab.Requests(4, maxTimeSeconds: 2));

            // rs1's nginx still answers on its own address, but rs1 no longer holds the VIP: a
            // check of the RIP would pass, the check through the VIP fails.
            Assert.Equal(0, lab.Exec("rs1", Short, "ip", "addr", "del", $"{lab.Vip}/32", "dev", "lo").ExitCode);
            var down = daemon.WaitForEvent("RealServerDown", Short);
            Assert.Equal(("10.77.0.11:80", "tcp: timed out after 1s (3 consecutive failures)"), (Property(down, "Server"), Property(down, "Reason")));
            Assert.Equal("rs1", lab.Exec("dir", Short, "curl", "-s", "--max-time", "2", "http://10.77.0.11/").StandardOutput.Trim());
            Assert.Equal(new Dictionary<string, int> { ["rs2"] = 4 }, lab.Requests(4, maxTimeSeconds: 2));

            Assert.Equal(0, lab.Exec("rs1", Short, "ip", "addr", "add", $"{lab.Vip}/32", "dev", "lo").ExitCode);
            daemon.WaitForEvent("RealServerUp", Short);
            Assert.Equal(new Dictionary<string, int> { ["rs1"] = 2, ["rs2"] = 2 }, lab.Requests(4, maxTimeSeconds: 2));

            // Stopping the daemon removes its rules and routes.
            var (_, code) = daemon.Stop(TimeSpan.FromSeconds(10));
            Assert.Equal(0, code);
            Assert.DoesNotContain("19542:", lab.Exec("dir", Short, "ip", "rule", "show").StandardOutput, StringComparison.Ordinal);
            Assert.Empty(lab.Exec("dir", Short, "ip", "route", "show", "table", "312672").StandardOutput.Trim());
        }
        finally
        {
            daemon.Dispose();
        }
    }

    [RequiresRootFact]
    public void Nat_ChecksFromTheDirectorReachNatServers_AStoppedServerLeavesThePool()
    {
        using var lab = Lab.Up(realServers: 2, mode: "nat");
        using var daemon = DaemonProcess.Start(lab, Config("      - address: 10.77.0.11\n        port: 8080\n        method: nat\n      - address: 10.77.0.12\n        port: 8080\n        method: nat\n"));
        WaitForNth(daemon, "HealthMonitorStarted", 1, Short);
        Assert.Equal(new Dictionary<string, int> { ["rs1"] = 2, ["rs2"] = 2 }, lab.Requests(4, maxTimeSeconds: 2));

        StopNginx(lab, 2);
        var down = daemon.WaitForEvent("RealServerDown", Short);
        Assert.Equal(("10.77.0.12:8080", "removed from the pool"), (Property(down, "Server"), Property(down, "Action")));
        Assert.Equal(new Dictionary<string, int> { ["rs1"] = 4 }, lab.Requests(4, maxTimeSeconds: 2));

        StartNginx(lab, 2);
        daemon.WaitForEvent("RealServerUp", Short);
        Assert.Equal(new Dictionary<string, int> { ["rs1"] = 2, ["rs2"] = 2 }, lab.Requests(4, maxTimeSeconds: 2));
    }
}
