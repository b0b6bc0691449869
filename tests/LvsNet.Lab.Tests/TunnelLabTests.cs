using System.Diagnostics;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.Lab.Tests;

/// <summary>
/// TUN end to end: the director encapsulates in IPIP; the real servers (no ipip module on these
/// kernels) run lvsnet-rs's userspace decapsulator, which hands the inner packet to the local stack
/// through a TUN device; replies go straight to the client.
/// </summary>
[Trait("Category", "Lab")]
public class TunnelLabTests
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(60);

    private static string Config(string captureTo) =>
        DirectRoutingLabTests.Config("rr", extra: $"capture:\n  capture_to: {captureTo}", method: "tun");

    [RequiresRootFact]
    public void Tunnel_ThroughUserspaceDecapsulator_RepliesBypassDirector_PmtuWorks()
    {
        using var lab = Lab.Up(mode: "tun");
        var work = Directory.CreateTempSubdirectory("lvt-tun-").FullName;
        var decapsulators = new List<Process>();
        try
        {
            foreach (var rs in new[] { "rs1", "rs2" })
            {
                decapsulators.Add(BackendLabTests.StartDecapsulator(lab, rs));
            }

            var capture = Path.Combine(work, "sent.pcap");
            using var daemon = DaemonProcess.Start(lab, Config(capture));
            var answers = lab.Requests(20);
            var answered = string.Join(", ", answers.Select(a => $"{a.Key}={a.Value}"));
            Assert.True(answers.GetValueOrDefault("rs1") == 10 && answers.GetValueOrDefault("rs2") == 10, $"answers: {answered}\n{daemon.Log}");

            // 200 kB upload: full-size segments no longer fit once encapsulated; the director answers
            // ICMP fragmentation needed (MTU 1480) and the client's path MTU discovery adapts.
            var body = Path.Combine(work, "body.bin");
            File.WriteAllBytes(body, new byte[200_000]);
            var post = lab.Exec("client", Short, "curl", "-s", "--max-time", "20", "-o", "/dev/null", "-w", "%{http_code}", "--data-binary", "@" + body, $"http://{lab.Vip}/");
            Assert.True(post.StandardOutput.Trim() == "200", $"upload: {post.Output}\n{daemon.Log}");

            daemon.Stop(TimeSpan.FromSeconds(10));
            // The summary written at stop counts every drop of the run.
            var summary = daemon.Events("DropSummary")[^1];
            Assert.Contains("TooBig", summary.GetProperty("Drops").ToString(), StringComparison.Ordinal);
            var stats = daemon.ServerStatistics();
            Assert.True(stats["10.77.0.11:80"].GetProperty("OutPackets").GetInt64() == 0, daemon.Log);

            // tshark decodes outer (DIP -> RIP, protocol 4) and inner (client -> VIP) with valid checksums.
            var tshark = ProcessResult.Run(
                "tshark",
                ["-r", capture, "-c", "3000", "-n", "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-Y", "ip.proto == 4", "-T", "fields",
                 "-E", "aggregator=;", "-e", "ip.src", "-e", "ip.dst", "-e", "ip.proto", "-e", "ip.checksum.status", "-e", "tcp.checksum.status", "-e", "ip.len", "-e", "tcp.checksum", "-e", "tcp.checksum_calculated"],
                Short);
            Assert.True(tshark.ExitCode == 0, tshark.Output);
            var rows = tshark.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToList();
            Assert.True(rows.Count > 50, $"{rows.Count} IPIP frames");
            foreach (var row in rows)
            {
                var frame = "frame: " + string.Join(" | ", row);
                Assert.True(row[0] == "10.77.0.2;10.77.0.10", frame);
                Assert.True(row[1] is "10.77.0.11;10.77.0.100" or "10.77.0.12;10.77.0.100", frame);
                Assert.True(row[2] == "4;6", frame);
                Assert.True(row[3] == "1;1", frame);
                Assert.True(TcpChecksumStatus.IsGood(row[4], row[6], row[7]), "inner TCP checksum not good in " + frame);
                var lengths = row[5].Split(';').Select(int.Parse).ToArray();
                Assert.True(lengths[0] == lengths[1] + 20 && lengths[0] <= 1500, frame);
            }
        }
        finally
        {
            foreach (var process in decapsulators)
            {
                Lab.Stop(process);
            }

            Directory.Delete(work, recursive: true);
        }
    }
}
