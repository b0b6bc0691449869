using System.Globalization;
using System.Text.RegularExpressions;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.Lab.Tests;

/// <summary>
/// IPv6 services with <c>syn_proxy</c> end to end, FULLNAT and NAT64 with <c>toa</c>, and NAT: curl and a
/// bounded wrk over IPv6 work while a bounded flood of spoofed IPv6 SYNs (a raw-socket generator in
/// the client's namespace) hits the VIP; at the real servers (tcpdump there, tshark decoding) every
/// SYN is one the director sent after a completed handshake — far fewer than the flood, none from a
/// spoofed source (NAT shows the client's address) — and with FULLNAT and NAT64 each connection's
/// first ACK (IPv6, or IPv4 for NAT64) carries the 20-byte IPv6 TOA option (kind 254, length 20)
/// naming the real client.
/// </summary>
[Trait("Category", "Lab")]
public class Ipv6SynProxyToaLabTests
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(90);

    // Sends argv[2] IPv6 TCP SYNs to [fd77::100]:80 through a raw socket (IPPROTO_RAW: the header is
    // ours), from argv[1]::/112 (random low 16 bits), random ports and sequence numbers.
    private const string SynFlood6 =
        "import socket,struct,random,sys,time\n" +
        "def csum(b):\n" +
        "  s=sum(struct.unpack('!%dH'%(len(b)//2),b))\n" +
        "  while s>>16: s=(s&0xffff)+(s>>16)\n" +
        "  return (~s)&0xffff\n" +
        "base=socket.inet_pton(socket.AF_INET6,sys.argv[1]); n=int(sys.argv[2])\n" +
        "dst=socket.inet_pton(socket.AF_INET6,'fd77::100')\n" +
        "s=socket.socket(socket.AF_INET6,socket.SOCK_RAW,socket.IPPROTO_RAW)\n" +
        "r=random.Random(17); start=time.time()\n" +
        "for i in range(n):\n" +
        "  src=base[:14]+struct.pack('!H',r.randrange(1,65535))\n" +
        "  tcp=struct.pack('!HHIIBBHHH',r.randrange(1024,65535),80,r.getrandbits(32),0,5<<4,2,65535,0,0)\n" +
        "  c=csum(src+dst+struct.pack('!IxxxB',20,6)+tcp)\n" +
        "  tcp=tcp[:16]+struct.pack('!H',c)+tcp[18:]\n" +
        "  s.sendto(struct.pack('!IHBB',0x60000000,20,6,64)+src+dst+tcp,('fd77::100',0))\n" +
        "print(n, round(time.time()-start,3))\n";

    [RequiresRootTheory]
    [InlineData("fullnat")]
    [InlineData("nat")]
    [InlineData("nat64")]
    public void Ipv6SynProxy_CurlAndWrkWork_SpoofedSynsReachNoServer_TsharkSeesTheIpv6Toa(string method)
    {
        var nat64 = method == "nat64";
        var fullNat = method == "fullnat" || nat64;
        using var lab = nat64 ? Lab.Up(mode: "nat64") : Lab.Up(mode: method, ipv6: true);
        var (rs1, rs2, local) = nat64 ? (lab.Env["LVT_RS1_IP"], lab.Env["LVT_RS2_IP"], "10.77.0.50") : ("fd77::b", "fd77::c", "fd77::50");
        var work = Directory.CreateTempSubdirectory("lvt-v6proxy-").FullName;
        var socket = Path.Combine(work, "lvsnetd.sock");
        var yaml = $$"""
            director:
              interface: eth0
              address: 10.77.0.2/24
              address6: fd77::2/64
            virtual_services:
              - name: web6
                protocol: tcp
                address: fd77::100
                port: 80
                scheduler: rr
                toa: {{(fullNat ? "true" : "false")}}
                syn_proxy: true{{(fullNat ? $"\n    local_addresses: [{local}]" : string.Empty)}}
                real_servers:
                  - address: {{rs1}}
                    port: 8080
                    method: {{(nat64 ? "fullnat" : method)}}
                  - address: {{rs2}}
                    port: 8080
                    method: {{(nat64 ? "fullnat" : method)}}
            """;
        using var daemon = DaemonProcess.Start(lab, yaml, "--socket", socket);
        daemon.WaitForEvent("ControlListening", Short);
        var dumps = new[] { "rs1", "rs2" }.Select(rs => (Role: rs, File: Path.Combine(work, rs + ".pcap"))).ToList();
        var tcpdumps = dumps.Select(d => lab.Start(d.Role, "tcpdump", "-i", "eth0", "-n", "-U", "-w", d.File, nat64 ? "ip and tcp" : "ip6 and tcp")).ToList();
        int legitimate;
        try
        {
            Thread.Sleep(1000);

            // 20 curl connections beside 3,000 spoofed SYNs from fd99::/112, then a bounded wrk.
            var legit = lab.Start("client", "bash", "-c",
                "for i in $(seq 1 20); do curl -6 -s -o /dev/null -w '%{http_code}\\n' --max-time 3 'http://[fd77::100]/'; done");
            var flood = lab.Exec("client", Short, "python3", "-c", SynFlood6, "fd99::", "3000");
            Assert.True(flood.ExitCode == 0, flood.Output);
            Assert.True(legit.WaitForExit(60_000), "the legitimate loop did not finish");
            var codes = legit.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(codes.SequenceEqual(Enumerable.Repeat("200", 20)), string.Join(",", codes) + "\n" + daemon.Log);
            var wrk = lab.Exec("client", Short, "wrk", "-t1", "-c4", "-d2s", "--timeout", "2s", "http://[fd77::100]/");
            Assert.True(wrk.ExitCode == 0, wrk.Output);
            Assert.Contains("requests in", wrk.StandardOutput, StringComparison.Ordinal);
            Assert.DoesNotContain("Socket errors", wrk.StandardOutput, StringComparison.Ordinal);
            Assert.DoesNotContain("Non-2xx", wrk.StandardOutput, StringComparison.Ordinal);
            legitimate = 20 + 4;

            // Every SYN got a cookie (the flood reached the director), only real clients proved one.
            var status = HaLabTools.Adm(socket, "status");
            Assert.True(status.ExitCode == 0, status.Output);
            var line = Regex.Match(status.StandardOutput, @"syn proxy: (\d+) cookies sent, (\d+) valid, (\d+) invalid, (\d+) connections proxied");
            Assert.True(line.Success, status.StandardOutput);
            var (sent, valid, invalid, proxied) = (Number(line, 1), Number(line, 2), Number(line, 3), Number(line, 4));
            Assert.True(sent >= 3000 + legitimate && valid >= legitimate && valid == proxied && invalid == 0, status.StandardOutput);
        }
        finally
        {
            Thread.Sleep(500);
            foreach (var tcpdump in tcpdumps)
            {
                Lab.Stop(tcpdump);
            }
        }

        daemon.Stop(TimeSpan.FromSeconds(10));
        var created = daemon.Events("DropSummary").Single().GetProperty("ConnectionsCreated").GetInt64();
        Assert.True(created >= legitimate && created < 200, $"{created} connections created");

        // tshark at the real servers: the TCP segments from the local address, their flags and options.
        var synCount = 0;
        var toaCount = 0;
        var expectedToa = "fe14" + "????" + "fd77" + new string('0', 24) + "000a";
        foreach (var (role, file) in dumps)
        {
            // Toward the real server: from the local address (FULLNAT) or from the client (NAT).
            var tshark = ProcessResult.Run(
                "tshark",
                ["-r", file, "-n", "-o", "tcp.check_checksum:TRUE", "-Y", "tcp.dstport == 8080", "-T", "fields", "-E", "separator=/t",
                 "-e", "tcp.flags.syn", "-e", "tcp.flags.ack", "-e", "tcp.options", "-e", "tcp.checksum.status", "-e", "tcp.srcport", "-e", nat64 ? "ip.src" : "ipv6.src"],
                Short);
            Assert.True(tshark.ExitCode == 0, tshark.Output);
            var rows = tshark.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToList();
            Assert.True(rows.Count > 10, $"{role}: only {rows.Count} segments\n{tshark.Output}");
            Assert.All(rows, r => Assert.Equal("1", r[3]));
            Assert.All(rows, r => Assert.Equal(fullNat ? local : "fd77::a", r[5]));
            var syns = rows.Where(r => r[0] is "1" or "True").ToList();
            var withToa = rows.Where(r => r[2].Replace(":", "", StringComparison.Ordinal).StartsWith("fe14", StringComparison.OrdinalIgnoreCase)).ToList();
            synCount += syns.Count;
            toaCount += withToa.Count;

            // Each TOA: kind 254, length 20, the client's port (a local one, any), then fd77::a (the real client, never a spoofed fd99:: source).
            Assert.All(withToa, r =>
            {
                var option = r[2].Replace(":", "", StringComparison.Ordinal).ToLowerInvariant();
                Assert.True(option.Length >= 40, option);
                Assert.Equal("fe14", option[..4]);
                Assert.Equal(expectedToa[8..], option[8..40]);
            });

            // One TOA per connection: the ports it was sent from are distinct, one per SYN.
            Assert.Equal(fullNat ? syns.Select(r => r[4]).Distinct().Count() : 0, withToa.Select(r => r[4]).Distinct().Count());
        }

        Assert.True(synCount >= legitimate && synCount < 200, $"{synCount} SYNs reached the real servers");
        Assert.Equal(fullNat ? synCount : 0, toaCount);
        Directory.Delete(work, recursive: true);
    }

    private static long Number(Match match, int group) => long.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);
}
