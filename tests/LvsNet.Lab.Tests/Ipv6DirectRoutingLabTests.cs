using LvsNet.Testing;
using Xunit;

namespace LvsNet.Lab.Tests;

/// <summary>
/// IPv6 DR end to end: the lab with IPv6 (ULA fd77::/64 inside its namespaces), real lvsnetd on the
/// director answering neighbour solicitations for the IPv6 VIP and resolving the real servers
/// with ND, nginx real servers holding the VIP on lo, curl over IPv6, and tshark decoding what
/// the director sent.
/// </summary>
[Trait("Category", "Lab")]
public class Ipv6DirectRoutingLabTests
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(30);

    private static string CliDll =>
        Path.Combine(TestEnvironment.RepositoryRoot, "src", "LvsNet.Cli", "bin", Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(DaemonProcess.DaemonDll)!)!), "net10.0", "lvsnetadm.dll");

    [RequiresRootFact]
    public void Ipv6Service_CurlOverIpv6_SplitsRoundRobin_AndTheDirectorOnlyRewroteMacsAndHopLimit()
    {
        using var lab = Lab.Up(ipv6: true);
        var directory = Directory.CreateTempSubdirectory("lvt-ipv6-");
        try
        {
            var capture = Path.Combine(directory.FullName, "sent.pcap");
            var socket = Path.Combine(directory.FullName, "lvsnet.sock");
            var yaml = $"""
                director:
                  interface: eth0
                  address: 10.77.0.2/24
                capture:
                  capture_to: {capture}
                virtual_services:
                  - name: web6
                    protocol: tcp
                    address: fd77::100
                    port: 80
                    scheduler: rr
                    real_servers:
                      - address: fd77::b
                      - address: fd77::c
                """;
            using var daemon = DaemonProcess.Start(lab, yaml, "--socket", socket);
            daemon.WaitForEvent("ControlListening", Short);

            // 20 connections, each new: rr alternates. The client resolves the VIP through the
            // daemon's advertisements; the daemon resolves rs1 and rs2 with its own solicitations.
            var curl = lab.Shell("client", "for i in $(seq 1 20); do curl -6 -s --max-time 3 'http://[fd77::100]/' || echo FAILED; done", TimeSpan.FromSeconds(90));
            Assert.True(curl.ExitCode == 0, curl.Output);
            var answers = curl.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).GroupBy(l => l.Trim()).ToDictionary(g => g.Key, g => g.Count());
            Assert.True(answers.GetValueOrDefault("rs1") == 10 && answers.GetValueOrDefault("rs2") == 10, curl.StandardOutput + "\n" + daemon.Log);

            // The real server saw the client's own address (DR keeps the packet as it came).
            var peer = lab.Shell("client", "curl -6 -s --max-time 3 'http://[fd77::100]/peer'", Short);
            Assert.Matches(@"^rs[12] fd77::a\s*$", peer.StandardOutput);

            // ipvsadm's IPv6 layout: the address in brackets.
            var listing = ProcessResult.Run("dotnet", [CliDll, "--socket", socket, "-L", "-n"], Short);
            Assert.True(listing.ExitCode == 0, listing.Output);
            Assert.Contains("\nTCP  [fd77::100]:80 rr\n", listing.StandardOutput, StringComparison.Ordinal);
            Assert.Matches(@"\n  -> \[fd77::b\]:80\s+Route\s+1\s+\d+\s+\d+\s*\n", listing.StandardOutput);
            Assert.Matches(@"\n  -> \[fd77::c\]:80\s+Route\s+1\s+\d+\s+\d+\s*\n", listing.StandardOutput);

            var (_, code) = daemon.Stop(TimeSpan.FromSeconds(10));
            Assert.Equal(0, code);

            // What the director sent, decoded by tshark: TCP to the VIP from the client, from the
            // director's MAC to rs1's or rs2's, hop limit one less than the client's 64 (IPVS
            // decrements it in every method), TCP checksum still good.
            var tshark = ProcessResult.Run(
                "tshark",
                ["-r", capture, "-n", "-o", "tcp.check_checksum:TRUE", "-Y", "ipv6 && tcp", "-T", "fields", "-E", "separator=/t",
                 "-e", "eth.src", "-e", "eth.dst", "-e", "ipv6.src", "-e", "ipv6.dst", "-e", "ipv6.hlim", "-e", "tcp.dstport", "-e", "tcp.checksum.status"],
                Short);
            Assert.True(tshark.ExitCode == 0, tshark.Output);
            var rows = tshark.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToList();
            Assert.True(rows.Count >= 21 * 3, $"{rows.Count} TCP frames sent\n{tshark.StandardOutput}");
            var serverMacs = new[] { lab.Env["LVT_RS1_MAC"], lab.Env["LVT_RS2_MAC"] };
            Assert.All(rows, r =>
            {
                Assert.Equal(lab.Env["LVT_DIR_MAC"], r[0]);
                Assert.Contains(r[1], serverMacs);
                Assert.Equal(("fd77::a", "fd77::100", "63", "80", "1"), (r[2], r[3], r[4], r[5], r[6]));
            });

            // Neighbour discovery as tshark reads it: advertisements for the VIP (solicited to the
            // client, and the unsolicited one at start), solicitations for rs1 and rs2.
            var nd = ProcessResult.Run(
                "tshark",
                ["-r", capture, "-n", "-Y", "icmpv6.type == 135 || icmpv6.type == 136", "-T", "fields", "-E", "separator=/t",
                 "-e", "icmpv6.type", "-e", "icmpv6.nd.ns.target_address", "-e", "icmpv6.nd.na.target_address", "-e", "icmpv6.nd.na.flag.s", "-e", "ipv6.hlim", "-e", "icmpv6.checksum.status"],
                Short);
            Assert.True(nd.ExitCode == 0, nd.Output);
            var ndRows = nd.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToList();
            Assert.All(ndRows, r => Assert.Equal(("255", "1"), (r[4], r[5])));
            Assert.Contains(ndRows, r => r[0] == "135" && r[1] == "fd77::b");
            Assert.Contains(ndRows, r => r[0] == "135" && r[1] == "fd77::c");
            Assert.Contains(ndRows, r => r[0] == "136" && r[2] == "fd77::100" && r[3] is "1" or "True");
            Assert.Contains(ndRows, r => r[0] == "136" && r[2] == "fd77::100" && r[3] is "0" or "False");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [RequiresRootFact]
    public void SolicitedNodeGroups_FollowTheIpv6Vips_AndLeaveWithTheDaemon()
    {
        // What the kernel's multicast list of the director's eth0 holds, as `ip maddr` prints it:
        // the independent view of the memberships (a physical NIC filters by this list).
        using var lab = Lab.Up(ipv6: true);
        static string Yaml(string vip) => $"""
            director:
              interface: eth0
              address: 10.77.0.2/24
            virtual_services:
              - name: web6
                protocol: tcp
                address: {vip}
                port: 80
                scheduler: rr
                real_servers:
                  - address: fd77::b
            """;
        string Groups() => lab.Exec("dir", Short, "ip", "maddr", "show", "dev", "eth0").StandardOutput;

        // Before: neither VIP's group (fd77::100 -> 33:33:ff:00:01:00, fd77::1:200 -> 33:33:ff:01:02:00).
        Assert.DoesNotContain("33:33:ff:00:01:00", Groups(), StringComparison.Ordinal);
        Assert.DoesNotContain("33:33:ff:01:02:00", Groups(), StringComparison.Ordinal);
        var daemon = DaemonProcess.Start(lab, Yaml("fd77::100"));
        try
        {
            daemon.WaitForEvent("MulticastGroups", Short);
            Assert.Contains("link  33:33:ff:00:01:00", Groups(), StringComparison.Ordinal);
            var curl = lab.Shell("client", "curl -6 -s --max-time 3 'http://[fd77::100]/'", Short);
            Assert.Equal("rs1", curl.StandardOutput.Trim());

            // A reload that moves the VIP joins the new group and leaves the old one.
            File.WriteAllText(daemon.ConfigPath, Yaml("fd77::1:200"));
            daemon.Signal("HUP");
            daemon.WaitForEvent("ConfigApplied", Short);
            var deadline = DateTime.UtcNow + Short;
            while (!Groups().Contains("33:33:ff:01:02:00", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(100);
            }

            var moved = Groups();
            Assert.Contains("link  33:33:ff:01:02:00", moved, StringComparison.Ordinal);
            Assert.DoesNotContain("33:33:ff:00:01:00", moved, StringComparison.Ordinal);

            // SIGKILL: no clean-up code runs, and the kernel still drops the memberships with the socket.
            daemon.Signal("KILL");
            deadline = DateTime.UtcNow + Short;
            while (Groups().Contains("33:33:ff:01:02:00", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(100);
            }

            Assert.DoesNotContain("33:33:ff:01:02:00", Groups(), StringComparison.Ordinal);
            Assert.DoesNotContain("33:33:ff:00:01:00", Groups(), StringComparison.Ordinal);
        }
        finally
        {
            daemon.Dispose();
        }
    }
}
