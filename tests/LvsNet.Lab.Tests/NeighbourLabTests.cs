using LvsNet.Testing;
using Xunit;

namespace LvsNet.Lab.Tests;

/// <summary>
/// ARP poisoning from the segment against the real daemon (issue 13): a host that claims real
/// servers' addresses must not move their traffic.
/// </summary>
[Trait("Category", "Lab")]
public class NeighbourLabTests
{
    // Sends hostile ARP from the client's eth0 with the client's own MAC as the claimed sender MAC:
    // the frame of the issue (who-has VIP, sender IP = rs1), a gratuitous claim of rs2, and a reply
    // to the director that it never asked for. argv: director MAC, rounds.
    private const string Attack =
        """
        import socket, struct, sys, time
        own = bytes.fromhex(open('/sys/class/net/eth0/address').read().strip().replace(':', ''))
        director = bytes.fromhex(sys.argv[1].replace(':', ''))
        zero, broadcast = b'\x00' * 6, b'\xff' * 6
        def arp(dst, op, spa, tha, tpa):
            return dst + own + b'\x08\x06' + struct.pack('!HHBBH', 1, 0x0800, 6, 4, op) + own + socket.inet_aton(spa) + tha + socket.inet_aton(tpa) + b'\x00' * 18
        frames = [arp(broadcast, 1, '10.77.0.11', zero, '10.77.0.100'),
                  arp(broadcast, 1, '10.77.0.12', zero, '10.77.0.12'),
                  arp(director, 2, '10.77.0.11', director, '10.77.0.2')]
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        s.bind(('eth0', 0))
        for _ in range(int(sys.argv[2])):
            for f in frames:
                s.send(f)
            time.sleep(0.05)
        """;

    [RequiresRootFact]
    public void Poisoning_FromTheSegment_DoesNotMoveRealServers_AndIsReported()
    {
        using var lab = Lab.Up();
        using var daemon = DaemonProcess.Start(lab, DirectRoutingLabTests.Config("rr"));
        var warm = lab.Requests(10);
        Assert.Equal(5, warm.GetValueOrDefault("rs1"));

        // The client learned the VIP's MAC from the daemon's ARP reply: that is the director's MAC.
        var neigh = lab.Exec("client", TimeSpan.FromSeconds(10), "ip", "-br", "neigh", "show", lab.Vip);
        var directorMac = neigh.StandardOutput.Split(' ', StringSplitOptions.RemoveEmptyEntries).First(w => w.Count(c => c == ':') == 5);

        var script = Path.Combine(Path.GetTempPath(), $"lvt-arp-attack-{lab.Id}.py");
        File.WriteAllText(script, Attack);
        try
        {
            var attack = lab.Exec("client", TimeSpan.FromSeconds(60), "python3", script, directorMac, "40");
            Assert.True(attack.ExitCode == 0, attack.Output);

            // Before the neighbour rules, one such frame sent every rs1 connection to the client's MAC.
            var answers = lab.Requests(40);
            Assert.Equal(20, answers.GetValueOrDefault("rs1"));
            Assert.Equal(20, answers.GetValueOrDefault("rs2"));
            Assert.Equal(0, answers.GetValueOrDefault("FAILED"));
        }
        finally
        {
            File.Delete(script);
        }

        var refused = daemon.WaitForEvent("NeighbourUpdateRefused", TimeSpan.FromSeconds(5));
        Assert.Contains("Unsolicited", refused.ToString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// NAT without a gateway: every client is resolved directly, so SYNs from thousands of spoofed
    /// sources make the director resolve each one (rs1's SYN-ACKs come back through it) and fill its
    /// 4,096-entry neighbour table with addresses that never answer. A real server brought into use
    /// afterwards must still be resolved and served; before the table took such entries back, it got
    /// no entry and every connection scheduled to it failed.
    /// </summary>
    [RequiresRootFact]
    public void SpoofedOnLinkSources_FillTheNeighbourTable_ARealServerBroughtInAfterwardsIsStillServed()
    {
        using var lab = Lab.Up(mode: "nat");
        var work = Directory.CreateTempSubdirectory("lvt-neigh-");
        try
        {
            var socket = Path.Combine(work.FullName, "lvsnetd.sock");
            using var daemon = DaemonProcess.Start(lab, DirectRoutingLabTests.Config("rr", weight2: 0, method: "nat"), "--socket", socket);
            Assert.Equal(4, lab.Requests(4).GetValueOrDefault("rs1"));

            // 6,000 SYNs from random addresses of 10.79.0.0/16 (about 5,700 distinct), off the segment.
            var flood = lab.Exec("client", TimeSpan.FromSeconds(60), "python3", "-c", FloodDefenceLabTests.SynFlood, "10.79.0.0", "6000", "65536");
            Assert.True(flood.ExitCode == 0, flood.Output);

            // rs1 answers each SYN through the director, which resolves every spoofed source: the table fills.
            string status = string.Empty;
            var wait = System.Diagnostics.Stopwatch.StartNew();
            while (wait.Elapsed < TimeSpan.FromSeconds(10))
            {
                status = HaLabTools.Adm(socket, "status").StandardOutput;
                if (status.Contains("neighbours: IPv4 4096/4096 in table", StringComparison.Ordinal))
                {
                    break;
                }

                Thread.Sleep(200);
            }

            Assert.Contains("neighbours: IPv4 4096/4096 in table", status, StringComparison.Ordinal);

            // rs2 into use: it has never been resolved, and every entry is held by a spoofed address.
            var edit = HaLabTools.Adm(socket, "-e", "-t", "10.77.0.100:80", "-r", "10.77.0.12:80", "-m", "-w", "1");
            Assert.True(edit.ExitCode == 0, edit.Output);
            var answers = lab.Requests(20);
            Assert.Equal(10, answers.GetValueOrDefault("rs1"));
            Assert.Equal(10, answers.GetValueOrDefault("rs2"));

            // The spoofed addresses fail after three unanswered requests (3 s): thousands of failures,
            // one log line (the first at once, the next only 10 s later, with the count since).
            daemon.WaitForEvent("NeighbourUnresolved", TimeSpan.FromSeconds(10));
            Thread.Sleep(2000);
            status = HaLabTools.Adm(socket, "status").StandardOutput;
            var counts = System.Text.RegularExpressions.Regex.Match(status, @"neighbours: IPv4 \d+/4096 in table, \d+ ARP requests sent, (\d+) failed, (\d+) taken");
            Assert.True(counts.Success, status);
            Assert.True(long.Parse(counts.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= 1000, status);
            Assert.True(long.Parse(counts.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) >= 1000, status);
            Assert.Single(daemon.Events("NeighbourUnresolved"));
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }
}
