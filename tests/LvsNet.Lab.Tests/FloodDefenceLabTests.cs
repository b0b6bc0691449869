using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.Lab.Tests;

/// <summary>
/// Flood defences end to end: the per-source limit holds back one source flooding new connections
/// while another source keeps connecting, and the SYN proxy keeps a spoofed SYN flood away from
/// the real servers and out of the table while real clients complete their handshakes.
/// </summary>
[Trait("Category", "Lab")]
public class FloodDefenceLabTests
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(90);

    // Sends argv[2] TCP SYNs to VIP:80 through a raw socket, from argv[1] (argv[3] > 1: from that many
    // consecutive addresses starting there, chosen at random), random ports and sequence numbers.
    internal const string SynFlood =
        "import socket,struct,random,sys,time\n" +
        "def csum(b):\n" +
        "  s=sum(struct.unpack('!%dH'%(len(b)//2),b))\n" +
        "  while s>>16: s=(s&0xffff)+(s>>16)\n" +
        "  return (~s)&0xffff\n" +
        "base=struct.unpack('!I',socket.inet_aton(sys.argv[1]))[0]; n=int(sys.argv[2]); spread=int(sys.argv[3])\n" +
        "dst=socket.inet_aton('10.77.0.100')\n" +
        "s=socket.socket(socket.AF_INET,socket.SOCK_RAW,socket.IPPROTO_RAW)\n" +
        "r=random.Random(13); start=time.time()\n" +
        "for i in range(n):\n" +
        "  src=struct.pack('!I',base+(r.randrange(spread) if spread>1 else 0))\n" +
        "  tcp=struct.pack('!HHIIBBHHH',r.randrange(1024,65535),80,r.getrandbits(32),0,5<<4,2,65535,0,0)\n" +
        "  c=csum(src+dst+struct.pack('!BBH',0,6,20)+tcp)\n" +
        "  tcp=tcp[:16]+struct.pack('!H',c)+tcp[18:]\n" +
        "  s.sendto(struct.pack('!BBHHHBBH4s4s',0x45,0,40,0,0x4000,64,6,0,src,dst)+tcp,('10.77.0.100',0))\n" +
        "print(n, round(time.time()-start,3))\n";

    [RequiresRootFact]
    public void PerSourceLimit_OneSourceFloodsNewConnections_AnotherSourceKeepsConnecting()
    {
        using var lab = Lab.Up();
        var yaml = DirectRoutingLabTests.Config("rr", extra: "connections:\n  per_source_rate: 10\n  per_source_burst: 10");
        using var daemon = DaemonProcess.Start(lab, yaml);
        var add = lab.Exec("client", Short, "ip", "addr", "add", "10.77.0.20/24", "dev", "eth0");
        Assert.True(add.ExitCode == 0, add.Output);
        lab.Requests(2);

        // 20 requests from 10.77.0.10 at 5 a second (under its own limit), during 3000 SYNs from 10.77.0.20.
        var legit = lab.Start("client", "bash", "-c",
            $"for i in $(seq 1 20); do curl -s -o /dev/null -w '%{{http_code}}\\n' --max-time 2 http://{lab.Vip}/; sleep 0.2; done");
        var watch = Stopwatch.StartNew();
        var flood = lab.Exec("client", Short, "python3", "-c", SynFlood, "10.77.0.20", "3000", "1");
        var elapsed = watch.Elapsed;
        Assert.True(flood.ExitCode == 0, flood.Output);
        Assert.True(legit.WaitForExit(30_000), "the legitimate loop did not finish");
        var codes = legit.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Repeat("200", 20), codes);

        daemon.Stop(TimeSpan.FromSeconds(10));
        var drops = Drops(daemon);

        // The flooding source gets its burst and its rate over the flood's time, nothing more.
        var allowed = 10 + (10 * ((int)Math.Ceiling(elapsed.TotalSeconds) + 1));
        Assert.True(drops.GetValueOrDefault("SourceRateLimited") >= 3000 - allowed, $"SourceRateLimited {drops.GetValueOrDefault("SourceRateLimited")} of 3000 in {elapsed}; drops {string.Join(", ", drops)}");
    }

    // With syn_queue_bytes the pcap backend reads bare SYNs from a second capture handle after every
    // other frame: the proxy must work the same through the two handles.
    [RequiresRootTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void SynProxy_SpoofedSynFlood_NoSpoofedSynReachesAServer_RealClientsConnect(bool synQueue)
    {
        using var lab = Lab.Up(mode: "nat");
        var yaml = DirectRoutingLabTests.Config("rr", method: "nat", realPort: 8080).Replace("    scheduler: rr\n", "    scheduler: rr\n    syn_proxy: true\n", StringComparison.Ordinal) + "\nhttp:\n  port: 9181\n"
            + (synQueue ? "capture:\n  syn_queue_bytes: 1048576\n" : "");
        Assert.Contains("syn_proxy: true", yaml, StringComparison.Ordinal);
        var work = Directory.CreateTempSubdirectory("lvt-synproxy-").FullName;
        var socket = Path.Combine(work, "lvsnetd.sock");
        using var daemon = DaemonProcess.Start(lab, yaml, "--socket", socket);
        daemon.WaitForEvent("ControlListening", Short);
        var dumps = new[] { "rs1", "rs2" }.Select(rs => (Role: rs, File: Path.Combine(work, rs + ".pcap"))).ToList();
        var tcpdumps = dumps.Select(d => lab.Start(d.Role, "tcpdump", "-i", "eth0", "-n", "-U", "-w", d.File, "tcp[tcpflags] & tcp-syn != 0")).ToList();
        try
        {
            Thread.Sleep(1000);
            var answers = lab.Requests(20);
            Assert.Equal(10, answers.GetValueOrDefault("rs1"));
            Assert.Equal(10, answers.GetValueOrDefault("rs2"));

            // 20,000 SYNs from 65,536 spoofed sources in 198.18.0.0/16, with new connections and wrk beside them.
            var legit = lab.Start("client", "bash", "-c",
                $"for i in $(seq 1 40); do curl -s -o /dev/null -w '%{{http_code}}\\n' --max-time 2 http://{lab.Vip}/; done");
            var flood = lab.Exec("client", Short, "python3", "-c", SynFlood, "198.18.0.0", "20000", "65536");
            Assert.True(flood.ExitCode == 0, flood.Output);
            Assert.True(legit.WaitForExit(60_000), "the legitimate loop did not finish");
            var codes = legit.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(Enumerable.Repeat("200", 40), codes);
            var wrk = lab.Exec("client", Short, "wrk", "-t1", "-c4", "-d2s", "--timeout", "2s", $"http://{lab.Vip}/");
            Assert.True(wrk.ExitCode == 0, wrk.Output);
            Assert.DoesNotContain("Socket errors", wrk.StandardOutput, StringComparison.Ordinal);

            // The SYN proxy's counters, in the status and the metrics: a cookie for every SYN the
            // daemon received, a valid cookie and a proxied connection for every real client (20 + 40
            // curl connections and wrk's), and no invalid one (nobody sent an ACK it did not earn).
            var status = HaLabTools.Adm(socket, "status");
            Assert.True(status.ExitCode == 0, status.Output);
            var line = Regex.Match(status.StandardOutput, @"syn proxy: (\d+) cookies sent, (\d+) valid, (\d+) invalid, (\d+) connections proxied, (\d+) segments dropped while opening\n");
            Assert.True(line.Success, status.StandardOutput);
            var (sent, valid, invalid, proxied) = (long.Parse(line.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), long.Parse(line.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), long.Parse(line.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture), long.Parse(line.Groups[4].Value, System.Globalization.CultureInfo.InvariantCulture));
            var received = long.Parse(Regex.Match(status.StandardOutput, @"data path \(1 worker\): received (\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(sent >= 60 && sent <= 20_000 + 200 && sent <= received, status.StandardOutput);
            Assert.True(valid >= 60 && valid == proxied && invalid == 0, status.StandardOutput);
            var metrics = lab.Exec("dir", Short, "curl", "-s", "http://127.0.0.1:9181/metrics").StandardOutput;
            var metricSent = long.Parse(Regex.Match(metrics, "\nlvsnet_syn_proxy_cookies_total\\{result=\"sent\"\\} (\\d+)\n").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(metricSent >= sent, metrics);
            Assert.Contains("\nlvsnet_syn_proxy_cookies_total{result=\"invalid\"} 0\n", metrics, StringComparison.Ordinal);
            Assert.Matches("\nlvsnet_syn_proxy_connections_total [1-9][0-9]+\n", metrics);
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
        var drops = Drops(daemon);
        Assert.False(drops.ContainsKey("TableFull"), string.Join(", ", drops));

        // At the real servers: SYNs from the client only (the director's, after a valid ACK), none from 198.18/16.
        foreach (var (role, file) in dumps)
        {
            var read = ProcessResult.Run("tcpdump", ["-r", file, "-n"], Short);
            var lines = read.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(lines.Length > 10, $"{role}: only {lines.Length} SYNs seen\n{read.Output}");
            Assert.DoesNotContain(lines, l => l.Contains(" 198.18.", StringComparison.Ordinal));
        }

        // The table held the real clients' connections only: far fewer than the 20,000 SYNs.
        var created = daemon.Events("DropSummary").Single().GetProperty("ConnectionsCreated").GetInt64();
        Assert.True(created < 200, $"{created} connections created");
        Directory.Delete(work, recursive: true);
    }

    internal static Dictionary<string, long> Drops(DaemonProcess daemon)
    {
        var summary = daemon.Events("DropSummary").Single().GetProperty("Drops");
        if (summary.ValueKind == JsonValueKind.Object)
        {
            return summary.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.Number ? p.Value.GetInt64() : long.Parse(p.Value.GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        }

        return Regex.Matches(summary.ToString(), @"""?(\w+)""?\s*[:=]\s*""?(\d+)").ToDictionary(m => m.Groups[1].Value, m => long.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
    }
}
