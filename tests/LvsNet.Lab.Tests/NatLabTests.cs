using LvsNet.Testing;
using Xunit;

namespace LvsNet.Lab.Tests;

/// <summary>NAT end to end: real servers route through the director, which DNATs requests and un-NATs replies.</summary>
[Trait("Category", "Lab")]
public class NatLabTests
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(60);

    private static string Config(string captureTo) =>
        DirectRoutingLabTests.Config("rr", extra: $"capture:\n  capture_to: {captureTo}", method: "nat", realPort: 8080);

    [RequiresRootFact]
    public void Nat_PortMapping_RepliesThroughDirector_ChecksumsVerifyInTshark()
    {
        using var lab = Lab.Up(mode: "nat");
        var capture = Path.Combine(Directory.CreateTempSubdirectory("lvt-nat-").FullName, "sent.pcap");
        try
        {
            using var daemon = DaemonProcess.Start(lab, Config(capture));
            var answers = lab.Requests(20);
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

    private const string UdpEcho =
        "import socket,sys\n" +
        "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n" +
        "s.bind(('0.0.0.0',5353))\n" +
        "s.settimeout(60)\n" +
        "try:\n" +
        "  while True:\n" +
        "    d,a=s.recvfrom(2048)\n" +
        "    s.sendto(sys.argv[1].encode()+b':'+d,a)\n" +
        "except socket.timeout:\n" +
        "  pass\n";

    private const string UdpClient =
        "import socket\n" +
        "answers=[]\n" +
        "for i in range(20):\n" +
        "  c=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n" +
        "  c.settimeout(2)\n" +
        "  c.sendto(b'ping%d' % i,('10.77.0.100',53))\n" +
        "  try:\n" +
        "    d,a=c.recvfrom(2048)\n" +
        "    print(d.decode(), a[0], a[1])\n" +
        "  except socket.timeout:\n" +
        "    print('TIMEOUT')\n" +
        "  c.close()\n";

    [RequiresRootFact]
    public void Udp_ThroughNat_ToARealUdpService()
    {
        using var lab = Lab.Up(mode: "nat");
        var servers = new[] { "rs1", "rs2" }.Select(rs => lab.Start(rs, "python3", "-c", UdpEcho, rs)).ToList();
        try
        {
            var yaml = """
                director:
                  interface: eth0
                  address: 10.77.0.2/24
                virtual_services:
                  - protocol: udp
                    address: 10.77.0.100
                    port: 53
                    scheduler: rr
                    real_servers:
                      - address: 10.77.0.11
                        port: 5353
                        method: nat
                      - address: 10.77.0.12
                        port: 5353
                        method: nat
                """;
            using var daemon = DaemonProcess.Start(lab, yaml);
            Thread.Sleep(500);
            var result = lab.Exec("client", Short, "python3", "-c", UdpClient);
            var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(20, lines.Length);
            Assert.DoesNotContain("TIMEOUT", lines);

            // Each datagram comes from a new client port, so rr alternates; replies come from VIP:53.
            Assert.Equal(10, lines.Count(l => l.StartsWith("rs1:", StringComparison.Ordinal)));
            Assert.Equal(10, lines.Count(l => l.StartsWith("rs2:", StringComparison.Ordinal)));
            Assert.All(lines, l => Assert.EndsWith(" 10.77.0.100 53", l, StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("rs1:ping0 ", StringComparison.Ordinal) || l.StartsWith("rs2:ping0 ", StringComparison.Ordinal));
        }
        finally
        {
            foreach (var server in servers)
            {
                Lab.Stop(server);
            }
        }
    }
}
