using System.Diagnostics;
using System.Security.Cryptography;
using LvsNet.Testing;
using Xunit;
using Xunit.Abstractions;
using static LvsNet.Lab.Tests.HaLabTools;

namespace LvsNet.Lab.Tests;

/// <summary>
/// Two directors with keepalived and IPv6 NAT: the real servers' IPv6 default route (and their
/// route to the client) goes through the floating address fd77::fe, which neither director's
/// kernel holds and only the master answers neighbour solicitations for. A keep-alive connection
/// and a download run while the master is killed (SIGKILL of keepalived and lvsnetd); both must go
/// on on the same socket: the backup has them from the sync, and its unsolicited neighbour
/// advertisements move the VIP (for the client) and the floating gateway (for the real servers).
/// Run with the libpcap backend and with afxdp, whose XDP program must pass the real servers'
/// solicitations for the floating address to the daemon.
/// </summary>
[Trait("Category", "Lab")]
public class Ipv6NatFailoverLabTests
{
    private const string Vip6 = "fd77::100";
    private const string Gateway6 = "fd77::fe";
    private const int DownloadBytes = 12 << 20;
    private readonly ITestOutputHelper _output;

    public Ipv6NatFailoverLabTests(ITestOutputHelper output) => _output = output;

    [RequiresRootTheory]
    [InlineData("pcap")]
    [InlineData("afxdp")]
    public void Ipv6Nat_MasterKilled_KeepAliveAndDownloadSurviveThroughTheFloatingGateway(string backend)
    {
        var total = Stopwatch.StartNew();
        using var lab = Lab.Up(realServers: 2, mode: "nat", directors: 2, ipv6: true);
        var work = Directory.CreateTempSubdirectory("lvt-ha6nat-");
        var started = new List<Process>();
        DaemonProcess? d1 = null;
        DaemonProcess? d2 = null;
        try
        {
            // The real servers answer through the floating gateway, which moves with the MASTER role.
            foreach (var rs in new[] { "rs1", "rs2" })
            {
                foreach (var route in new[] { "default", lab.Env["LVT_CLIENT_IP6"] + "/128" })
                {
                    var replaced = lab.Exec(rs, Short, "ip", "-6", "route", "replace", route, "via", Gateway6, "dev", "eth0");
                    Assert.True(replaced.ExitCode == 0, replaced.Output);
                }
            }

            var sha = ServeDownload(lab, work.FullName, started);
            var sock1 = Path.Combine(work.FullName, "d1.sock");
            var sock2 = Path.Combine(work.FullName, "d2.sock");
            d1 = DaemonProcess.StartIn(lab, "dir", Yaml("10.77.0.2", lab.Env["LVT_DIP6"], backend), new Dictionary<string, string>(), "--socket", sock1);
            d2 = DaemonProcess.StartIn(lab, "dir2", Yaml("10.77.0.3", lab.Env["LVT_DIP2_6"], backend), new Dictionary<string, string>(), "--socket", sock2);
            Assert.Equal(backend, d1.WaitForEvent("Started", Short).GetProperty("Backend").GetString());
            Assert.Equal(backend, d2.WaitForEvent("Started", Short).GetProperty("Backend").GetString());
            var adm = WriteAdmWrapper(work.FullName);
            StartKeepalived(lab, "dir", work.FullName, 1, priority: 150, sock1, adm, started);
            StartKeepalived(lab, "dir2", work.FullName, 2, priority: 100, sock2, adm, started);
            WaitForRole(sock1, "MASTER", TimeSpan.FromSeconds(15));
            WaitForRole(sock2, "BACKUP", TimeSpan.FromSeconds(5));

            // Before the kill: one connection to each real server (rr), which resolved the floating gateway to the master's MAC.
            var first = lab.Shell("client", $"curl -6 -sS --max-time 3 'http://[{Vip6}]/' && curl -6 -sS --max-time 3 'http://[{Vip6}]/'", Short);
            Assert.True(first.ExitCode == 0, first.Output);
            Assert.Contains("rs1", first.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("rs2", first.StandardOutput, StringComparison.Ordinal);
            AssertGatewayMac(lab, "rs1", lab.Env["LVT_DIR_MAC"]);
            AssertGatewayMac(lab, "rs2", lab.Env["LVT_DIR_MAC"]);

            var download = lab.Start("client", "curl", "-6", "-sS", "--limit-rate", "1500000", "--max-time", "40", "-o", Path.Combine(work.FullName, "got.bin"), "-w", "%{http_code}", $"http://[{Vip6}]:8081/big.bin");
            var keepAlive = lab.Start("client", "python3", "-c", KeepAliveScript(requests: 80, port: 80, host: Vip6, timeoutSeconds: 20));
            started.AddRange([download, keepAlive]);

            // The backup must hold both before the master dies (the sync flushes within 2 s).
            string[] expected = [$"[{Vip6}]:80", $"[{Vip6}]:8081"];
            var wait = Stopwatch.StartNew();
            var synced = WaitUntilSynced(lab, sock2, expected, TimeSpan.FromSeconds(8));
            _output.WriteLine($"backup's table {wait.Elapsed.TotalSeconds:F1} s after the traffic started:\n{synced}");

            var killedAt = KillAll(lab, "dir", Path.Combine(work.FullName, "k1-vrrp.pid"));
            WaitForRole(sock2, "MASTER", TimeSpan.FromSeconds(10));
            var masterAt = Stopwatch.StartNew();
            _output.WriteLine($"dir2 MASTER {(DateTimeOffset.UtcNow - killedAt).TotalSeconds:F2} s after the kill (polled)");

            // The takeover burst moves the real servers' gateway entry at once; without it they would
            // keep the dead master's MAC until neighbour unreachability detection gave up on it
            // (delay_first_probe_time 5 s, then 3 unicast probes 1 s apart).
            var moved = false;
            while (!moved && masterAt.Elapsed < TimeSpan.FromSeconds(2))
            {
                moved = new[] { "rs1", "rs2" }.All(rs => lab.Shell(rs, $"ip -6 neigh show {Gateway6} dev eth0", Short).StandardOutput.Contains("lladdr " + lab.Env["LVT_DIR2_MAC"], StringComparison.Ordinal));
                if (!moved)
                {
                    Thread.Sleep(100);
                }
            }

            _output.WriteLine($"both real servers' gateway entries on dir2's MAC {masterAt.Elapsed.TotalSeconds:F2} s after dir2 was seen MASTER");
            Assert.True(moved, "the real servers' neighbour entry for the floating gateway did not move to the new master within 2 s");

            Assert.True(keepAlive.WaitForExit(40_000), "the keep-alive run did not end");
            var keepAliveResult = (keepAlive.StandardOutput.ReadToEnd() + keepAlive.StandardError.ReadToEnd()).Trim();
            Assert.True(download.WaitForExit(45_000), "the download did not end");
            var code = download.StandardOutput.ReadToEnd().Trim();
            var status = Adm(sock2, "status").StandardOutput;
            _output.WriteLine($"keep-alive: {keepAliveResult}\ndownload: exit {download.ExitCode}, HTTP {code}\n{status}");
            Assert.True(keepAliveResult.StartsWith("ok same-connection", StringComparison.Ordinal), $"keep-alive: {keepAliveResult}");
            Assert.Equal((0, "200"), (download.ExitCode, code));
            Assert.Equal(sha, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(work.FullName, "got.bin")))));

            // The new master's unsolicited advertisements moved the gateway (real servers) and the VIP (client).
            AssertGatewayMac(lab, "rs1", lab.Env["LVT_DIR2_MAC"]);
            AssertGatewayMac(lab, "rs2", lab.Env["LVT_DIR2_MAC"]);
            var vipNeighbour = lab.Shell("client", $"ip -6 neigh show {Vip6}", Short);
            Assert.Contains("lladdr " + lab.Env["LVT_DIR2_MAC"], vipNeighbour.StandardOutput, StringComparison.Ordinal);

            // A new IPv6 NAT connection through the new master, answered through the moved gateway.
            var fresh = lab.Shell("client", $"for i in $(seq 1 10); do curl -6 -s --max-time 1 'http://[{Vip6}]/' && exit 0; sleep 0.2; done; exit 1", Short);
            Assert.True(fresh.ExitCode == 0, fresh.Output);

            // Neither director's kernel holds the floating address.
            foreach (var role in new[] { "dir", "dir2" })
            {
                var addresses = lab.Exec(role, Short, "ip", "-6", "addr", "show", "dev", "eth0");
                Assert.True(addresses.ExitCode == 0, addresses.Output);
                Assert.DoesNotContain(Gateway6, addresses.StandardOutput, StringComparison.Ordinal);
            }

            _output.WriteLine($"{backend}: lab test took {total.Elapsed.TotalSeconds:F1} s");
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

    private static void AssertGatewayMac(Lab lab, string rs, string mac)
    {
        var neighbour = lab.Shell(rs, $"ip -6 neigh show {Gateway6} dev eth0", Short);
        Assert.True(neighbour.StandardOutput.Contains("lladdr " + mac, StringComparison.Ordinal), $"{rs}: {neighbour.Output}");
    }

    // The same random file on port 8081 of both real servers (http.server binds :: dual-stack).
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

    private static string Yaml(string address, string address6, string backend) =>
        $"""
        director:
          interface: eth0
          address: {address}/24
          address6: {address6}/64
        capture:
          backend: {backend}
        high_availability:
          initial_role: backup
          floating_addresses: [{Gateway6}]
          sync_daemon:
            mode: follow_role
        virtual_services:
          - protocol: tcp
            address: {Vip6}
            port: 80
            scheduler: rr
            real_servers:
              - address: fd77::b
                method: nat
              - address: fd77::c
                method: nat
          - protocol: tcp
            address: {Vip6}
            port: 8081
            scheduler: rr
            real_servers:
              - address: fd77::b
                method: nat
              - address: fd77::c
                method: nat
        """;
}
