using System.Diagnostics;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.Lab.Tests;

/// <summary>
/// TUN with IPv6 end to end: one director running three services over the lab's IPv6 segment —
/// IPv6 VIP to IPv6 servers (IPv6-in-IPv6), IPv4 VIP to IPv6 servers (IPv4-in-IPv6) and IPv6 VIP
/// to IPv4 servers (IPv6-in-IPv4) — real nginx servers behind lvsnet-rs's userspace decapsulator
/// (these kernels have no ipip, sit or ip6_tunnel module), curl and a bounded wrk run from the
/// client, and tshark decoding the outer and inner headers of what the director sent.
/// </summary>
[Trait("Category", "Lab")]
public class Ipv6TunnelLabTests
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(60);

    [RequiresRootTheory]
    [InlineData("pcap")]
    [InlineData("afpacket")]
    [InlineData("afxdp")]
    public void Ipv6Tunnels_EveryFamilyPair_SplitAcrossNginx_AndTheOuterHeadersAreTheKernels(string backend)
    {
        using var lab = Lab.Up(mode: "tun", ipv6: true);
        var work = Directory.CreateTempSubdirectory("lvt-tun6-").FullName;
        var decapsulators = new List<Process>();
        try
        {
            foreach (var rs in new[] { "rs1", "rs2" })
            {
                decapsulators.Add(StartDecapsulator(lab, rs));
            }

            var capture = Path.Combine(work, "sent.pcap");
            var yaml = $"""
                director:
                  interface: eth0
                  address: 10.77.0.2/24
                  address6: fd77::2/64
                capture:
                  backend: {backend}
                  capture_to: {capture}
                virtual_services:
                  - name: six-in-six
                    protocol: tcp
                    address: fd77::100
                    port: 80
                    scheduler: rr
                    real_servers:
                      - address: fd77::b
                        method: tun
                      - address: fd77::c
                        method: tun
                  - name: four-in-six
                    protocol: tcp
                    address: 10.77.0.100
                    port: 80
                    scheduler: rr
                    real_servers:
                      - address: fd77::b
                        method: tun
                      - address: fd77::c
                        method: tun
                  - name: six-in-four
                    protocol: tcp
                    address: fd77::101
                    port: 80
                    scheduler: rr
                    real_servers:
                      - address: 10.77.0.11
                        method: tun
                      - address: 10.77.0.12
                        method: tun
                """;
            using var daemon = DaemonProcess.Start(lab, yaml);
            var started = daemon.WaitForEvent("Started", Short);
            Assert.Equal(backend, started.GetProperty("Backend").GetString());
            if (backend == "afxdp")
            {
                daemon.WaitForEvent("XdpAttached", Short);
            }

            // 20 new connections per service: rr alternates whatever the tunnel's families.
            foreach (var url in new[] { "http://[fd77::100]/", "http://10.77.0.100/", "http://[fd77::101]/" })
            {
                var curl = lab.Shell("client", $"for i in $(seq 1 20); do curl -s --max-time 3 '{url}' || echo FAILED; done", TimeSpan.FromSeconds(90));
                Assert.True(curl.ExitCode == 0, curl.Output);
                var answers = curl.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).GroupBy(l => l.Trim()).ToDictionary(g => g.Key, g => g.Count());
                Assert.True(answers.GetValueOrDefault("rs1") == 10 && answers.GetValueOrDefault("rs2") == 10, $"{url}: {curl.StandardOutput}\n{daemon.Log}");
            }

            // The real server saw the client's own address: the tunnel keeps the packet as it came.
            var peer = lab.Shell("client", "curl -s --max-time 3 'http://[fd77::100]/peer'", Short);
            Assert.Matches(@"^rs[12] fd77::a\s*$", peer.StandardOutput);

            // 200 kB upload over IPv6-in-IPv6: full-size segments no longer fit with 40 more bytes;
            // the director answers ICMPv6 packet too big (MTU 1460) and the client's PMTU discovery adapts.
            var body = Path.Combine(work, "body.bin");
            File.WriteAllBytes(body, new byte[200_000]);
            var post = lab.Exec("client", Short, "curl", "-s", "--max-time", "20", "-o", "/dev/null", "-w", "%{http_code}", "--data-binary", "@" + body, "http://[fd77::100]/");
            Assert.True(post.StandardOutput.Trim() == "200", $"upload: {post.Output}\n{daemon.Log}");

            // A bounded wrk run through the IPv6 tunnel: every request answered.
            var wrk = lab.Exec("client", Short, "wrk", "-t1", "-c8", "-d2s", "--timeout", "3s", "http://[fd77::100]/");
            Assert.True(wrk.ExitCode == 0, wrk.Output);
            Assert.DoesNotContain("Socket errors", wrk.StandardOutput, StringComparison.Ordinal);
            Assert.DoesNotContain("Non-2xx", wrk.StandardOutput, StringComparison.Ordinal);
            Assert.Matches(@"\d+ requests in", wrk.StandardOutput);

            daemon.Stop(TimeSpan.FromSeconds(10));
            var summary = daemon.Events("DropSummary")[^1];
            Assert.Contains("TooBig", summary.GetProperty("Drops").ToString(), StringComparison.Ordinal);

            AssertSixInSix(capture);
            AssertFourInSix(capture);
            AssertSixInFour(capture);
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

    // Outer fd77::2 → RS, next header 41, hop limit = the inner one = 64 − 1, payload length = inner's + 40.
    private static void AssertSixInSix(string capture)
    {
        var rows = Decode(capture, "ipv6.nxt == 41 && !icmpv6", "ipv6.src", "ipv6.dst", "ipv6.nxt", "ipv6.hlim", "ipv6.plen", "ipv6.flow", "tcp.checksum.status", "tcp.checksum", "tcp.checksum_calculated");
        Assert.True(rows.Count > 50, $"{rows.Count} IPv6-in-IPv6 frames");
        foreach (var row in rows)
        {
            var frame = "frame: " + string.Join(" | ", row);
            Assert.True(row[0] == "fd77::2;fd77::a", frame);
            Assert.True(row[1] is "fd77::b;fd77::100" or "fd77::c;fd77::100", frame);
            Assert.True(row[2] == "41;6", frame);
            Assert.True(row[3] == "63;63", frame);
            var lengths = row[4].Split(';').Select(int.Parse).ToArray();
            Assert.True(lengths[0] == lengths[1] + 40 && lengths[0] + 40 <= 1500, frame);
            Assert.True(Convert.ToInt32(row[5].Split(';')[0], 16) == 0, "outer flow label not 0 in " + frame);
            Assert.True(TcpChecksumStatus.IsGood(row[6], row[7], row[8]), "inner TCP checksum not good in " + frame);
        }
    }

    // Outer fd77::2 → RS, next header 4, hop limit = inner TTL = 63, payload length = inner total length.
    private static void AssertFourInSix(string capture)
    {
        var rows = Decode(capture, "ipv6.nxt == 4", "ipv6.src", "ipv6.dst", "ipv6.hlim", "ipv6.plen", "ip.src", "ip.dst", "ip.ttl", "ip.len", "ip.checksum.status", "tcp.checksum.status", "tcp.checksum", "tcp.checksum_calculated");
        Assert.True(rows.Count >= 20 * 3, $"{rows.Count} IPv4-in-IPv6 frames");
        foreach (var row in rows)
        {
            var frame = "frame: " + string.Join(" | ", row);
            Assert.True(row[0] == "fd77::2" && row[1] is "fd77::b" or "fd77::c", frame);
            Assert.True(row[2] == "63" && row[6] == "63", frame);
            Assert.True(row[3] == row[7], frame);
            Assert.True(row[4] == "10.77.0.10" && row[5] == "10.77.0.100", frame);
            Assert.True(row[8] == "1" && TcpChecksumStatus.IsGood(row[9], row[10], row[11]), frame);
        }
    }

    // Outer 10.77.0.2 → RS, protocol 41, TTL = inner hop limit = 63, DF clear, total length = inner's + 20.
    private static void AssertSixInFour(string capture)
    {
        var rows = Decode(capture, "ip.proto == 41", "ip.src", "ip.dst", "ip.ttl", "ip.len", "ip.checksum.status", "ip.flags.df", "ipv6.src", "ipv6.dst", "ipv6.hlim", "ipv6.plen", "tcp.checksum.status", "tcp.checksum", "tcp.checksum_calculated");
        Assert.True(rows.Count >= 20 * 3, $"{rows.Count} IPv6-in-IPv4 frames");
        foreach (var row in rows)
        {
            var frame = "frame: " + string.Join(" | ", row);
            Assert.True(row[0] == "10.77.0.2" && row[1] is "10.77.0.11" or "10.77.0.12", frame);
            Assert.True(row[2] == "63" && row[8] == "63", frame);
            Assert.True(int.Parse(row[3]) == int.Parse(row[9]) + 40 + 20, frame);
            Assert.True(row[4] == "1" && row[5] is "0" or "False", frame);
            Assert.True(row[6] == "fd77::a" && row[7] == "fd77::101", frame);
            Assert.True(TcpChecksumStatus.IsGood(row[10], row[11], row[12]), frame);
        }
    }

    private static List<string[]> Decode(string capture, string filter, params string[] fields)
    {
        var tshark = ProcessResult.Run(
            "tshark",
            ["-r", capture, "-n", "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-Y", filter, "-T", "fields", "-E", "aggregator=;", .. fields.SelectMany(f => new[] { "-e", f })],
            Short);
        Assert.True(tshark.ExitCode == 0, tshark.Output);
        return [.. tshark.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t'))];
    }

    private static Process StartDecapsulator(Lab lab, string rs)
    {
        var process = lab.Start(rs, "dotnet", BackendLabTests.RealServerTool, "tun", "run", "fd77::100", "fd77::101", "10.77.0.100", "--interface", "eth0", "--userspace");
        var line = process.StandardOutput.ReadLine();
        while (line is not null && !line.StartsWith("decapsulating", StringComparison.Ordinal))
        {
            line = process.StandardOutput.ReadLine();
        }

        if (line is null)
        {
            Assert.Fail("lvsnet-rs did not start: " + process.StandardError.ReadToEnd());
        }

        return process;
    }
}
