using System.Diagnostics;
using System.Security.Cryptography;
using LvsNet.Testing;
using Xunit;
using Xunit.Abstractions;
using static LvsNet.Lab.Tests.HaLabTools;

namespace LvsNet.Lab.Tests;

/// <summary>
/// Two directors with keepalived over IPv6: DR (fd77::100), FULLNAT with an IPv6 local address
/// (fd77::101 port 80 and 8081, from fd77::50) and NAT64 (fd77::101 port 81 to the IPv4 real servers,
/// from 10.77.0.50). Keep-alive connections of each method and a download of each of DR and FULLNAT
/// run while the master is killed (SIGKILL of keepalived and lvsnetd); each must go on on the same
/// socket through the new master. tshark on the segment shows the new master forwarding the same
/// client port (DR) and the same local ports (FULLNAT, NAT64) that the old master had used.
/// </summary>
[Trait("Category", "Lab")]
public class Ipv6FailoverLabTests
{
    private const string Vip6 = "fd77::100";
    private const string Vip6B = "fd77::101";
    private const string Local6 = "fd77::50";
    private const string Local4 = "10.77.0.50";
    private const int DownloadBytes = 16 << 20;
    private readonly ITestOutputHelper _output;

    public Ipv6FailoverLabTests(ITestOutputHelper output) => _output = output;

    [RequiresRootFact]
    public void Ipv6_MasterKilled_DrFullNatAndNat64ConnectionsSurvive_OnTheSameSockets()
    {
        var total = Stopwatch.StartNew();
        using var lab = Lab.Up(realServers: 2, mode: "dr", directors: 2, ipv6: true);
        var work = Directory.CreateTempSubdirectory("lvt-ha6-");
        var started = new List<Process>();
        DaemonProcess? d1 = null;
        DaemonProcess? d2 = null;
        try
        {
            var sha = ServeDownload(lab, work.FullName, started);
            var sock1 = Path.Combine(work.FullName, "d1.sock");
            var sock2 = Path.Combine(work.FullName, "d2.sock");
            d1 = DaemonProcess.StartIn(lab, "dir", Yaml("10.77.0.2", lab.Env["LVT_DIP6"]), new Dictionary<string, string>(), "--socket", sock1);
            d2 = DaemonProcess.StartIn(lab, "dir2", Yaml("10.77.0.3", lab.Env["LVT_DIP2_6"]), new Dictionary<string, string>(), "--socket", sock2);

            // The directors' TCP frames on the segment (headers only), for tshark at the end.
            var pcap = Path.Combine(work.FullName, "segment.pcap");
            var capture = lab.Start("sw", "tcpdump", "-i", "br0", "-U", "-n", "-s", "128", "-w", pcap,
                $"tcp and (ether src {lab.Env["LVT_DIR_MAC"]} or ether src {lab.Env["LVT_DIR2_MAC"]})");
            started.Add(capture);

            var adm = WriteAdmWrapper(work.FullName);
            StartKeepalived(lab, "dir", work.FullName, 1, priority: 150, sock1, adm, started);
            StartKeepalived(lab, "dir2", work.FullName, 2, priority: 100, sock2, adm, started);
            WaitForRole(sock1, "MASTER", TimeSpan.FromSeconds(15));
            WaitForRole(sock2, "BACKUP", TimeSpan.FromSeconds(5));

            var downloadDr = Download(lab, work.FullName, "dr", Vip6);
            var downloadFullNat = Download(lab, work.FullName, "fullnat", Vip6B);
            var keepDr = lab.Start("client", "python3", "-c", KeepAliveScript(port: 80, host: Vip6));
            var keepFullNat = lab.Start("client", "python3", "-c", KeepAliveScript(port: 80, host: Vip6B));
            var keepNat64 = lab.Start("client", "python3", "-c", KeepAliveScript(port: 81, host: Vip6B));
            started.AddRange([downloadDr, downloadFullNat, keepDr, keepFullNat, keepNat64]);

            // The backup must hold all five before the master dies (the sync flushes within 2 s).
            string[] expected = [$"[{Vip6}]:80", $"[{Vip6}]:8081", $"[{Vip6B}]:80", $"[{Vip6B}]:8081", $"[{Vip6B}]:81"];
            var wait = Stopwatch.StartNew();
            var synced = WaitUntilSynced(lab, sock2, expected, TimeSpan.FromSeconds(8));
            _output.WriteLine($"backup's table {wait.Elapsed.TotalSeconds:F1} s after the traffic started:\n{synced}");

            var killedAt = KillAll(lab, "dir", Path.Combine(work.FullName, "k1-vrrp.pid"));
            WaitForRole(sock2, "MASTER", TimeSpan.FromSeconds(10));
            _output.WriteLine($"dir2 MASTER {(DateTimeOffset.UtcNow - killedAt).TotalSeconds:F2} s after the kill (polled)");

            // A new IPv6 connection through the new master.
            var fresh = lab.Shell("client", $"for i in $(seq 1 20); do curl -6 -s --max-time 1 'http://[{Vip6}]/' && exit 0; sleep 0.2; done; exit 1", TimeSpan.FromSeconds(40));
            Assert.True(fresh.ExitCode == 0, fresh.Output);

            var results = new Dictionary<string, string>();
            foreach (var (name, process) in new[] { ("dr", keepDr), ("fullnat", keepFullNat), ("nat64", keepNat64) })
            {
                Assert.True(process.WaitForExit(40_000), $"the {name} keep-alive run did not end");
                results[name] = (process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd()).Trim();
                _output.WriteLine($"{name} keep-alive: {results[name]}");
            }

            foreach (var (name, process) in new[] { ("dr", downloadDr), ("fullnat", downloadFullNat) })
            {
                Assert.True(process.WaitForExit(60_000), $"the {name} download did not end");
                var code = process.StandardOutput.ReadToEnd().Trim();
                _output.WriteLine($"{name} download: exit {process.ExitCode}, HTTP {code}");
                Assert.Equal((0, "200"), (process.ExitCode, code));
                Assert.Equal(sha, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(work.FullName, name + ".bin")))));
            }

            var status = Adm(sock2, "status").StandardOutput;
            Assert.All(results, r => Assert.True(r.Value.StartsWith("ok same-connection", StringComparison.Ordinal), $"{r.Key}: {r.Value}\n{status}"));

            // The client learnt the new master's MAC for the VIP from its unsolicited advertisements.
            var neighbour = lab.Shell("client", $"ip -6 neigh show {Vip6}", Short);
            Assert.Contains("lladdr " + lab.Env["LVT_DIR2_MAC"], neighbour.StandardOutput, StringComparison.Ordinal);

            // tshark: what each director sent. The new master forwarded the DR keep-alive's client port,
            // and the FULLNAT and NAT64 keep-alives from the local ports the old master had bound.
            Lab.Stop(capture);
            started.Remove(capture);
            var rows = Tshark(pcap);
            var dir1 = lab.Env["LVT_DIR_MAC"];
            var dir2 = lab.Env["LVT_DIR2_MAC"];
            var drPort = PortOf(results["dr"]);
            Assert.Contains(rows, r => r.Source == dir2 && r.Ip == "fd77::a" && r.SourcePort == drPort && r.DestinationPort == "80");
            foreach (var (local, serverPort) in new[] { (Local6, "8080"), (Local4, "80") })
            {
                var before = rows.Where(r => r.Source == dir1 && r.Ip == local && r.DestinationPort == serverPort).Select(r => r.SourcePort).Distinct().ToList();
                var after = rows.Where(r => r.Source == dir2 && r.Ip == local && r.DestinationPort == serverPort).Select(r => r.SourcePort).Distinct().ToList();
                _output.WriteLine($"{local} → :{serverPort}: old master's local ports [{string.Join(", ", before)}], new master's [{string.Join(", ", after)}]");
                var port = Assert.Single(before);
                Assert.Contains(port, after);
            }

            _output.WriteLine($"lab test took {total.Elapsed.TotalSeconds:F1} s");
        }
        finally
        {
            foreach (var process in started)
            {
                Quietly(() => Lab.Stop(process));
            }

            Quietly(() => d1?.Dispose());
            Quietly(() => d2?.Dispose());
            Quietly(() => work.Delete(recursive: true));
        }
    }

    // The same random file on port 8081 of both real servers, on IPv4 and IPv6 (http.server binds :: dual-stack).
    private static string ServeDownload(Lab lab, string work, List<Process> started)
    {
        var www = Path.Combine(work, "www");
        Directory.CreateDirectory(www);
        var content = RandomNumberGenerator.GetBytes(DownloadBytes);
        File.WriteAllBytes(Path.Combine(www, "big.bin"), content);
        foreach (var rs in new[] { "rs1", "rs2" })
        {
            started.Add(lab.Start(rs, "python3", "-m", "http.server", "8081", "--bind", "::", "--directory", www));
        }

        return Convert.ToHexStringLower(SHA256.HashData(content));
    }

    // 16 MiB at 2 MB/s: about 8 s, across the kill.
    private static Process Download(Lab lab, string work, string name, string vip) =>
        lab.Start("client", "curl", "-6", "-sS", "--limit-rate", "2000000", "--max-time", "60", "-o", Path.Combine(work, name + ".bin"), "-w", "%{http_code}", $"http://[{vip}]:8081/big.bin");

    private static string PortOf(string result) =>
        result.Split(' ').First(p => p.StartsWith("port=", StringComparison.Ordinal))["port=".Length..].TrimEnd(',');

    private static List<(string Source, string Ip, string SourcePort, string DestinationPort)> Tshark(string pcap)
    {
        var tshark = ProcessResult.Run("tshark", ["-r", pcap, "-n", "-T", "fields", "-E", "separator=/t", "-e", "eth.src", "-e", "ipv6.src", "-e", "ip.src", "-e", "tcp.srcport", "-e", "tcp.dstport"], TimeSpan.FromSeconds(60));
        Assert.True(tshark.ExitCode == 0, tshark.Output);
        return [.. tshark.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t'))
            .Where(f => f.Length == 5)
            .Select(f => (f[0], f[1].Length > 0 ? f[1] : f[2], f[3], f[4]))];
    }

    private static string Yaml(string address, string address6) =>
        $"""
        director:
          interface: eth0
          address: {address}/24
          address6: {address6}/64
        high_availability:
          initial_role: backup
          sync_daemon:
            mode: follow_role
        virtual_services:
          - protocol: tcp
            address: {Vip6}
            port: 80
            scheduler: rr
            real_servers:
              - address: fd77::b
                method: dr
              - address: fd77::c
                method: dr
          - protocol: tcp
            address: {Vip6}
            port: 8081
            scheduler: rr
            real_servers:
              - address: fd77::b
                method: dr
              - address: fd77::c
                method: dr
          - protocol: tcp
            address: {Vip6B}
            port: 80
            scheduler: rr
            local_addresses: [{Local6}]
            real_servers:
              - address: fd77::b
                port: 8080
                method: fullnat
              - address: fd77::c
                port: 8080
                method: fullnat
          - protocol: tcp
            address: {Vip6B}
            port: 8081
            scheduler: rr
            local_addresses: [{Local6}]
            real_servers:
              - address: fd77::b
                method: fullnat
              - address: fd77::c
                method: fullnat
          - protocol: tcp
            address: {Vip6B}
            port: 81
            scheduler: rr
            local_addresses: [{Local4}]
            real_servers:
              - address: 10.77.0.11
                port: 80
                method: fullnat
              - address: 10.77.0.12
                port: 80
                method: fullnat
        """;
}
