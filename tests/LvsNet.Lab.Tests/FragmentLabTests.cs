using LvsNet.Testing;
using Xunit;

namespace LvsNet.Lab.Tests;

/// <summary>
/// Fragmented datagrams end to end: a real UDP echo service answers datagrams larger than the MTU
/// (the client's and, for NAT, the real server's kernel fragment them), and a TCP peer sends a
/// SYN in two fragments. tshark reassembles what the director sent and checks every checksum.
/// </summary>
[Trait("Category", "Lab")]
public class FragmentLabTests
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(60);

    // Echoes each datagram with the server's name in front; bound to the VIP in DR (so the answer
    // comes from it), to every address in NAT.
    private const string UdpEcho =
        "import socket,sys\n" +
        "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n" +
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
        "ok=0\n" +
        "for i in range(10):\n" +
        "  n=3000 if i%2==0 else 6000\n" +
        "  data=bytes((i*7+j)%251 for j in range(n))\n" +
        "  c=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n" +
        "  c.settimeout(2)\n" +
        "  c.sendto(data,('10.77.0.100',53))\n" +
        "  try:\n" +
        "    d,a=c.recvfrom(65535)\n" +
        "    name,_,echo=d.partition(b':')\n" +
        "    print(name.decode(), a[0], a[1], len(echo), echo==data)\n" +
        "  except socket.timeout:\n" +
        "    print('TIMEOUT')\n" +
        "  c.close()\n";

    // A TCP SYN to VIP:80 carrying 40 bytes, sent as two IP fragments (24 + 36 bytes) through a raw
    // socket; the TCP checksum is computed here (RFC 793 pseudo-header).
    private const string FragmentedSyn =
        "import socket,struct\n" +
        "def csum(b):\n" +
        "  if len(b)%2: b+=b'\\0'\n" +
        "  s=sum(struct.unpack('!%dH'%(len(b)//2),b))\n" +
        "  while s>>16: s=(s&0xffff)+(s>>16)\n" +
        "  return (~s)&0xffff\n" +
        "src=socket.inet_aton('10.77.0.10'); dst=socket.inet_aton('10.77.0.100')\n" +
        "data=bytes(range(40))\n" +
        "tcp=struct.pack('!HHIIBBHHH',45678,80,1000,0,5<<4,0x02,65535,0,0)+data\n" +
        "c=csum(src+dst+struct.pack('!BBH',0,6,len(tcp))+tcp)\n" +
        "tcp=tcp[:16]+struct.pack('!H',c)+tcp[18:]\n" +
        "s=socket.socket(socket.AF_INET,socket.SOCK_RAW,socket.IPPROTO_RAW)\n" +
        "for off,length,more in ((0,24,1),(24,36,0)):\n" +
        "  part=tcp[off:off+length]\n" +
        "  ip=struct.pack('!BBHHHBBH4s4s',0x45,0,20+length,0x7777,(more<<13)|(off//8),64,6,0,src,dst)\n" +
        "  s.sendto(ip+part,('10.77.0.100',0))\n" +
        "print('sent')\n";

    [RequiresRootTheory]
    [InlineData("dr")]
    [InlineData("nat")]
    public void LargeUdpDatagrams_AndAFragmentedSyn_CrossTheDirectorWhole(string method)
    {
        using var lab = Lab.Up(realServers: 1, mode: method);
        var directory = Directory.CreateTempSubdirectory("lvt-frag-").FullName;
        var capture = Path.Combine(directory, "sent.pcap");
        var nat = method == "nat";
        var udpPort = nat ? "5353" : "53";
        var echo = lab.Start("rs1", "python3", "-c", UdpEcho, "rs1", nat ? "0.0.0.0" : "10.77.0.100", udpPort);
        try
        {
            var yaml = $"""
                director:
                  interface: eth0
                  address: 10.77.0.2/24
                capture:
                  capture_to: {capture}
                http:
                  port: 9180
                virtual_services:
                  - protocol: udp
                    address: 10.77.0.100
                    port: 53
                    scheduler: rr
                    real_servers:
                      - address: 10.77.0.11
                        port: {udpPort}
                        method: {method}
                  - protocol: tcp
                    address: 10.77.0.100
                    port: 80
                    scheduler: rr
                    real_servers:
                      - address: 10.77.0.11
                        port: {(nat ? 8080 : 80)}
                        method: {method}
                """;
            var socket = Path.Combine(directory, "lvsnetd.sock");
            using var daemon = DaemonProcess.Start(lab, yaml, "--socket", socket);
            daemon.WaitForEvent("ControlListening", Short);
            Thread.Sleep(500);

            var udp = lab.Exec("client", Short, "python3", "-c", UdpClient);
            var lines = udp.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(lines.Length == 10, udp.Output);
            Assert.All(lines, l => Assert.Equal("True", l.Split(' ')[^1]));
            Assert.All(lines, l => Assert.Equal(("rs1", "10.77.0.100", "53"), (l.Split(' ')[0], l.Split(' ')[1], l.Split(' ')[2])));

            var syn = lab.Exec("client", Short, "python3", "-c", FragmentedSyn);
            Assert.True(syn.ExitCode == 0, syn.Output);
            Thread.Sleep(500);

            // The counters, in the status and the metrics. By the MTU (1,480 bytes of IP payload a
            // fragment): a 3,008-byte UDP datagram is 3 fragments, a 6,008-byte one 5, the SYN 2; for
            // NAT the echoes (4 bytes longer) come back through the director in as many.
            var (held, datagrams) = nat ? (82, 21) : (42, 11);
            var status = HaLabTools.Adm(socket, "status");
            Assert.True(status.ExitCode == 0, status.Output);
            Assert.Contains($"fragments: {held} held, {datagrams} datagrams forwarded whole; refused 0 overlapping, 0 duplicate, 0 tiny, 0 malformed, 0 timed out, 0 pool full; now 0/256 datagrams in 0/", status.StandardOutput, StringComparison.Ordinal);
            var metrics = lab.Exec("dir", Short, "curl", "-s", "http://127.0.0.1:9180/metrics");
            Assert.Contains($"\nlvsnet_fragments_total{{result=\"held\"}} {held}\n", metrics.StandardOutput, StringComparison.Ordinal);
            Assert.Contains($"\nlvsnet_fragments_datagrams_total {datagrams}\n", metrics.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("\nlvsnet_fragments_total{result=\"overlap\"} 0\n", metrics.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("\nlvsnet_fragments_buffers_in_use 0\n", metrics.StandardOutput, StringComparison.Ordinal);
            daemon.Stop(TimeSpan.FromSeconds(10));

            // What the director sent, reassembled by tshark, every checksum checked (1 = good).
            var tshark = ProcessResult.Run(
                "tshark",
                ["-r", capture, "-n", "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
                 "-Y", "ip.proto == 17 || ip.proto == 6", "-T", "fields", "-E", "separator=/t",
                 "-e", "ip.src", "-e", "ip.dst", "-e", "ip.flags.mf", "-e", "ip.frag_offset", "-e", "ip.checksum.status",
                 "-e", "udp.srcport", "-e", "udp.dstport", "-e", "udp.checksum.status", "-e", "udp.length",
                 "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.checksum.status", "-e", "tcp.flags.syn", "-e", "tcp.flags.ack", "-e", "ip.id"],
                Short);
            Assert.True(tshark.ExitCode == 0, tshark.Output);
            var rows = tshark.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToList();
            Assert.All(rows, r => Assert.Equal("1", r[4]));

            // UDP to the real server: 5 datagrams of 3 fragments and 5 of 5, each fragment to the
            // real server's address (NAT) or the VIP (DR); each datagram reassembles with the real port and a good checksum.
            var toServer = nat ? "10.77.0.11" : "10.77.0.100";
            var udpFragments = rows.Where(r => r[1] == toServer && (r[2] == "1" || (r[3] != "0" && r[3] != "")) && r[9] == "" && r[14] != "0x7777").ToList();
            Assert.True(udpFragments.Count >= 40, $"{udpFragments.Count} UDP fragments to the server\n{tshark.StandardOutput}");
            var requests = rows.Where(r => r[1] == toServer && r[6] == udpPort).ToList();
            Assert.Equal(10, requests.Count);
            Assert.All(requests, r => Assert.Equal(("10.77.0.10", "1"), (r[0], r[7])));
            Assert.Equal(5, requests.Count(r => r[8] == "3008"));
            Assert.Equal(5, requests.Count(r => r[8] == "6008"));
            if (nat)
            {
                // The echoes came back through the director in fragments: from VIP:53, checksums good.
                var replies = rows.Where(r => r[1] == "10.77.0.10" && r[5] == "53").ToList();
                Assert.Equal(10, replies.Count);
                Assert.All(replies, r => Assert.Equal(("10.77.0.100", "1"), (r[0], r[7])));
            }

            // The fragmented SYN: both fragments to the server, reassembled into a SYN to the real port with a good checksum.
            var synFragments = rows.Where(r => r[14] == "0x7777" && r[1] == toServer).ToList();
            Assert.True(synFragments.Count == 2, tshark.StandardOutput);
            var synRow = Assert.Single(synFragments, r => r[10] != "");
            Assert.Equal((nat ? "8080" : "80", "1", "1", "0"), (synRow[10], synRow[11], synRow[12], synRow[13]));
            if (nat)
            {
                // The real server accepted it: its SYN-ACK came back through the director from VIP:80.
                Assert.Contains(rows, r => r[0] == "10.77.0.100" && r[1] == "10.77.0.10" && r[9] == "80" && r[12] == "1" && r[13] == "1" && r[11] == "1");
            }
        }
        finally
        {
            Lab.Stop(echo);
            Directory.Delete(directory, recursive: true);
        }
    }
}
