using LvsNet.Testing;
using Xunit;

namespace LvsNet.Lab.Tests;

/// <summary>
/// IPv6 FULLNAT end to end: the lab with IPv6 in fullnat mode (nothing on the real servers: they
/// answer the director's IPv6 local address on the link), real lvsnetd rewriting
/// fd77::a → fd77::100:80 to fd77::50:lport → RIP:8080 and the replies back, nginx real servers
/// seeing the local address as their peer (resolved through the daemon's neighbour advertisements),
/// curl and a bounded wrk over IPv6, the ipvsadm listing, and tshark decoding every TCP frame the
/// director sent (checksums, hop limits); on the pcap, afpacket and afxdp backends (the XDP program redirects
/// the IPv6 VIP and the replies to IPv6 local addresses).
/// </summary>
[Trait("Category", "Lab")]
public class Ipv6FullNatLabTests
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(60);

    private static string CliDll =>
        Path.Combine(TestEnvironment.RepositoryRoot, "src", "LvsNet.Cli", "bin", Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(DaemonProcess.DaemonDll)!)!), "net10.0", "lvsnetadm.dll");

    [RequiresRootTheory]
    [InlineData("pcap")]
    [InlineData("afpacket")]
    [InlineData("afxdp")]
    public void Ipv6FullNat_CurlAndWrk_ServersSeeTheLocalAddress_ListingAndTsharkChecksumsAndHopLimits(string backend)
    {
        using var lab = Lab.Up(mode: "fullnat", ipv6: true);
        var directory = Directory.CreateTempSubdirectory("lvt-ipv6fnat-");
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
                  - name: web6
                    protocol: tcp
                    address: fd77::100
                    port: 80
                    scheduler: rr
                    local_addresses: [fd77::50]
                    real_servers:
                      - address: fd77::b
                        port: 8080
                        method: fullnat
                      - address: fd77::c
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

            // 20 new connections: rr alternates, and nginx saw the local address, never the client.
            var peers = lab.Shell("client", "for i in $(seq 1 20); do curl -6 -s --max-time 3 'http://[fd77::100]/peer' || echo FAILED; done", TimeSpan.FromSeconds(90));
            Assert.True(peers.ExitCode == 0, peers.Output);
            var lines = peers.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).ToList();
            Assert.True(lines.Count == 20, peers.StandardOutput + "\n" + daemon.Log);
            Assert.All(lines, l => Assert.Matches(@"^rs[12] fd77::50$", l));
            Assert.Equal(10, lines.Count(l => l.StartsWith("rs1 ", StringComparison.Ordinal)));

            // A bounded wrk run over IPv6 (3 s, 8 connections).
            var wrk = lab.Exec("client", Short, "wrk", "-t2", "-c8", "-d3s", "--timeout", "3s", "http://[fd77::100]/");
            Assert.True(wrk.ExitCode == 0, wrk.Output);
            Assert.Contains("requests in", wrk.StandardOutput, StringComparison.Ordinal);
            Assert.DoesNotContain("Socket errors", wrk.StandardOutput, StringComparison.Ordinal);
            Assert.DoesNotContain("Non-2xx", wrk.StandardOutput, StringComparison.Ordinal);

            // ipvsadm's layout: IPv6 in brackets, the forwarding column FullNat (as for IPv4 FULLNAT).
            var listing = ProcessResult.Run("dotnet", [CliDll, "--socket", socket, "-L", "-n"], Short);
            Assert.True(listing.ExitCode == 0, listing.Output);
            Assert.Contains("\nTCP  [fd77::100]:80 rr\n", listing.StandardOutput, StringComparison.Ordinal);
            Assert.Matches(@"\n  -> \[fd77::b\]:8080\s+FullNat\s+1\s+\d+\s+\d+\s*\n", listing.StandardOutput);

            var (_, code) = daemon.Stop(TimeSpan.FromSeconds(10));
            Assert.Equal(0, code);
            var stats = daemon.ServerStatistics();
            Assert.True(stats["[fd77::b]:8080"].GetProperty("OutPackets").GetInt64() > 0, "replies counted as OutPkts\n" + string.Join(", ", stats.Keys));

            // Every TCP frame the director sent, decoded by tshark with checksum validation on:
            // requests fd77::50 -> RIP:8080, replies fd77::100:80 -> fd77::a, hop limit 63, good checksums.
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
                Assert.Equal(("fd77::50", "63", "8080", "1"), (r[2], r[4], r[6], r[7]));
                Assert.InRange(int.Parse(r[5], System.Globalization.CultureInfo.InvariantCulture), 1024, 65535);
            });
            Assert.All(toClient, r => Assert.Equal((lab.Env["LVT_CLIENT_MAC"], "fd77::100", "63", "80", "1"), (r[1], r[2], r[4], r[5], r[7])));

            // The real servers resolved the local address through the daemon's advertisements: their
            // neighbour entry for fd77::50 holds the director's MAC.
            var neighbour = lab.Shell("rs1", "ip -6 neigh show fd77::50", Short);
            Assert.True(neighbour.ExitCode == 0, neighbour.Output);
            Assert.Contains("lladdr " + lab.Env["LVT_DIR_MAC"], neighbour.StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
