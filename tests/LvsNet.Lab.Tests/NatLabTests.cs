using LvsNet.Testing;
using Xunit;

namespace LvsNet.Lab.Tests;

/// <summary>NAT end to end: real servers route through the director, which DNATs requests and un-NATs replies.</summary>
[Trait("Category", "Lab")]
public class NatLabTests
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(60);

    private static string Config(string captureTo) =>
        $"""
        director:
          interface: eth0
          address: 10.77.0.2/24
        capture:
          capture_to: {captureTo}
        virtual_services:
          - name: web
            protocol: tcp
            address: 10.77.0.100
            port: 80
            scheduler: rr
            real_servers:
              - address: 10.77.0.11
                port: 8080
                method: nat
              - address: 10.77.0.12
                port: 8080
                method: nat
        """;

    [RequiresRootFact]
    public void Nat_PortMapping_RepliesThroughDirector_ChecksumsVerifyInTshark()
    {
        using var lab = Lab.Up(mode: "nat");
        var capture = Path.Combine(Directory.CreateTempSubdirectory("lvt-nat-").FullName, "sent.pcap");
        try
        {
            using var daemon = DaemonProcess.Start(lab, Config(capture));
            var result = lab.Shell("client", $"for i in $(seq 1 20); do curl -s --max-time 3 http://{lab.Vip}/ || echo FAILED; done", Short);
            var answers = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
            Assert.Equal(10, answers.GetValueOrDefault("rs1"));
            Assert.Equal(10, answers.GetValueOrDefault("rs2"));

            var wrk = lab.Exec("client", Short, "wrk", "-t2", "-c8", "-d3s", "--timeout", "3s", $"http://{lab.Vip}/");
            Assert.True(wrk.ExitCode == 0, wrk.Output);
            Assert.DoesNotContain("Socket errors", wrk.StandardOutput, StringComparison.Ordinal);
            Assert.DoesNotContain("Non-2xx", wrk.StandardOutput, StringComparison.Ordinal);

            daemon.Stop(TimeSpan.FromSeconds(10));
            var stats = daemon.ServerStatistics();
            Assert.True(stats["10.77.0.11:8080"].GetProperty("OutPackets").GetInt64() > 0, "replies counted as OutPkts");

            // Every TCP frame the director sent, decoded by tshark with checksum validation on.
            var tshark = ProcessResult.Run(
                "tshark",
                ["-r", capture, "-c", "4000", "-n", "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-Y", "tcp", "-T", "fields",
                 "-e", "ip.src", "-e", "ip.dst", "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "ip.checksum.status", "-e", "tcp.checksum.status", "-e", "ip.ttl"],
                Short);
            Assert.True(tshark.ExitCode == 0, tshark.Output);
            var rows = tshark.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToList();
            Assert.True(rows.Count > 100, $"only {rows.Count} frames captured");
            var toServers = rows.Where(r => r[1] is "10.77.0.11" or "10.77.0.12").ToList();
            var toClient = rows.Where(r => r[1] == "10.77.0.10").ToList();
            Assert.NotEmpty(toServers);
            Assert.NotEmpty(toClient);
            Assert.Equal(rows.Count, toServers.Count + toClient.Count);

            // Requests: client -> RIP:8080; replies: VIP:80 -> client. Checksums: 1 = good.
            Assert.All(toServers, r => Assert.Equal(("10.77.0.10", "8080", "1", "1"), (r[0], r[3], r[4], r[5])));
            Assert.All(toClient, r => Assert.Equal(("10.77.0.100", "80", "1", "1"), (r[0], r[2], r[4], r[5])));
            Assert.All(toServers, r => Assert.Equal("63", r[6]));
            Assert.All(toClient, r => Assert.Equal("63", r[6]));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(capture)!, recursive: true);
        }
    }
}
