using LvsNet.Testing;
using Xunit;

namespace LvsNet.Lab.Tests;

/// <summary>
/// Fragmented IPv6 datagrams end to end: a real UDP echo service over IPv6 answers datagrams larger
/// than the MTU, so the client's kernel (and, for NAT and FULLNAT, the real server's) fragments them
/// (RFC 8200 §4.5); the director collects and forwards them, and tshark reassembles what it sent and
/// checks every UDP checksum.
/// </summary>
[Trait("Category", "Lab")]
public class Ipv6FragmentLabTests
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(60);

    // Echoes each datagram with the server's name in front; bound to the VIP in DR (so the answer
    // comes from it), to every address otherwise.
    private const string UdpEcho =
        "import socket,sys\n" +
        "s=socket.socket(socket.AF_INET6,socket.SOCK_DGRAM)\n" +
        "s.bind((sys.argv[2],int(sys.argv[3])))\n" +
        "s.settimeout(60)\n" +
        "try:\n" +
        "  while True:\n" +
        "    d,a=s.recvfrom(65535)\n" +
        "    s.sendto(sys.argv[1].encode()+b':'+d,a)\n" +
        "except socket.timeout:\n" +
        "  pass\n";

    // Sends datagrams of 3000 and 6000 bytes (3 and 5 fragments at MTU 1500) and checks each echo.
    private const string UdpClient =
        "import socket\n" +
        "for i in range(10):\n" +
        "  n=3000 if i%2==0 else 6000\n" +
        "  data=bytes((i*7+j)%251 for j in range(n))\n" +
        "  c=socket.socket(socket.AF_INET6,socket.SOCK_DGRAM)\n" +
        "  c.settimeout(2)\n" +
        "  c.sendto(data,('fd77::100',53))\n" +
        "  try:\n" +
        "    d,a=c.recvfrom(65535)\n" +
        "    name,_,echo=d.partition(b':')\n" +
        "    print(name.decode(), a[0], a[1], len(echo), echo==data)\n" +
        "  except socket.timeout:\n" +
        "    print('TIMEOUT')\n" +
        "  c.close()\n";

    [RequiresRootTheory]
    [InlineData("dr")]
    [InlineData("nat")]
    [InlineData("fullnat")]
    public void LargeUdpDatagrams_OverIpv6_CrossTheDirectorWhole(string method)
    {
        using var lab = Lab.Up(realServers: 1, mode: method, ipv6: true);
        var directory = Directory.CreateTempSubdirectory("lvt-frag6-").FullName;
        var capture = Path.Combine(directory, "sent.pcap");
        var dr = method == "dr";
        var udpPort = dr ? "53" : "5353";
        var echo = lab.Start("rs1", "python3", "-c", UdpEcho, "rs1", dr ? "fd77::100" : "::", udpPort);
        try
        {
            var locals = method == "fullnat" ? "\n    local_addresses: [fd77::50]" : string.Empty;
            var yaml = $"""
                director:
                  interface: eth0
                  address: 10.77.0.2/24
                  address6: fd77::2/64
                capture:
                  capture_to: {capture}
                http:
                  port: 9180
                virtual_services:
                  - protocol: udp
                    address: fd77::100
                    port: 53
                    scheduler: rr{locals}
                    real_servers:
                      - address: fd77::b
                        port: {udpPort}
                        method: {method}
                """;
            var socket = Path.Combine(directory, "lvsnetd.sock");
            using var daemon = DaemonProcess.Start(lab, yaml, "--socket", socket);
            daemon.WaitForEvent("ControlListening", Short);
            Thread.Sleep(500);

            var udp = lab.Exec("client", Short, "python3", "-c", UdpClient);
            var lines = udp.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(lines.Length == 10, udp.Output + "\n" + daemon.Log);
            Assert.All(lines, l => Assert.Equal("True", l.Split(' ')[^1]));
            Assert.All(lines, l => Assert.Equal(("rs1", "fd77::100", "53"), (l.Split(' ')[0], l.Split(' ')[1], l.Split(' ')[2])));

            // Every datagram went through whole; for NAT and FULLNAT the echoes too. Nothing refused, nothing left.
            var datagrams = dr ? 10 : 20;
            var metrics = lab.Exec("dir", Short, "curl", "-s", "http://127.0.0.1:9180/metrics");
            Assert.Contains($"\nlvsnet_fragments_datagrams_total {datagrams}\n", metrics.StandardOutput, StringComparison.Ordinal);
            foreach (var refused in new[] { "overlap", "duplicate", "tiny", "malformed", "timed_out", "pool_full" })
            {
                Assert.DoesNotMatch($"\nlvsnet_fragments_total{{result=\"{refused}\"}} [1-9]", metrics.StandardOutput);
            }

            Assert.Contains("\nlvsnet_fragments_buffers_in_use 0\n", metrics.StandardOutput, StringComparison.Ordinal);
            daemon.Stop(TimeSpan.FromSeconds(10));

            // What the director sent, reassembled by tshark, every UDP checksum checked (1 = good).
            var tshark = ProcessResult.Run(
                "tshark",
                ["-r", capture, "-n", "-o", "udp.check_checksum:TRUE", "-Y", "ipv6 && (ipv6.fraghdr || udp)", "-T", "fields", "-E", "separator=/t",
                 "-e", "ipv6.src", "-e", "ipv6.dst", "-e", "ipv6.hlim", "-e", "ipv6.fraghdr.offset", "-e", "ipv6.fraghdr.more",
                 "-e", "udp.srcport", "-e", "udp.dstport", "-e", "udp.checksum.status", "-e", "udp.length"],
                Short);
            Assert.True(tshark.ExitCode == 0, tshark.Output);
            var rows = tshark.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToList();
            Assert.All(rows, r => Assert.Equal("63", r[2]));

            // To the real server: 5 datagrams of 3 fragments and 5 of 5 (1,448 bytes of data a
            // fragment at MTU 1500), from the client (NAT, DR) or the local address (FULLNAT), each
            // reassembling into a datagram to the real port with a good checksum.
            var toServer = dr ? "fd77::100" : "fd77::b";
            var source = method == "fullnat" ? "fd77::50" : "fd77::a";
            Assert.True(rows.Count(r => r[1] == toServer) >= 40, tshark.StandardOutput);
            var requests = rows.Where(r => r[1] == toServer && r[6] == udpPort).ToList();
            Assert.Equal(10, requests.Count);
            Assert.All(requests, r => Assert.Equal((source, "1"), (r[0], r[7])));
            Assert.Equal(5, requests.Count(r => r[8] == "3008"));
            Assert.Equal(5, requests.Count(r => r[8] == "6008"));
            if (!dr)
            {
                // The echoes came back through the director in fragments: from VIP:53, checksums good.
                var replies = rows.Where(r => r[1] == "fd77::a" && r[5] == "53").ToList();
                Assert.Equal(10, replies.Count);
                Assert.All(replies, r => Assert.Equal(("fd77::100", "1"), (r[0], r[7])));
                Assert.True(rows.Count(r => r[1] == "fd77::a") >= 40, tshark.StandardOutput);
            }
        }
        finally
        {
            Lab.Stop(echo);
            Directory.Delete(directory, recursive: true);
        }
    }

    // The NAT64 real server's echo: IPv4, every address.
    private const string UdpEcho4 =
        "import socket,sys\n" +
        "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n" +
        "s.bind(('0.0.0.0',int(sys.argv[2])))\n" +
        "s.settimeout(60)\n" +
        "try:\n" +
        "  while True:\n" +
        "    d,a=s.recvfrom(65535)\n" +
        "    s.sendto(sys.argv[1].encode()+b':'+d,a)\n" +
        "except socket.timeout:\n" +
        "  pass\n";

    /// <summary>
    /// NAT64 with datagrams larger than the MTU both ways: the client's IPv6 fragments become IPv4
    /// fragments to the IPv4 real server (RFC 7915 §5.1.1), whose kernel reassembles them; its echo,
    /// fragmented by its kernel without DF, comes back as IPv6 fragments of at most 1,280 bytes (§4.1,
    /// §4). tshark reassembles both directions from what the director sent and checks the UDP checksums.
    /// </summary>
    [RequiresRootFact]
    public void LargeUdpDatagrams_ThroughNat64_AreTranslatedInFragments_BothWays()
    {
        using var lab = Lab.Up(realServers: 1, mode: "nat64");
        var directory = Directory.CreateTempSubdirectory("lvt-frag64-").FullName;
        var capture = Path.Combine(directory, "sent.pcap");
        var echo = lab.Start("rs1", "python3", "-c", UdpEcho4, "rs1", "5353");
        try
        {
            var yaml = $"""
                director:
                  interface: eth0
                  address: 10.77.0.2/24
                  address6: fd77::2/64
                capture:
                  capture_to: {capture}
                http:
                  port: 9180
                virtual_services:
                  - protocol: udp
                    address: fd77::100
                    port: 53
                    scheduler: rr
                    local_addresses: [10.77.0.50]
                    real_servers:
                      - address: {lab.Env["LVT_RS1_IP"]}
                        port: 5353
                        method: fullnat
                """;
            var socket = Path.Combine(directory, "lvsnetd.sock");
            using var daemon = DaemonProcess.Start(lab, yaml, "--socket", socket);
            daemon.WaitForEvent("ControlListening", Short);
            Thread.Sleep(500);

            // One small datagram first: the director learns the client's MAC only from its own
            // solicitation, and holds at most 4 frames per neighbour while it resolves (a 3,000-byte
            // echo leaves as 5 IPv6 fragments).
            var warmUp = lab.Exec("client", Short, "python3", "-c",
                "import socket\nc=socket.socket(socket.AF_INET6,socket.SOCK_DGRAM)\nc.settimeout(2)\nc.sendto(b'hello',('fd77::100',53))\nprint(c.recvfrom(100)[0].decode())\n");
            Assert.True(warmUp.ExitCode == 0 && warmUp.StandardOutput.Trim() == "rs1:hello", warmUp.Output + "\n" + daemon.Log);

            var udp = lab.Exec("client", Short, "python3", "-c", UdpClient);
            var lines = udp.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(lines.Length == 10, udp.Output + "\n" + daemon.Log);
            Assert.All(lines, l => Assert.Equal("True", l.Split(' ')[^1]));
            Assert.All(lines, l => Assert.Equal(("rs1", "fd77::100", "53"), (l.Split(' ')[0], l.Split(' ')[1], l.Split(' ')[2])));

            var metrics = lab.Exec("dir", Short, "curl", "-s", "http://127.0.0.1:9180/metrics");
            Assert.Contains("\nlvsnet_fragments_datagrams_total 20\n", metrics.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("\nlvsnet_fragments_buffers_in_use 0\n", metrics.StandardOutput, StringComparison.Ordinal);
            Assert.DoesNotMatch("reason=\"Nat64FragmentUntranslatable\"} [1-9]", metrics.StandardOutput);
            daemon.Stop(TimeSpan.FromSeconds(10));

            // IPv4 towards the real server: fragments from the local address, DF clear, each
            // datagram reassembled by tshark to the real port with a good checksum.
            var v4 = ProcessResult.Run(
                "tshark",
                ["-r", capture, "-n", "-o", "udp.check_checksum:TRUE", "-Y", "ip && (ip.flags.mf == 1 || ip.frag_offset > 0 || udp)", "-T", "fields", "-E", "separator=/t",
                 "-e", "ip.src", "-e", "ip.dst", "-e", "ip.ttl", "-e", "ip.flags.df", "-e", "ip.flags.mf", "-e", "ip.frag_offset",
                 "-e", "udp.dstport", "-e", "udp.checksum.status", "-e", "udp.length"],
                Short);
            Assert.True(v4.ExitCode == 0, v4.Output);
            var rows4 = v4.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToList();
            Assert.All(rows4, r => Assert.Equal(("10.77.0.50", lab.Env["LVT_RS1_IP"], "63", "0"), (r[0], r[1], r[2], r[3])));
            Assert.True(rows4.Count >= 40, v4.StandardOutput);
            var requests = rows4.Where(r => r[6] == "5353" && r[8] != "13").ToList(); // not the warm-up
            Assert.Equal(10, requests.Count);
            Assert.All(requests, r => Assert.Equal("1", r[7]));
            Assert.Equal(5, requests.Count(r => r[8] == "3008"));
            Assert.Equal(5, requests.Count(r => r[8] == "6008"));

            // IPv6 towards the client: Fragment Headers, no frame over 1,280 bytes of IPv6, each echo
            // (3,000 or 6,000 bytes and "rs1:") reassembled from VIP:53 with a good checksum.
            var v6 = ProcessResult.Run(
                "tshark",
                ["-r", capture, "-n", "-o", "udp.check_checksum:TRUE", "-Y", "ipv6 && (ipv6.fraghdr || udp)", "-T", "fields", "-E", "separator=/t",
                 "-e", "ipv6.src", "-e", "ipv6.dst", "-e", "ipv6.hlim", "-e", "ipv6.plen", "-e", "ipv6.fraghdr.offset",
                 "-e", "udp.srcport", "-e", "udp.checksum.status", "-e", "udp.length"],
                Short);
            Assert.True(v6.ExitCode == 0, v6.Output);
            var rows6 = v6.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToList();
            Assert.All(rows6, r => Assert.Equal(("fd77::100", "fd77::a", "63"), (r[0], r[1], r[2])));
            Assert.All(rows6, r => Assert.InRange(int.Parse(r[3], System.Globalization.CultureInfo.InvariantCulture), 9, 1280 - 40));
            Assert.True(rows6.Count >= 30, v6.StandardOutput);
            var replies = rows6.Where(r => r[5] == "53" && r[7] != "17").ToList(); // not the warm-up's echo
            Assert.Equal(10, replies.Count);
            Assert.All(replies, r => Assert.Equal("1", r[6]));
            Assert.Equal(5, replies.Count(r => r[7] == "3012"));
            Assert.Equal(5, replies.Count(r => r[7] == "6012"));
        }
        finally
        {
            Lab.Stop(echo);
            Directory.Delete(directory, recursive: true);
        }
    }
}
