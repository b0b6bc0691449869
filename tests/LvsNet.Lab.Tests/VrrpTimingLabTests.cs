using System.Diagnostics;
using System.Globalization;
using LvsNet.Testing;
using Xunit;
using Xunit.Abstractions;
using static LvsNet.Lab.Tests.HaLabTools;

namespace LvsNet.Lab.Tests;

/// <summary>
/// How fast new connections work again after the master dies, for keepalived's default VRRPv2
/// advert_int 1 s and for VRRPv3 with advert_int 0.3 s, in the same DR pair: SIGKILL of the
/// master's keepalived and lvsnetd while a fine-grained probe opens a new connection every ~0.2 s.
/// The goal: new connections at most 0.5 s after keepalived's master-down interval ends
/// (3 × advert + (256 − 100)/256 × advert: 3.61 s and 1.08 s), ≤ 1.5 s in all with 0.3 s.
/// </summary>
[Trait("Category", "Lab")]
public class VrrpTimingLabTests
{
    private readonly ITestOutputHelper _output;

    public VrrpTimingLabTests(ITestOutputHelper output) => _output = output;

    [RequiresRootTheory]
    [InlineData(1.0, 2, 3.61 + 0.5, false)]
    [InlineData(0.3, 3, 1.5, false)]
    [InlineData(1.0, 2, 3.61 + 0.5, true)]
    [InlineData(0.3, 3, 1.5, true)]
    public void MasterKilled_NewConnectionsWorkAgain_WithinTheGoal(double advertInt, int version, double goalSeconds, bool notifyFifo)
    {
        using var lab = Lab.Up(realServers: 2, mode: "dr", directors: 2);
        var work = Directory.CreateTempSubdirectory("lvt-ha-").FullName;
        var started = new List<Process>();
        DaemonProcess? d1 = null;
        DaemonProcess? d2 = null;
        try
        {
            var sock1 = Path.Combine(work, "d1.sock");
            var sock2 = Path.Combine(work, "d2.sock");
            var fifo1 = notifyFifo ? Path.Combine(work, "k1.fifo") : null;
            var fifo2 = notifyFifo ? Path.Combine(work, "k2.fifo") : null;
            d1 = DaemonProcess.StartIn(lab, "dir", Yaml("10.77.0.2", fifo1), new Dictionary<string, string>(), "--socket", sock1);
            d2 = DaemonProcess.StartIn(lab, "dir2", Yaml("10.77.0.3", fifo2), new Dictionary<string, string>(), "--socket", sock2);
            var pcap = Path.Combine(work, "vrrp.pcap");
            var capture = lab.Start("sw", "tcpdump", "-i", "br0", "-U", "-n", "-s", "128", "-w", pcap, "ip proto 112 or arp");
            started.Add(capture);
            var adm = WriteAdmWrapper(work);
            StartKeepalived(lab, "dir", work, 1, priority: 150, sock1, adm, started, advertInt, version, fifo1);
            StartKeepalived(lab, "dir2", work, 2, priority: 100, sock2, adm, started, advertInt, version, fifo2);
            WaitForRole(sock1, "MASTER", TimeSpan.FromSeconds(15));
            WaitForRole(sock2, "BACKUP", TimeSpan.FromSeconds(5));
            Assert.Equal(4, lab.Requests(4).Where(kv => kv.Key.StartsWith("rs", StringComparison.Ordinal)).Sum(kv => kv.Value));

            var probe = lab.Start("client", "bash", "-c", ProbeScript(seconds: 9, maxTime: "0.2", pause: "0.02"));
            started.Add(probe);
            Thread.Sleep(2000);
            var killedAt = KillAll(lab, "dir", Path.Combine(work, "k1-vrrp.pid"));
            Assert.True(probe.WaitForExit(30_000), "the probe did not end");
            var probeLines = probe.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var (takeover, failedAfter, summary) = Takeover(probeLines, killedAt);
            var masterDown = (3 * advertInt) + ((256 - 100) / 256.0 * advertInt);
            WaitForRole(sock2, "MASTER", TimeSpan.FromSeconds(5));
            Thread.Sleep(500);
            Lab.Stop(capture);
            started.Remove(capture);

            // The wire's timeline: dir's last advert before the kill, dir2's first advert (keepalived MASTER), dir2's first
            // gratuitous ARP for the VIP (lvsnetd told by the notify script).
            var frames = ProcessResult.Run("tshark", ["-r", pcap, "-T", "fields", "-E", "separator=,", "-e", "frame.time_epoch", "-e", "ip.src", "-e", "vrrp.version",
                version == 3 ? "-e" : "-e", version == 3 ? "vrrp.short_adver_int" : "vrrp.adver_int", "-e", "arp.opcode", "-e", "arp.src.proto_ipv4", "-e", "arp.src.hw_mac"], Short).StandardOutput
                .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(',')).ToList();
            var killed = killedAt.ToUnixTimeMilliseconds() / 1000.0;
            double At(string[] f) => double.Parse(f[0], CultureInfo.InvariantCulture);
            var lastAdvert = frames.Where(f => f[1] == "10.77.0.2" && f[2].Length > 0 && At(f) <= killed + 0.05).Select(At).DefaultIfEmpty(double.NaN).Max();
            var firstAdvert2 = frames.Where(f => f[1] == "10.77.0.3" && f[2].Length > 0 && At(f) > killed).Select(At).DefaultIfEmpty(double.NaN).Min();
            var firstGarp = frames.Where(f => f[4] == "1" && f[5] == Vip && f[6] == lab.Env["LVT_DIR2_MAC"] && At(f) > killed).Select(At).DefaultIfEmpty(double.NaN).Min();
            var back = killed + takeover.TotalSeconds;
            _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"VRRPv{version} advert_int {advertInt} s (master-down interval {masterDown:F2} s), role by {(notifyFifo ? "notify_fifo read by lvsnetd" : "notify script")}, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}:\n"
                + $"  kill → first new connection {takeover.TotalSeconds:F2} s ({summary})\n"
                + $"  dir's last advert {killed - lastAdvert:F2} s before the kill; dir2's first advert {firstAdvert2 - lastAdvert:F2} s after it (keepalived's master-down)\n"
                + $"  dir2's first advert → its first gratuitous ARP for the VIP (notify path, lvsnetd) {firstGarp - firstAdvert2:F2} s\n"
                + $"  end of the master-down interval → first new connection {back - (lastAdvert + masterDown):F2} s (goal ≤ 0.5 s)"));

            // The goal is measured from where keepalived's master-down interval ends (the last advert + the interval). On top
            // of its 0.5 s: the probe's granularity (a curl of at most 0.2 s every 0.02 s, plus its start) and, on this shared
            // 2-core machine, up to 0.5 s more for the notify script's process start under load (measured 0.40–0.65 s at a
            // load average of 24; docs/high-availability.md). lvsnetd's own part, advert to gratuitous ARP, is bounded apart.
            // With notify_fifo there is no process start in the path: no allowance for one.
            var processStart = notifyFifo ? 0 : 0.5;
            Assert.True(firstGarp - firstAdvert2 < (notifyFifo ? 0.5 : 1.0), $"lvsnetd announced {firstGarp - firstAdvert2:F2} s after keepalived's first advert as master");
            Assert.True(back - (lastAdvert + masterDown) < 0.5 + 0.3 + processStart, $"new connections came back {back - (lastAdvert + masterDown):F2} s after the master-down interval ended");
            Assert.True(takeover < TimeSpan.FromSeconds(goalSeconds + 0.3 + processStart), $"new connections came back only {takeover.TotalSeconds:F2} s after the kill");
            Assert.Equal(0, failedAfter);

            // The adverts on the wire are the version asked for, with its interval (VRRPv3 counts centiseconds).
            var interval = string.Create(CultureInfo.InvariantCulture, $"{(version == 3 ? advertInt * 100 : advertInt):0}");
            Assert.Contains(frames, f => f[2] == version.ToString(CultureInfo.InvariantCulture) && f[3] == interval);
        }
        finally
        {
            foreach (var process in started)
            {
                Quietly(() => Lab.Stop(process));
            }

            Quietly(() => d1?.Dispose());
            Quietly(() => d2?.Dispose());
            Quietly(() => Directory.Delete(work, recursive: true));
        }
    }

    private static string Yaml(string address, string? notifyFifo) =>
        $"""
        director:
          interface: eth0
          address: {address}/24
        high_availability:
          initial_role: backup{(notifyFifo is null ? string.Empty : $"\n  notify_fifo: {notifyFifo}\n  vrrp_instance: VI_1")}
          sync_daemon:
            mode: follow_role
        virtual_services:
          - protocol: tcp
            address: {Vip}
            port: 80
            scheduler: rr
            real_servers:
              - address: 10.77.0.11
              - address: 10.77.0.12
        """;
}
