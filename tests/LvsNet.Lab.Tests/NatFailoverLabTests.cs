using System.Diagnostics;
using System.Security.Cryptography;
using LvsNet.Testing;
using Xunit;
using Xunit.Abstractions;
using static LvsNet.Lab.Tests.HaLabTools;

namespace LvsNet.Lab.Tests;

/// <summary>
/// Two directors with keepalived, NAT and FULLNAT: the NAT real servers' default gateway is a
/// floating address (10.77.0.254) that only the master answers; FULLNAT's local address moves the
/// same way and its connections carry their local port in the sync. The master is killed
/// (SIGKILL) during a long download, a keep-alive connection, a keep-alive wrk run and a stream of
/// new connections; persistence templates must hold across the takeover. Separately, the master's
/// link goes down and comes back (failover, then failback).
/// </summary>
[Trait("Category", "Lab")]
public class NatFailoverLabTests
{
    private const string Gateway = "10.77.0.254";
    private const string SecondClient = "10.77.0.20";
    private readonly ITestOutputHelper _output;

    public NatFailoverLabTests(ITestOutputHelper output) => _output = output;

    [RequiresRootTheory]
    [InlineData("nat")]
    [InlineData("fullnat")]
    public void MasterKilled_DownloadKeepAliveAndPersistenceSurvive(string mode)
    {
        var total = Stopwatch.StartNew();
        using var lab = Lab.Up(realServers: 2, mode: mode, directors: 2);
        using var pair = new Pair(lab, mode, _output);
        var sha = pair.ServeDownload();
        pair.Start();

        // Persistence: the second client address lands on one server, the first on the other (rr); both must stay after the takeover.
        var second = Curl(lab, "--interface", SecondClient, $"http://{Vip}:8080/");
        var first = Curl(lab, $"http://{Vip}:8080/");
        Assert.NotEqual(first, second);

        var download = pair.Download(rate: 3_000_000);
        var keepAlive = lab.Start("client", "python3", "-c", KeepAliveScript());
        var wrk = lab.Start("client", "wrk", "-t1", "-c4", "-d16s", "--timeout", "10s", $"http://{Vip}/");
        var probe = lab.Start("client", "bash", "-c", ProbeScript());
        pair.Started.AddRange([download, keepAlive, wrk, probe]);

        Thread.Sleep(3500);
        var synced = Adm(pair.Socket2, "-L", "-n", "-c").StandardOutput;
        _output.WriteLine("backup's table before the kill:\n" + synced);
        Assert.Contains(":8081", synced, StringComparison.Ordinal);

        var killedAt = KillAll(lab, "dir", Path.Combine(pair.Work, "k1-vrrp.pid"));
        WaitForRole(pair.Socket2, "MASTER", TimeSpan.FromSeconds(10));
        var roleAt = DateTimeOffset.UtcNow;

        var (code, keepAliveResult, wrkOutput, probeLines) = Collect(download, keepAlive, wrk, probe);
        _output.WriteLine($"{mode}: download exit {download.ExitCode}, HTTP {code}; keep-alive: {keepAliveResult.Trim()}\nwrk:\n{wrkOutput}");
        Assert.Equal(0, download.ExitCode);
        Assert.Equal("200", code);
        Assert.Equal(sha, pair.DownloadedSha());
        Assert.True(keepAliveResult.StartsWith("ok same-connection", StringComparison.Ordinal), $"keep-alive: {keepAliveResult}\n{Adm(pair.Socket2, "status").StandardOutput}");
        var errors = WrkErrors(wrkOutput);
        Assert.True(errors.Requests > 0, wrkOutput);
        Assert.True(errors is { Connect: 0, Read: 0, Write: 0 }, $"wrk saw socket errors (a reset is a read error):\n{wrkOutput}");

        var (takeover, failedAfter, summary) = Takeover(probeLines, killedAt);
        _output.WriteLine($"{mode} takeover: role MASTER on dir2 {(roleAt - killedAt).TotalSeconds:F2} s after the kill (polled), {summary}");
        Assert.True(takeover < TimeSpan.FromSeconds(3.61 + 0.5 + 0.55 + 0.8), $"new connections came back only {takeover.TotalSeconds:F2} s after the kill");
        Assert.Equal(0, failedAfter);

        // The templates came with the sync: each client address goes on to its server on the new master.
        Assert.Equal(second, Curl(lab, "--interface", SecondClient, $"http://{Vip}:8080/"));
        Assert.Equal(first, Curl(lab, $"http://{Vip}:8080/"));
        _output.WriteLine($"persistence: {SecondClient} → {second}, 10.77.0.10 → {first}, before and after; lab test took {total.Elapsed.TotalSeconds:F1} s");
    }

    [RequiresRootTheory]
    [InlineData("nat")]
    [InlineData("fullnat")]
    public void MasterLinkDown_BackupTakesOver_ThenFailback_KeepAliveAndDownloadSurvive(string mode)
    {
        using var lab = Lab.Up(realServers: 2, mode: mode, directors: 2);
        using var pair = new Pair(lab, mode, _output);
        var sha = pair.ServeDownload();
        pair.Start();

        // About 20 s of download and 30 s of keep-alive: both span the failover and the failback.
        var download = pair.Download(rate: 1_200_000);
        var keepAlive = lab.Start("client", "python3", "-c", KeepAliveScript(requests: 250));
        var probe = lab.Start("client", "bash", "-c", ProbeScript(seconds: 12));
        pair.Started.AddRange([download, keepAlive, probe]);
        Thread.Sleep(3500);

        // The master's port on the segment goes down: keepalived there sees no carrier (FAULT), its adverts stop.
        var downAt = DateTimeOffset.UtcNow;
        Assert.Equal(0, lab.Exec("sw", Short, "ip", "link", "set", "lvt-dir", "down").ExitCode);
        WaitForRole(pair.Socket2, "MASTER", TimeSpan.FromSeconds(10));
        WaitForRole(pair.Socket1, "FAULT", TimeSpan.FromSeconds(10));
        var roleAt = DateTimeOffset.UtcNow;
        Assert.True(probe.WaitForExit(30_000));
        var (takeover, failedAfter, summary) = Takeover(probe.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries), downAt);
        _output.WriteLine($"{mode} link down: dir2 MASTER {(roleAt - downAt).TotalSeconds:F2} s after (polled), {summary}");
        Assert.True(takeover < TimeSpan.FromSeconds(3.61 + 0.5 + 0.55 + 0.8), $"new connections came back only {takeover.TotalSeconds:F2} s after the link went down");
        Assert.Equal(0, failedAfter);

        // Failback: the link comes back, priority 150 preempts, the roles swap back.
        var upAt = Stopwatch.StartNew();
        Assert.Equal(0, lab.Exec("sw", Short, "ip", "link", "set", "lvt-dir", "up").ExitCode);
        WaitForRole(pair.Socket1, "MASTER", TimeSpan.FromSeconds(15));
        WaitForRole(pair.Socket2, "BACKUP", TimeSpan.FromSeconds(5));
        _output.WriteLine($"{mode} failback: dir MASTER again {upAt.Elapsed.TotalSeconds:F2} s after the link came up");

        Assert.True(download.WaitForExit(60_000), "the download did not end");
        Assert.True(keepAlive.WaitForExit(60_000), "the keep-alive run did not end");
        var code = download.StandardOutput.ReadToEnd().Trim();
        var keepAliveResult = keepAlive.StandardOutput.ReadToEnd() + keepAlive.StandardError.ReadToEnd();
        _output.WriteLine($"download: exit {download.ExitCode}, HTTP {code}; keep-alive: {keepAliveResult.Trim()}");
        Assert.Equal(0, download.ExitCode);
        Assert.Equal("200", code);
        Assert.Equal(sha, pair.DownloadedSha());
        Assert.True(keepAliveResult.StartsWith("ok same-connection", StringComparison.Ordinal), $"keep-alive: {keepAliveResult}");
        Assert.Equal(4, lab.Requests(4).Where(kv => kv.Key.StartsWith("rs", StringComparison.Ordinal)).Sum(kv => kv.Value));
    }

    private static string Curl(Lab lab, params string[] args)
    {
        var result = lab.Exec("client", Short, ["curl", "-sS", "--max-time", "3", .. args]);
        Assert.Equal(0, result.ExitCode);
        return result.StandardOutput.Trim();
    }

    private static (string Code, string KeepAlive, string Wrk, string[] Probe) Collect(Process download, Process keepAlive, Process wrk, Process probe)
    {
        Assert.True(download.WaitForExit(60_000), "the download did not end within 60 s");
        Assert.True(keepAlive.WaitForExit(30_000), "the keep-alive run did not end");
        Assert.True(wrk.WaitForExit(30_000), "wrk did not end");
        Assert.True(probe.WaitForExit(30_000), "the new-connection probe did not end");
        return (download.StandardOutput.ReadToEnd().Trim(),
            keepAlive.StandardOutput.ReadToEnd() + keepAlive.StandardError.ReadToEnd(),
            wrk.StandardOutput.ReadToEnd() + wrk.StandardError.ReadToEnd(),
            probe.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>The two directors of one test: their daemons, keepalived, the processes started, the work directory.</summary>
    private sealed class Pair : IDisposable
    {
        private readonly Lab _lab;
        private readonly string _mode;
        private readonly ITestOutputHelper _output;
        private DaemonProcess? _d1;
        private DaemonProcess? _d2;

        public Pair(Lab lab, string mode, ITestOutputHelper output)
        {
            _lab = lab;
            _mode = mode;
            _output = output;
            Work = Directory.CreateTempSubdirectory("lvt-ha-").FullName;
            Socket1 = Path.Combine(Work, "d1.sock");
            Socket2 = Path.Combine(Work, "d2.sock");

            // A second client address, for the persistence check.
            Assert.Equal(0, lab.Exec("client", Short, "ip", "addr", "add", SecondClient + "/24", "dev", "eth0").ExitCode);
            if (mode == "nat")
            {
                // The real servers answer through the floating gateway, which moves with the MASTER role.
                foreach (var rs in new[] { "rs1", "rs2" })
                {
                    foreach (var route in new[] { "default", "10.77.0.10/32", SecondClient + "/32" })
                    {
                        Assert.Equal(0, lab.Exec(rs, Short, "ip", "route", "replace", route, "via", Gateway, "dev", "eth0").ExitCode);
                    }
                }
            }
        }

        public string Work { get; }

        public string Socket1 { get; }

        public string Socket2 { get; }

        public List<Process> Started { get; } = [];

        /// <summary>A 24 MiB file on port 8081 of both real servers (same bytes); returns its SHA-256.</summary>
        public string ServeDownload()
        {
            var www = Path.Combine(Work, "www");
            Directory.CreateDirectory(www);
            var content = RandomNumberGenerator.GetBytes(24 << 20);
            File.WriteAllBytes(Path.Combine(www, "big.bin"), content);
            foreach (var rs in new[] { "rs1", "rs2" })
            {
                Started.Add(_lab.Start(rs, "python3", "-m", "http.server", "8081", "--bind", "0.0.0.0", "--directory", www));
            }

            return Convert.ToHexStringLower(SHA256.HashData(content));
        }

        /// <summary>Both daemons, then keepalived on both; waits for dir MASTER, dir2 BACKUP, and checks traffic through the master.</summary>
        public void Start()
        {
            _d1 = DaemonProcess.StartIn(_lab, "dir", Yaml("10.77.0.2"), new Dictionary<string, string>(), "--socket", Socket1);
            _d2 = DaemonProcess.StartIn(_lab, "dir2", Yaml("10.77.0.3"), new Dictionary<string, string>(), "--socket", Socket2);
            var adm = WriteAdmWrapper(Work);
            StartKeepalived(_lab, "dir", Work, 1, priority: 150, Socket1, adm, Started);
            StartKeepalived(_lab, "dir2", Work, 2, priority: 100, Socket2, adm, Started);
            WaitForRole(Socket1, "MASTER", TimeSpan.FromSeconds(15));
            WaitForRole(Socket2, "BACKUP", TimeSpan.FromSeconds(5));
            var answers = _lab.Requests(4);
            _output.WriteLine($"{_mode} through the master: {string.Join(", ", answers.Select(kv => $"{kv.Key}={kv.Value}"))}");
            Assert.Equal(new Dictionary<string, int> { ["rs1"] = 2, ["rs2"] = 2 }, answers);
        }

        public Process Download(int rate) =>
            _lab.Start("client", "curl", "-sS", "--limit-rate", rate.ToString(System.Globalization.CultureInfo.InvariantCulture), "--max-time", "60",
                "-o", Path.Combine(Work, "got.bin"), "-w", "%{http_code}", $"http://{Vip}:8081/big.bin");

        public string DownloadedSha() => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(Work, "got.bin"))));

        public void Dispose()
        {
            // Everything this test started, by process id; each step on its own so that one failure does not leave the rest running.
            foreach (var process in Started)
            {
                Quietly(() => Lab.Stop(process));
            }

            Quietly(() => _d1?.Dispose());
            Quietly(() => _d2?.Dispose());
            Quietly(() => Directory.Delete(Work, recursive: true));
        }

        private string Yaml(string address)
        {
            var method = _mode == "nat" ? "nat" : "fullnat";
            var pool = _mode == "fullnat" ? "\n    local_addresses: [10.77.0.50]\n    toa: true" : string.Empty;
            string Service(int port, string extra) =>
                $"""
                  - protocol: tcp
                    address: {Vip}
                    port: {port}
                    scheduler: rr{pool}{extra}
                    real_servers:
                      - address: 10.77.0.11
                        method: {method}
                      - address: 10.77.0.12
                        method: {method}

                """;
            return $"""
                director:
                  interface: eth0
                  address: {address}/24
                high_availability:
                  initial_role: backup
                  floating_addresses: [{Gateway}]
                  sync_daemon:
                    mode: follow_role
                virtual_services:

                """ + Service(80, string.Empty) + Service(8081, string.Empty) + Service(8080, "\n    persistence_timeout: 300s");
        }
    }
}
