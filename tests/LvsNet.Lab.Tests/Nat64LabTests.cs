using System.Globalization;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.Lab.Tests;

/// <summary>
/// NAT64 end to end: the lab in nat64 mode (IPv6 on the segment, nothing on the real servers: they
/// answer the director's IPv4 local address on the link), real lvsnetd translating
/// fd77::a → [fd77::100]:80 into 10.77.0.50:lport → 10.77.0.1x:8080 and the IPv4 replies back into
/// IPv6, nginx real servers seeing the IPv4 local address as their peer (resolved by ARP from the
/// daemon), curl and a bounded wrk over IPv6, the ipvsadm listing, and tshark decoding every TCP
/// frame the director sent: IPv4 header and TCP checksums, TTL and hop limit; on the pcap, afpacket and afxdp
/// backends (the XDP program redirects the IPv6 VIP and the IPv4 replies to the local addresses).
/// </summary>
[Trait("Category", "Lab")]
public class Nat64LabTests
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(60);

    private static string CliDll =>
        Path.Combine(TestEnvironment.RepositoryRoot, "src", "LvsNet.Cli", "bin", Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(DaemonProcess.DaemonDll)!)!), "net10.0", "lvsnetadm.dll");

    [RequiresRootTheory]
    [InlineData("pcap")]
    [InlineData("afpacket")]
    [InlineData("afxdp")]
    public void Nat64_CurlAndWrkOverIpv6_ToIpv4Nginx_ServersSeeTheIpv4LocalAddress_ListingAndTsharkChecksums(string backend)
    {
        using var lab = Lab.Up(mode: "nat64");
        var directory = Directory.CreateTempSubdirectory("lvt-nat64-");
        try
        {
            var capture = Path.Combine(directory.FullName, "sent.pcap");
            var socket = Path.Combine(directory.FullName, "lvsnet.sock");
            var yaml = $"""
                director:
                  interface: eth0
                  address: 10.77.0.2/24
                  address6: fd77::2/64
                capture:
                  backend: {backend}
                  capture_to: {capture}
                virtual_services:
                  - name: web64
                    protocol: tcp
                    address: fd77::100
                    port: 80
                    scheduler: rr
                    local_addresses: [10.77.0.50]
                    real_servers:
                      - address: {lab.Env["LVT_RS1_IP"]}
                        port: 8080
                        method: fullnat
                      - address: {lab.Env["LVT_RS2_IP"]}
                        port: 8080
                        method: fullnat
                """;
            using var daemon = DaemonProcess.Start(lab, yaml, "--socket", socket);
            daemon.WaitForEvent("ControlListening", Short);
            Assert.Equal(backend, daemon.WaitForEvent("Started", Short).GetProperty("Backend").GetString());
            if (backend == "afxdp")
            {
                // The XDP program must redirect what this service needs: the IPv6 VIP and the replies to its local addresses.
                daemon.WaitForEvent("XdpAttached", Short);
            }

            // 20 new connections over IPv6: rr alternates, and nginx (IPv4) saw the IPv4 local address.
            var peers = lab.Shell("client", "for i in $(seq 1 20); do curl -6 -s --max-time 3 'http://[fd77::100]/peer' || echo FAILED; done", TimeSpan.FromSeconds(90));
            Assert.True(peers.ExitCode == 0, peers.Output);
            var lines = peers.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).ToList();
            Assert.True(lines.Count == 20, peers.StandardOutput + "\n" + daemon.Log);
            Assert.All(lines, l => Assert.Matches(@"^rs[12] 10\.77\.0\.50$", l));
            Assert.Equal(10, lines.Count(l => l.StartsWith("rs1 ", StringComparison.Ordinal)));

            // A body larger than one segment in both directions (a 200 kB POST, the echo of its size).
            var post = lab.Shell("client", "head -c 200000 /dev/zero | curl -6 -s --max-time 10 --data-binary @- -o /dev/null -w '%{http_code} %{size_upload}' 'http://[fd77::100]/'", Short);
            Assert.True(post.ExitCode == 0, post.Output);
            Assert.Matches(@"^\d{3} 200000$", post.StandardOutput.Trim());

            // A bounded wrk run over IPv6 (3 s, 8 connections).
            var wrk = lab.Exec("client", Short, "wrk", "-t2", "-c8", "-d3s", "--timeout", "3s", "http://[fd77::100]/");
            Assert.True(wrk.ExitCode == 0, wrk.Output);
            Assert.Contains("requests in", wrk.StandardOutput, StringComparison.Ordinal);
            Assert.DoesNotContain("Socket errors", wrk.StandardOutput, StringComparison.Ordinal);
            Assert.DoesNotContain("Non-2xx", wrk.StandardOutput, StringComparison.Ordinal);

            // ipvsadm's layout: the IPv6 service in brackets, its IPv4 servers under it as FullNat.
            var listing = ProcessResult.Run("dotnet", [CliDll, "--socket", socket, "-L", "-n"], Short);
            Assert.True(listing.ExitCode == 0, listing.Output);
            Assert.Contains("\nTCP  [fd77::100]:80 rr\n", listing.StandardOutput, StringComparison.Ordinal);
            Assert.Matches(@"\n  -> " + lab.Env["LVT_RS1_IP"].Replace(".", "\\.", StringComparison.Ordinal) + @":8080\s+FullNat\s+1\s+\d+\s+\d+\s*\n", listing.StandardOutput);

            var (_, code) = daemon.Stop(TimeSpan.FromSeconds(10));
            Assert.Equal(0, code);
            var stats = daemon.ServerStatistics();
            Assert.True(stats[lab.Env["LVT_RS1_IP"] + ":8080"].GetProperty("OutPackets").GetInt64() > 0, "replies counted as OutPkts\n" + string.Join(", ", stats.Keys));

            // Every IPv4 TCP frame the director sent (to the real servers), decoded by tshark with
            // checksum validation on: 10.77.0.50 -> RIP:8080, TTL 63 (hop limit 64 − 1), good IPv4
            // header and TCP checksums, DF exactly on the packets over 1,260 bytes (RFC 7915 §5.1).
            var ipv4 = Tshark(capture, "ip && tcp", "-o", "ip.check_checksum:TRUE", "-e", "eth.src", "-e", "eth.dst", "-e", "ip.src", "-e", "ip.dst", "-e", "ip.ttl", "-e", "ip.checksum.status",
                "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.checksum.status", "-e", "tcp.checksum", "-e", "tcp.checksum_calculated", "-e", "ip.flags.df", "-e", "ip.len");
            Assert.True(ipv4.Count > 100, $"only {ipv4.Count} IPv4 frames captured");
            var serverIps = new[] { lab.Env["LVT_RS1_IP"], lab.Env["LVT_RS2_IP"] };
            var serverMacs = new[] { lab.Env["LVT_RS1_MAC"], lab.Env["LVT_RS2_MAC"] };
            Assert.All(ipv4, r =>
            {
                Assert.Equal(lab.Env["LVT_DIR_MAC"], r[0]);
                Assert.Contains(r[1], serverMacs);
                Assert.Equal("10.77.0.50", r[2]);
                Assert.Contains(r[3], serverIps);
                Assert.Equal(("63", "1", "8080"), (r[4], r[5], r[7]));
                Assert.InRange(int.Parse(r[6], CultureInfo.InvariantCulture), 1024, 65535);
                Assert.True(TcpChecksumStatus.IsGood(r[8], r[9], r[10]), "TCP checksum " + string.Join(' ', r));
                var large = int.Parse(r[12], CultureInfo.InvariantCulture) > 1260;
                Assert.Equal(large ? "1" : "0", r[11] is "True" ? "1" : r[11] is "False" ? "0" : r[11]);
            });

            // Every IPv6 TCP frame it sent (the replies): fd77::100:80 -> the client, hop limit 63, good checksums.
            var ipv6 = Tshark(capture, "ipv6 && tcp", "-e", "eth.dst", "-e", "ipv6.src", "-e", "ipv6.dst", "-e", "ipv6.hlim", "-e", "tcp.srcport", "-e", "tcp.checksum.status", "-e", "tcp.checksum", "-e", "tcp.checksum_calculated");
            Assert.True(ipv6.Count > 100, $"only {ipv6.Count} IPv6 frames captured");
            Assert.All(ipv6, r =>
            {
                Assert.Equal((lab.Env["LVT_CLIENT_MAC"], "fd77::100", "fd77::a", "63", "80"), (r[0], r[1], r[2], r[3], r[4]));
                Assert.True(TcpChecksumStatus.IsGood(r[5], r[6], r[7]), "TCP checksum " + string.Join(' ', r));
            });

            // The real servers resolved the IPv4 local address by ARP from the daemon.
            var neighbour = lab.Shell("rs1", "ip -4 neigh show 10.77.0.50", Short);
            Assert.True(neighbour.ExitCode == 0, neighbour.Output);
            Assert.Contains("lladdr " + lab.Env["LVT_DIR_MAC"], neighbour.StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static List<string[]> Tshark(string capture, string filter, params string[] fields)
    {
        var arguments = new List<string> { "-r", capture, "-c", "6000", "-n", "-o", "tcp.check_checksum:TRUE", "-Y", filter, "-T", "fields", "-E", "separator=/t" };
        arguments.AddRange(fields);
        var tshark = ProcessResult.Run("tshark", [.. arguments], Short);
        Assert.True(tshark.ExitCode == 0, tshark.Output);
        return [.. tshark.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t'))];
    }
}
