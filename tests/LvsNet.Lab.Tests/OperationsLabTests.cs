using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.Lab.Tests;

/// <summary>
/// Operating LvsNet like LVS, end to end: the real lvsnetd in the lab's director namespace, the
/// real lvsnetadm over the command socket, nginx real servers and curl/wrk clients. Every process
/// call is bounded in time.
/// </summary>
[Trait("Category", "Lab")]
public class OperationsLabTests
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(30);

    private static string Config(int realServers = 2, int weight2 = 1, string scheduler = "rr") =>
        $"""
        director:
          interface: eth0
          address: 10.77.0.2/24
        virtual_services:
          - name: web
            protocol: tcp
            address: 10.77.0.100
            port: 80
            scheduler: {scheduler}
            real_servers:
              - address: 10.77.0.11
              - address: 10.77.0.12
                weight: {weight2}
        {(realServers > 2 ? "      - address: 10.77.0.13\n" : "")}
        """;

    private static string CliDll =>
        Path.Combine(TestEnvironment.RepositoryRoot, "src", "LvsNet.Cli", "bin", Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(DaemonProcess.DaemonDll)!)!), "net10.0", "lvsnetadm.dll");

    /// <summary>Runs the real lvsnetadm against the daemon's socket.</summary>
    private sealed class Adm(string socket)
    {
        public string Socket { get; } = socket;

        public ProcessResult Run(params string[] args) => ProcessResult.Run("dotnet", [CliDll, "--socket", Socket, .. args], Short);

        public ProcessResult RunWithInput(string input, params string[] args)
        {
            var file = Path.GetTempFileName();
            try
            {
                File.WriteAllText(file, input);
                var quoted = string.Join(' ', args.Select(a => $"'{a}'"));
                return ProcessResult.Run("bash", ["-c", $"dotnet '{CliDll}' --socket '{Socket}' {quoted} < '{file}'"], Short);
            }
            finally
            {
                File.Delete(file);
            }
        }

        public string Ok(params string[] args)
        {
            var result = Run(args);
            Assert.True(result.ExitCode == 0, $"lvsnetadm {string.Join(' ', args)} exited {result.ExitCode}:\n{result.Output}");
            return result.StandardOutput;
        }
    }

    private static (DaemonProcess Daemon, Adm Adm) Start(Lab lab, string yaml, IReadOnlyDictionary<string, string>? environment = null)
    {
        var socket = Path.Combine(Path.GetTempPath(), $"lvt-{lab.Id}.sock");
        var daemon = DaemonProcess.Start(lab, yaml, environment ?? new Dictionary<string, string>(), "--socket", socket);
        daemon.WaitForEvent("ControlListening", Short);
        return (daemon, new Adm(socket));
    }

    /// <summary>The real-server rows of an ipvsadm listing: address:port to its columns.</summary>
    private static Dictionary<string, string[]> Rows(string listing) =>
        listing.Split('\n').Where(l => l.StartsWith("  -> ", StringComparison.Ordinal) && !l.Contains("RemoteAddress", StringComparison.Ordinal))
            .Select(l => l[5..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToDictionary(c => c[0], c => c[1..]);

    [RequiresRootFact]
    public void FullNatPool_EditedFromTheCommandLine_TakesEffectOnTheWire()
    {
        using var lab = Lab.Up(mode: "fullnat");
        const string Yaml = """
            director:
              interface: eth0
              address: 10.77.0.2/24
            virtual_services:
              - protocol: tcp
                address: 10.77.0.100
                port: 80
                scheduler: rr
                local_addresses: [10.77.0.50]
                real_servers:
                  - address: 10.77.0.11
                    port: 8080
                    method: fullnat
            """;
        var (daemon, adm) = Start(lab, Yaml);
        using (daemon)
        {
            string[] Peers()
            {
                var lines = lab.Shell("client", $"for i in 1 2 3 4; do curl -s --max-time 3 http://{lab.Vip}/peer || echo FAILED; done", Short).StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                Assert.Equal(4, lines.Length);
                return lines;
            }

            Assert.All(Peers(), l => Assert.Equal("rs1 10.77.0.50", l));

            // A new local address (answered by ARP once added), the old one removed: new connections come from the new one.
            adm.Ok("--add-laddr", "-t", "10.77.0.100:80", "-z", "10.77.0.52", "-F", "eth0");
            adm.Ok("-Q", "-t", "10.77.0.100:80", "-z", "10.77.0.50");
            Assert.All(Peers(), l => Assert.Equal("rs1 10.77.0.52", l));
            Assert.Contains("10.77.0.52", adm.Ok("-G", "-t", "10.77.0.100:80"), StringComparison.Ordinal);
            Assert.DoesNotContain("10.77.0.50", adm.Ok("-G"), StringComparison.Ordinal);
            Assert.Contains("-P -t 10.77.0.100:80 -z 10.77.0.52", adm.Ok("-S", "-n"), StringComparison.Ordinal);
            Assert.Contains("\"local_address\": \"10.77.0.52\"", adm.Ok("-L", "-n", "-c", "--json"), StringComparison.Ordinal);

            // A mistake is refused with the reason and changes nothing.
            var refused = adm.Run("-Q", "-t", "10.77.0.100:80", "-z", "10.77.0.50");
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains("No such local address", refused.Output, StringComparison.Ordinal);
        }
    }

    [RequiresRootFact]
    public void List_AfterRequests_ShowsServersCountersAndConnections()
    {
        using var lab = Lab.Up();
        var (daemon, adm) = Start(lab, Config());
        using (daemon)
        {
            var answers = lab.Requests(10);
            Assert.Equal(5, answers.GetValueOrDefault("rs1"));
            Assert.Equal(5, answers.GetValueOrDefault("rs2"));

            // One connection held open (ESTABLISHED, so ActiveConn) while the ten closed ones sit in FIN_WAIT (InActConn).
            using var held = lab.Start("client", "bash", "-c", $"exec 3<>/dev/tcp/{lab.Vip}/80; sleep 25");
            var listing = "";
            for (var i = 0; i < 50; i++)
            {
                listing = adm.Ok("-L", "-n");
                if (Rows(listing).Values.Sum(r => int.Parse(r[2], CultureInfo.InvariantCulture)) == 1)
                {
                    break;
                }

                Thread.Sleep(100);
            }

            Assert.StartsWith($"IP Virtual Server version 1.2.1 (size=1048576)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\nTCP  10.77.0.100:80 rr\n", listing, StringComparison.Ordinal);
            var rows = Rows(listing);
            Assert.Equal(["10.77.0.11:80", "10.77.0.12:80"], rows.Keys);
            Assert.All(rows.Values, r => Assert.Equal(["Route", "1"], r[..2]));
            Assert.Equal(1, rows.Values.Sum(r => int.Parse(r[2], CultureInfo.InvariantCulture)));
            Assert.All(rows.Values, r => Assert.Equal("5", r[3]));
            Assert.Matches(@"\n  -> 10\.77\.0\.11:80                Route   1      [01]          5         \n", listing);

            // --stats: one connection per request (plus the held one), packets in, none out (DR).
            var stats = adm.Ok("-L", "-n", "--stats", "--exact");
            var service = stats.Split('\n').Single(l => l.StartsWith("TCP  10.77.0.100:80", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("11", service[2]);
            Assert.True(long.Parse(service[3], CultureInfo.InvariantCulture) >= 10 * 5, stats);
            Assert.Equal("0", service[4]);
            var statRows = Rows(stats);
            Assert.Equal(11, statRows.Values.Sum(r => int.Parse(r[0], CultureInfo.InvariantCulture)));

            // -c: every entry, ten FIN_WAIT and the held ESTABLISHED one, all from the client.
            var connections = adm.Ok("-L", "-n", "-c");
            Assert.StartsWith("IPVS connection entries\npro expire state       source             virtual            destination\n", connections, StringComparison.Ordinal);
            var entries = connections.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(2).ToList();
            Assert.Equal(11, entries.Count);
            Assert.Equal(10, entries.Count(e => Regex.IsMatch(e, @"^TCP \d\d:\d\d  FIN_WAIT    10\.77\.0\.10:\d+ +10\.77\.0\.100:80 {5}10\.77\.0\.1[12]:80$")));
            Assert.Single(entries, e => Regex.IsMatch(e, @"^TCP 1[45]:\d\d  ESTABLISHED 10\.77\.0\.10:\d+ +10\.77\.0\.100:80 {5}10\.77\.0\.1[12]:80$"));

            // --rate: a burst of requests shows once the estimator has taken its next 2-second sample.
            lab.Requests(30);
            var rateSeen = false;
            for (var i = 0; i < 24 && !rateSeen; i++)
            {
                var rate = adm.Ok("-L", "-n", "--rate").Split('\n').Single(l => l.StartsWith("TCP  10.77.0.100:80", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                rateSeen = long.Parse(rate[2], CultureInfo.InvariantCulture) > 0 && long.Parse(rate[3], CultureInfo.InvariantCulture) > 0;
                Thread.Sleep(rateSeen ? 0 : 250);
            }

            Assert.True(rateSeen, adm.Ok("-L", "-n", "--rate"));

            // -Z: counters start again from zero.
            adm.Ok("-Z");
            Assert.All(Rows(adm.Ok("-L", "-n", "--stats")).Values, r => Assert.Equal(["0", "0", "0", "0", "0"], r));

            var status = adm.Ok("status");
            Assert.Contains("capture: received ", status, StringComparison.Ordinal);
            Assert.Matches(@"connections: \d+ in table \(capacity 1048576\)", status);
            var (_, code) = daemon.Stop(TimeSpan.FromSeconds(10));
            Assert.Equal(0, code);
            Assert.False(File.Exists(adm.Socket), "the socket is removed at stop");
        }
    }

    [RequiresRootFact]
    public void Edits_ChangeWhereNewRequestsGo_AndSaveClearRestoreRoundTrips()
    {
        using var lab = Lab.Up(realServers: 3);
        var (daemon, adm) = Start(lab, Config());
        using (daemon)
        {
            Assert.Equal(2, lab.Requests(4).Count);

            // -e -w 0: rs2 is quiescent; new connections go to rs1 only.
            adm.Ok("-e", "-t", "10.77.0.100:80", "-r", "10.77.0.12", "-w", "0");
            Assert.Equal(6, lab.Requests(6).GetValueOrDefault("rs1"));
            Assert.Equal("0", Rows(adm.Ok("-L", "-n"))["10.77.0.12:80"][1]);

            // -a: rs3 joins.
            adm.Ok("-a", "-t", "10.77.0.100:80", "-r", "10.77.0.13", "-w", "1");
            var answers = lab.Requests(6);
            Assert.Equal(3, answers.GetValueOrDefault("rs3"));
            Assert.Equal(3, answers.GetValueOrDefault("rs1"));

            // -d: rs1 leaves.
            adm.Ok("-d", "-t", "10.77.0.100:80", "-r", "10.77.0.11");
            Assert.Equal(4, lab.Requests(4).GetValueOrDefault("rs3"));
            Assert.Equal(["10.77.0.12:80", "10.77.0.13:80"], Rows(adm.Ok("-L", "-n")).Keys);

            // Refusals read like ipvsadm's and exit non-zero.
            var duplicate = adm.Run("-a", "-t", "10.77.0.100:80", "-r", "10.77.0.13");
            Assert.Equal(255, duplicate.ExitCode);
            Assert.Equal("Destination already exists\n", duplicate.StandardError);

            // -S, -C (nothing answers), -R (everything back).
            var saved = adm.Ok("-S", "-n");
            Assert.Equal("-A -t 10.77.0.100:80 -s rr\n-a -t 10.77.0.100:80 -r 10.77.0.12:80 -g -w 0\n-a -t 10.77.0.100:80 -r 10.77.0.13:80 -g -w 1\n", saved);
            adm.Ok("-C");
            Assert.Equal(2, lab.Requests(2, maxTimeSeconds: 2).GetValueOrDefault("FAILED"));
            var restore = adm.RunWithInput(saved, "-R");
            Assert.True(restore.ExitCode == 0, restore.Output);
            Assert.Equal(saved, adm.Ok("-S", "-n"));
            Assert.Equal(3, lab.Requests(3).GetValueOrDefault("rs3"));

            // The edits are not in the file: status says so, and export-yaml shows the running table.
            Assert.Contains("runtime edits: not in the file", adm.Ok("status"), StringComparison.Ordinal);
            Assert.Contains("address: 10.77.0.13", adm.Ok("export-yaml"), StringComparison.Ordinal);
        }
    }

    [RequiresRootFact]
    public void Reload_BadFileReportedByLvsnetadm_GoodFileDiscardsRuntimeEdits()
    {
        using var lab = Lab.Up();
        var (daemon, adm) = Start(lab, Config());
        using (daemon)
        {
            adm.Ok("-e", "-t", "10.77.0.100:80", "-r", "10.77.0.12", "-w", "0");
            File.WriteAllText(daemon.ConfigPath, Config().Replace("port: 80", "port: 80000", StringComparison.Ordinal).Replace("scheduler: rr", "scheduler: fast", StringComparison.Ordinal));
            var rejected = adm.Run("reload");
            Assert.Equal(1, rejected.ExitCode);
            Assert.Contains("with 2 error(s); the running configuration stays:", rejected.StandardError, StringComparison.Ordinal);
            Assert.Contains("  virtual_services[0].port (line 8): must be between 0 and 65535, got 80000", rejected.StandardError, StringComparison.Ordinal);
            Assert.Contains("  virtual_services[0].scheduler (line 9): unknown scheduler 'fast'", rejected.StandardError, StringComparison.Ordinal);
            Assert.Equal(4, lab.Requests(4).GetValueOrDefault("rs1"));
            Assert.Contains("last reload: rejected", adm.Ok("status"), StringComparison.Ordinal);

            File.WriteAllText(daemon.ConfigPath, Config());
            Assert.StartsWith($"applied {daemon.ConfigPath} at ", adm.Ok("reload"), StringComparison.Ordinal);
            Assert.Equal("1", Rows(adm.Ok("-L", "-n"))["10.77.0.12:80"][1]);
            Assert.Equal(2, lab.Requests(4).Count);
            Assert.DoesNotContain("runtime edits", adm.Ok("status"), StringComparison.Ordinal);
        }
    }

    [RequiresRootFact]
    public void Reload_UnderWrkLoad_LosesNoEstablishedConnection()
    {
        using var lab = Lab.Up();
        var (daemon, adm) = Start(lab, Config());
        using (daemon)
        {
            using var wrk = lab.Start("client", "wrk", "-t2", "-c16", "-d8s", "--timeout", "3s", $"http://{lab.Vip}/");
            var output = wrk.StandardOutput.ReadToEndAsync();
            Thread.Sleep(1500);
            for (var i = 0; i < 4; i++)
            {
                // Alternate between two valid files; half through lvsnetadm, half through SIGHUP.
                File.WriteAllText(daemon.ConfigPath, Config(weight2: i % 2 == 0 ? 2 : 1));
                if (i % 2 == 0)
                {
                    adm.Ok("reload");
                }
                else
                {
                    daemon.Signal("HUP");
                }

                Thread.Sleep(1200);
            }

            Assert.True(wrk.WaitForExit(30_000), "wrk did not finish");
            var text = output.Result;
            Assert.Equal(0, wrk.ExitCode);
            Assert.DoesNotContain("Socket errors", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Non-2xx", text, StringComparison.Ordinal);
            var requests = long.Parse(Regex.Match(text, @"(\d+) requests in").Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.True(requests > 500, text);
            Assert.True(daemon.Events("ConfigApplied").Count >= 4, daemon.Log);
        }
    }

    [RequiresRootFact]
    public void Systemd_NotifySocket_GetsReadyWatchdogReloadingAndStopping()
    {
        using var lab = Lab.Up();
        var notifyPath = Path.Combine(Path.GetTempPath(), $"lvt-{lab.Id}-notify.sock");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(notifyPath));
        notify.ReceiveTimeout = 10_000;
        var messages = new List<string>();
        string Next()
        {
            var buffer = new byte[1024];
            var message = Encoding.UTF8.GetString(buffer, 0, notify.Receive(buffer));
            messages.Add(message);
            return message;
        }

        string NextNotWatchdog()
        {
            string message;
            while ((message = Next()) == "WATCHDOG=1")
            {
            }

            return message;
        }

        try
        {
            var environment = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notifyPath, ["WATCHDOG_USEC"] = "1000000" };
            var (daemon, adm) = Start(lab, Config(), environment);
            using (daemon)
            {
                Assert.Equal("READY=1", NextNotWatchdog());
                Assert.Equal("WATCHDOG=1", Next());
                Assert.Equal("WATCHDOG=1", Next());
                adm.Ok("reload");
                Assert.StartsWith("RELOADING=1\nMONOTONIC_USEC=", NextNotWatchdog(), StringComparison.Ordinal);
                Assert.Equal("READY=1", NextNotWatchdog());
                daemon.Signal("HUP");
                Assert.StartsWith("RELOADING=1\nMONOTONIC_USEC=", NextNotWatchdog(), StringComparison.Ordinal);
                Assert.Equal("READY=1", NextNotWatchdog());
                daemon.Stop(TimeSpan.FromSeconds(10));
                Assert.Equal("STOPPING=1", NextNotWatchdog());
            }
        }
        finally
        {
            File.Delete(notifyPath);
        }
    }
}
