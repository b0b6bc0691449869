using LvsNet.Testing;
using Xunit;

namespace LvsNet.Lab.Tests;

/// <summary>
/// ICMPv6 and persistence over the IPv6 lab (lab.sh --ipv6, ULA fd77::/64 inside its namespaces):
/// ping -6 to the VIP answered by the director, a UDP datagram to a service without an available
/// server refused with port unreachable (the client's socket sees ECONNREFUSED), a datagram with hop
/// limit 1 answered with time exceeded, curl from one client pinned to one server by a /64
/// persistence template; tshark decodes what the director sent.
/// </summary>
[Trait("Category", "Lab")]
public class Icmpv6LabTests
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(30);

    [RequiresRootFact]
    public void Ipv6Vip_AnswersPing_RefusesAndExpiresWithIcmpv6_AndPersistencePinsTheClient()
    {
        using var lab = Lab.Up(ipv6: true);
        var directory = Directory.CreateTempSubdirectory("lvt-icmpv6-");
        try
        {
            var capture = Path.Combine(directory.FullName, "sent.pcap");
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
                    persistence_timeout: 300
                    persistence_netmask: /64
                    real_servers:
                      - address: fd77::b
                      - address: fd77::c
                  - name: dns6
                    protocol: udp
                    address: fd77::101
                    port: 5353
                    scheduler: rr
                    real_servers:
                      - address: fd77::b
                        weight: 0
                """;
            using var daemon = DaemonProcess.Start(lab, yaml);
            daemon.WaitForEvent("ControlListening", Short);

            var ping = lab.Shell("client", "ping -6 -n -c 3 -i 0.2 -W 2 fd77::100", Short);
            Assert.True(ping.ExitCode == 0, ping.Output + "\n" + daemon.Log);
            Assert.Contains("3 received", ping.StandardOutput, StringComparison.Ordinal);

            // A connected UDP socket reports the port unreachable the director sent as ECONNREFUSED.
            const string Refused = """
                import socket
                s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
                s.settimeout(3)
                s.connect(("fd77::101", 5353))
                s.send(b"query")
                try:
                    s.recv(100)
                    print("ANSWERED")
                except ConnectionRefusedError:
                    print("REFUSED")
                except socket.timeout:
                    print("TIMEOUT")
                """;
            var refused = lab.Shell("client", $"python3 -c '{Refused}'", Short);
            Assert.True(refused.StandardOutput.Trim() == "REFUSED", refused.Output + "\n" + daemon.Log);

            // Hop limit 1 to the VIP: time exceeded (the client's socket learns nothing, tshark checks it).
            const string Expiring = """
                import socket
                s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 1)
                s.sendto(b"hop", ("fd77::100", 80))
                """;
            var expiring = lab.Shell("client", $"python3 -c '{Expiring}'; sleep 1", Short);
            Assert.True(expiring.ExitCode == 0, expiring.Output);

            // Persistence /64: every new connection of the one client goes to the same server (rr alone would alternate).
            var curl = lab.Shell("client", "for i in $(seq 1 8); do curl -6 -s --max-time 3 'http://[fd77::100]/' || echo FAILED; done", TimeSpan.FromSeconds(60));
            var answers = curl.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).Distinct().ToList();
            Assert.True(answers.Count == 1 && answers[0] is "rs1" or "rs2", curl.Output + "\n" + daemon.Log);

            var (_, code) = daemon.Stop(TimeSpan.FromSeconds(10));
            Assert.Equal(0, code);

            var tshark = ProcessResult.Run(
                "tshark",
                ["-r", capture, "-n", "-Y", "icmpv6.type == 129 || icmpv6.type == 1 || icmpv6.type == 3", "-T", "fields", "-E", "separator=/t",
                 "-e", "icmpv6.type", "-e", "icmpv6.code", "-e", "ipv6.src", "-e", "ipv6.dst", "-e", "icmpv6.checksum.status", "-e", "eth.src", "-e", "eth.dst", "-e", "udp.dstport"],
                Short);
            Assert.True(tshark.ExitCode == 0, tshark.Output);
            // An error's ipv6.src/ipv6.dst list the outer then the quoted packet's addresses.
            var rows = tshark.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToList();
            var from = (lab.Env["LVT_DIR_MAC"], lab.Env["LVT_CLIENT_MAC"]);
            Assert.Equal(3, rows.Count(r => r[0] == "129"));
            Assert.All(rows, r => Assert.Equal(("fd77::a", "1"), (r[3].Split(',')[0], r[4])));
            Assert.All(rows, r => Assert.Equal(from, (r[5], r[6])));
            Assert.Contains(rows, r => r[0] == "129" && r[1] == "0" && r[2] == "fd77::100");
            Assert.Contains(rows, r => r[0] == "1" && r[1] == "4" && r[2] == "fd77::101,fd77::a" && r[3] == "fd77::a,fd77::101" && r[7] == "5353");
            Assert.Contains(rows, r => r[0] == "3" && r[1] == "0" && r[2] == "fd77::100,fd77::a" && r[3] == "fd77::a,fd77::100" && r[7] == "80");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
