using System.Text.RegularExpressions;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.Lab.Tests;

/// <summary>FULLNAT end to end: real servers see the director's local addresses and answer them; TOA carries the client.</summary>
[Trait("Category", "Lab")]
public partial class FullNatLabTests
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
            local_addresses: [10.77.0.50, 10.77.0.51]
            toa: true
            real_servers:
              - address: 10.77.0.11
                port: 8080
                method: fullnat
              - address: 10.77.0.12
                port: 8080
                method: fullnat
        """;

    [RequiresRootFact]
    public void FullNat_ServersSeeThePool_RepliesReturnThroughTheDirector_ToaAndChecksumsVerifyInTshark()
    {
        using var lab = Lab.Up(mode: "fullnat");
        var capture = Path.Combine(Directory.CreateTempSubdirectory("lvt-fnat-").FullName, "sent.pcap");
        try
        {
            using var daemon = DaemonProcess.Start(lab, Config(capture));

            // nginx reports the peer it saw: always a pool address, never the client.
            var peers = lab.Shell("client", $"for i in $(seq 1 20); do curl -s --max-time 3 http://{lab.Vip}/peer || echo FAILED; done", Short);
            Assert.Equal(0, peers.ExitCode);
            var lines = peers.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(20, lines.Length);
            Assert.All(lines, l => Assert.Matches(@"^rs[12] 10\.77\.0\.5[01]$", l));
            Assert.Equal(10, lines.Count(l => l.StartsWith("rs1 ", StringComparison.Ordinal)));

            var wrk = lab.Exec("client", Short, "wrk", "-t2", "-c8", "-d3s", "--timeout", "3s", $"http://{lab.Vip}/");
            Assert.True(wrk.ExitCode == 0, wrk.Output);
            Assert.DoesNotContain("Socket errors", wrk.StandardOutput, StringComparison.Ordinal);
            Assert.DoesNotContain("Non-2xx", wrk.StandardOutput, StringComparison.Ordinal);

            daemon.Stop(TimeSpan.FromSeconds(10));
            Assert.True(daemon.ServerStatistics()["10.77.0.11:8080"].GetProperty("OutPackets").GetInt64() > 0, "replies counted as OutPkts");

            var tshark = ProcessResult.Run(
                "tshark",
                ["-r", capture, "-c", "4000", "-n", "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-Y", "tcp", "-T", "fields",
                 "-e", "ip.src", "-e", "ip.dst", "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "ip.checksum.status", "-e", "tcp.checksum.status", "-e", "ip.ttl",
                 "-e", "tcp.flags.syn", "-e", "tcp.options"],
                Short);
            Assert.True(tshark.ExitCode == 0, tshark.Output);
            var rows = tshark.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToList();
            Assert.True(rows.Count > 100, $"only {rows.Count} frames captured");
            var toServers = rows.Where(r => r[1] is "10.77.0.11" or "10.77.0.12").ToList();
            var toClient = rows.Where(r => r[1] == "10.77.0.10").ToList();
            Assert.Equal(rows.Count, toServers.Count + toClient.Count);

            // Requests: LIP:lport -> RIP:8080; replies: VIP:80 -> client. Checksums: 1 = good.
            Assert.All(toServers, r => Assert.True(r[0] is "10.77.0.50" or "10.77.0.51" && r[3] == "8080" && r[4] == "1" && r[5] == "1" && r[6] == "63", string.Join(' ', r)));
            Assert.All(toClient, r => Assert.True(r[0] == "10.77.0.100" && r[2] == "80" && r[4] == "1" && r[5] == "1" && r[6] == "63", string.Join(' ', r)));

            // TOA (kind 254, length 8, client port, 10.77.0.10) in the ACK after each SYN, and nowhere else.
            var syns = toServers.Count(r => r[7] is "1" or "True");
            var withToa = toServers.Where(r => Toa().IsMatch(r[8].Replace(":", string.Empty, StringComparison.Ordinal))).ToList();
            Assert.True(syns > 20, $"{syns} SYNs");
            Assert.InRange(withToa.Count, syns - 2, syns);
            Assert.All(withToa, r => Assert.NotEqual("1", r[7]));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(capture)!, recursive: true);
        }
    }

    [RequiresRootFact]
    public void MixedMethods_InOneService_DrNatAndFullNatEachAnswer()
    {
        using var lab = Lab.Up(realServers: 3, mode: "dr");

        // rs3 is the NAT server: replies to the client go through the director.
        var route = lab.Exec("rs3", Short, "ip", "route", "add", "10.77.0.10/32", "via", "10.77.0.2", "dev", "eth0");
        Assert.True(route.ExitCode == 0, route.Output);
        const string Config = """
            director:
              interface: eth0
              address: 10.77.0.2/24
            virtual_services:
              - protocol: tcp
                address: 10.77.0.100
                port: 80
                scheduler: rr
                local_addresses: [10.77.0.50]
                real_servers:
                  - address: 10.77.0.11
                    port: 80
                    method: dr
                  - address: 10.77.0.12
                    port: 8080
                    method: fullnat
                  - address: 10.77.0.13
                    port: 8080
                    method: nat
            """;
        using var daemon = DaemonProcess.Start(lab, Config);
        var peers = lab.Shell("client", $"for i in $(seq 1 30); do curl -s --max-time 3 http://{lab.Vip}/peer || echo FAILED; done", Short);
        Assert.Equal(0, peers.ExitCode);
        var counts = peers.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(10, counts.GetValueOrDefault("rs1 10.77.0.10"));
        Assert.Equal(10, counts.GetValueOrDefault("rs2 10.77.0.50"));
        Assert.Equal(10, counts.GetValueOrDefault("rs3 10.77.0.10"));
    }

    [GeneratedRegex("^(?:[0-9a-f]{2})*fe08[0-9a-f]{4}0a4d000a")]
    private static partial Regex Toa();
}
