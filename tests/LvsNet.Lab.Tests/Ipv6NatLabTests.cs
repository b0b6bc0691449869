using LvsNet.Testing;
using Xunit;

namespace LvsNet.Lab.Tests;

/// <summary>
/// IPv6 NAT end to end: the lab with IPv6 in nat mode (the real servers' IPv6 default route and a
/// host route to the client via the director's fd77::2), real lvsnetd rewriting fd77::100:80 to
/// RIP:8080 and the replies back, nginx real servers, curl and wrk over IPv6, and tshark decoding
/// every TCP frame the director sent (checksums, hop limits). Then a dual-stack pair of services:
/// an IPv4 and an IPv6 VIP to the same real servers.
/// </summary>
[Trait("Category", "Lab")]
public class Ipv6NatLabTests
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(60);

    private const string Ipv6Service = """
          - name: web6
            protocol: tcp
            address: fd77::100
            port: 80
            scheduler: rr
            real_servers:
              - address: fd77::b
                port: 8080
                method: nat
              - address: fd77::c
                port: 8080
                method: nat
        """;

    [RequiresRootFact]
    public void Ipv6Nat_CurlAndWrk_PortMapped_RepliesThroughTheDirector_TsharkChecksumsAndHopLimits()
    {
        using var lab = Lab.Up(mode: "nat", ipv6: true);
        var directory = Directory.CreateTempSubdirectory("lvt-ipv6nat-");
        try
        {
            var capture = Path.Combine(directory.FullName, "sent.pcap");
            var yaml = $"""
                director:
                  interface: eth0
                  address: 10.77.0.2/24
                  address6: fd77::2/64
                capture:
                  capture_to: {capture}
                virtual_services:
                {Ipv6Service}
                """;
            using var daemon = DaemonProcess.Start(lab, yaml);

            // 20 new connections: rr alternates; the answers come back through the director.
            var curl = lab.Shell("client", "for i in $(seq 1 20); do curl -6 -s --max-time 3 'http://[fd77::100]/' || echo FAILED; done", TimeSpan.FromSeconds(90));
            Assert.True(curl.ExitCode == 0, curl.Output);
            var answers = curl.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).GroupBy(l => l.Trim()).ToDictionary(g => g.Key, g => g.Count());
            Assert.True(answers.GetValueOrDefault("rs1") == 10 && answers.GetValueOrDefault("rs2") == 10, curl.StandardOutput + "\n" + daemon.Log);

            // NAT keeps the client's address: the real server saw fd77::a.
            var peer = lab.Shell("client", "curl -6 -s --max-time 3 'http://[fd77::100]/peer'", Short);
            Assert.Matches(@"^rs[12] fd77::a\s*$", peer.StandardOutput);

            // A bounded wrk run over IPv6 (3 s, 8 connections).
            var wrk = lab.Exec("client", Short, "wrk", "-t2", "-c8", "-d3s", "--timeout", "3s", "http://[fd77::100]/");
            Assert.True(wrk.ExitCode == 0, wrk.Output);
            Assert.Contains("requests in", wrk.StandardOutput, StringComparison.Ordinal);
            Assert.DoesNotContain("Socket errors", wrk.StandardOutput, StringComparison.Ordinal);
            Assert.DoesNotContain("Non-2xx", wrk.StandardOutput, StringComparison.Ordinal);

            var (_, code) = daemon.Stop(TimeSpan.FromSeconds(10));
            Assert.Equal(0, code);
            var stats = daemon.ServerStatistics();
            Assert.True(stats["[fd77::b]:8080"].GetProperty("OutPackets").GetInt64() > 0, "replies counted as OutPkts\n" + string.Join(", ", stats.Keys));

            // Every TCP frame the director sent, decoded by tshark with checksum validation on:
            // requests fd77::a -> RIP:8080 to the real servers' MACs, replies fd77::100:80 -> fd77::a
            // to the client's MAC, all with hop limit 63 (64 - 1) and a good TCP checksum.
            var tshark = ProcessResult.Run(
                "tshark",
                ["-r", capture, "-c", "4000", "-n", "-o", "tcp.check_checksum:TRUE", "-Y", "ipv6 && tcp", "-T", "fields", "-E", "separator=/t",
                 "-e", "eth.src", "-e", "eth.dst", "-e", "ipv6.src", "-e", "ipv6.dst", "-e", "ipv6.hlim", "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.checksum.status"],
                Short);
            Assert.True(tshark.ExitCode == 0, tshark.Output);
            var rows = tshark.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToList();
            Assert.True(rows.Count > 100, $"only {rows.Count} frames captured");
            var toServers = rows.Where(r => r[3] is "fd77::b" or "fd77::c").ToList();
            var toClient = rows.Where(r => r[3] == "fd77::a").ToList();
            Assert.NotEmpty(toServers);
            Assert.NotEmpty(toClient);
            Assert.Equal(rows.Count, toServers.Count + toClient.Count);
            var serverMacs = new[] { lab.Env["LVT_RS1_MAC"], lab.Env["LVT_RS2_MAC"] };
            Assert.All(rows, r => Assert.Equal(lab.Env["LVT_DIR_MAC"], r[0]));
            Assert.All(toServers, r =>
            {
                Assert.Contains(r[1], serverMacs);
                Assert.Equal(("fd77::a", "63", "8080", "1"), (r[2], r[4], r[6], r[7]));
            });
            Assert.All(toClient, r => Assert.Equal((lab.Env["LVT_CLIENT_MAC"], "fd77::100", "63", "80", "1"), (r[1], r[2], r[4], r[5], r[7])));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [RequiresRootFact]
    public void DualStack_Ipv4AndIpv6Vips_ToTheSameRealServers_BothSplitRoundRobin()
    {
        using var lab = Lab.Up(mode: "nat", ipv6: true);
        var yaml = $"""
            director:
              interface: eth0
              address: 10.77.0.2/24
              address6: fd77::2/64
            virtual_services:
              - name: web4
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
            {Ipv6Service}
            """;
        using var daemon = DaemonProcess.Start(lab, yaml);

        // Interleaved: each family's service keeps its own rr order and connections.
        var curl = lab.Shell(
            "client",
            "for i in $(seq 1 10); do echo \"4 $(curl -4 -s --max-time 3 http://10.77.0.100/peer || echo FAILED)\"; echo \"6 $(curl -6 -s --max-time 3 'http://[fd77::100]/peer' || echo FAILED)\"; done",
            TimeSpan.FromSeconds(120));
        Assert.True(curl.ExitCode == 0, curl.Output);
        var lines = curl.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).ToList();
        Assert.Equal(20, lines.Count);
        foreach (var (family, client) in new[] { ("4", "10.77.0.10"), ("6", "fd77::a") })
        {
            var answers = lines.Where(l => l.StartsWith(family + " ", StringComparison.Ordinal)).Select(l => l[2..]).ToList();
            Assert.True(answers.Count(a => a == $"rs1 {client}") == 5 && answers.Count(a => a == $"rs2 {client}") == 5, curl.StandardOutput + "\n" + daemon.Log);
        }

        var (_, code) = daemon.Stop(TimeSpan.FromSeconds(10));
        Assert.Equal(0, code);
        var stats = daemon.ServerStatistics();
        foreach (var server in new[] { "10.77.0.11:8080", "10.77.0.12:8080", "[fd77::b]:8080", "[fd77::c]:8080" })
        {
            Assert.True(stats[server].GetProperty("Connections").GetInt64() == 5, $"{server}: {stats[server]}");
        }
    }
}
