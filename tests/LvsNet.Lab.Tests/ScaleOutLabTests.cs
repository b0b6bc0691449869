using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using LvsNet.Testing;
using Xunit;
using Xunit.Abstractions;

namespace LvsNet.Lab.Tests;

/// <summary>
/// Scale-out behind ECMP (lab.sh --ecmp): a router running BIRD installs the VIP as one multipath
/// route over the three directors that announce it (each lvsnetd runs its own BIRD child); every
/// director runs the master and the backup sync daemon at once, so a flow that ECMP moves keeps its
/// real server; without sync, sloppy_tcp with mh continues the flows that ECMP moves.
/// Drain and undrain under keep-alive connections, a silent failure (BIRD stopped:
/// BFD), a killed lvsnetd, and tshark's decoding of the BGP and BFD sessions.
/// </summary>
[Trait("Category", "Lab")]
public partial class ScaleOutLabTests
{
    private const string Vip = "10.79.0.100";
    private static readonly string[] Roles = ["dir", "dir2", "dir3"];
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(30);
    private readonly ITestOutputHelper _output;

    public ScaleOutLabTests(ITestOutputHelper output) => _output = output;

    private static string CliDll =>
        Path.Combine(TestEnvironment.RepositoryRoot, "src", "LvsNet.Cli", "bin", Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(DaemonProcess.DaemonDll)!)!), "net10.0", "lvsnetadm.dll");

    [RequiresRootFact]
    public void Ecmp_ThreeDirectors_DrainKeepsConnections_KillAndBfdWithdrawWithinASecond()
    {
        using var lab = Lab.Up(realServers: 2, mode: "dr", ecmp: true);
        var work = Directory.CreateTempSubdirectory("lvt-ecmp-");
        var started = new List<Process>();
        var daemons = new DaemonProcess?[3];
        try
        {
            var pcap = Path.Combine(work.FullName, "segment.pcap");
            started.Add(lab.Start("sw", "tcpdump", "-i", "br0", "-U", "-n", "-s", "256", "-w", pcap, "tcp port 179 or udp port 3784 or udp port 8848"));
            var sockets = StartDirectors(lab, work.FullName, daemons);

            // Routes learned: one route, three next hops.
            var learned = WaitForNextHops(lab, 3, TimeSpan.FromSeconds(20));
            _output.WriteLine($"three next hops {learned.TotalSeconds:0.00} s after the last director started:\n{Route(lab)}");

            // New connections spread over the three directors by the router's L4 hash; all succeed.
            var before = Roles.Select((_, i) => Connections(sockets[i])).ToArray();
            var burst = lab.Shell("client", $"for i in $(seq 1 30); do curl -s -o /dev/null -w '%{{http_code}}\\n' --max-time 2 http://{Vip}/; done", Short);
            Assert.Equal(30, Regex.Count(burst.StandardOutput, "^200$", RegexOptions.Multiline));
            var spread = Roles.Select((_, i) => Connections(sockets[i]) - before[i]).ToArray();
            _output.WriteLine($"30 new connections per director: {string.Join(", ", spread)}");
            Assert.All(spread, n => Assert.True(n > 0, $"a director got no connection of 30: {string.Join(", ", spread)}"));

            // Drain, then add back, under keep-alive connections: none may break or reconnect.
            var keepAlive = Enumerable.Range(0, 6).Select(_ => lab.Start("client", "python3", "-c", KeepAliveScript)).ToList();
            started.AddRange(keepAlive);
            Thread.Sleep(3500); // every connection synced (3rd packet, then the 2 s flush) before its director goes
            var drain = Stopwatch.StartNew();
            Assert.Contains("draining", Adm(sockets[0], "drain", "--timeout", "20s").StandardOutput, StringComparison.Ordinal);
            var drained = WaitForNextHops(lab, 2, TimeSpan.FromSeconds(30));
            _output.WriteLine($"drain: route down to two next hops after {drain.Elapsed.TotalSeconds:0.000} s (poll bound {drained.TotalSeconds:0.000} s)");
            Assert.DoesNotContain("via 10.77.0.2 ", Route(lab), StringComparison.Ordinal);
            Assert.Contains("withdrawn (drained)", Adm(sockets[0], "status").StandardOutput, StringComparison.Ordinal);
            Thread.Sleep(3000);
            Assert.Contains("undrained", Adm(sockets[0], "undrain").StandardOutput, StringComparison.Ordinal);
            WaitForNextHops(lab, 3, TimeSpan.FromSeconds(30));
            foreach (var client in keepAlive)
            {
                Assert.True(client.WaitForExit(40_000), "a keep-alive client did not finish");
                var text = client.StandardOutput.ReadToEnd() + client.StandardError.ReadToEnd();
                _output.WriteLine("keep-alive: " + text.Trim());
                Assert.Equal(0, client.ExitCode);
                Assert.StartsWith("ok same-connection", text, StringComparison.Ordinal);
            }

            for (var i = 0; i < 3; i++)
            {
                _output.WriteLine($"{Roles[i]}: " + HaSyncLine(sockets[i]));
            }

            // A silent failure: dir2's BIRD stops answering (SIGSTOP, no TCP close): BFD (3 x 100 ms) takes the next hop out.
            var birdPid = BirdPid(sockets[1]);
            var silent = Stopwatch.StartNew();
            ProcessResult.Run("kill", ["-STOP", birdPid.ToString(CultureInfo.InvariantCulture)], Short);
            WaitForRouteWithout(lab, "10.77.0.3", TimeSpan.FromSeconds(5));
            var bfdTime = silent.Elapsed;
            ProcessResult.Run("kill", ["-CONT", birdPid.ToString(CultureInfo.InvariantCulture)], Short);
            _output.WriteLine($"BIRD of dir2 stopped: next hop withdrawn after {bfdTime.TotalSeconds:0.000} s (BFD)");
            Assert.True(bfdTime < TimeSpan.FromSeconds(1), $"BFD took {bfdTime.TotalSeconds:0.000} s");
            try
            {
                _output.WriteLine($"dir2 back after {WaitForNextHops(lab, 3, TimeSpan.FromSeconds(30)).TotalSeconds:0.00} s");
            }
            catch (TimeoutException ex)
            {
                _output.WriteLine("dir2 not back within 15 s: " + ex.Message);
                _output.WriteLine(lab.Exec("rtr", Short, "birdc", "-s", lab.Env["LVT_RTR_BIRD_SOCKET"], "show", "protocols", "all", "dir2").StandardOutput);
                _output.WriteLine(ProcessResult.Run("birdc", ["-s", lab.Env["LVT_DIR2_BIRD_SOCKET"], "show", "protocols", "all", "router1"], Short).Output);
            }

            // lvsnetd of dir3 killed: its BIRD child dies with it and the route goes.
            var dir3Bird = BirdPid(sockets[2]);
            var kill = Stopwatch.StartNew();
            ProcessResult.Run("kill", ["-KILL", daemons[2]!.Pid.ToString(CultureInfo.InvariantCulture)], Short);
            WaitForRouteWithout(lab, "10.77.0.4", TimeSpan.FromSeconds(5));
            var killTime = kill.Elapsed;
            _output.WriteLine($"lvsnetd of dir3 killed: next hop withdrawn after {killTime.TotalSeconds:0.000} s");
            Assert.True(killTime < TimeSpan.FromSeconds(1), $"withdrawal took {killTime.TotalSeconds:0.000} s");
            Thread.Sleep(300);
            Assert.False(Alive(dir3Bird), "the BIRD child outlived its lvsnetd");
            var after = lab.Shell("client", $"for i in $(seq 1 20); do curl -s -o /dev/null -w '%{{http_code}}\\n' --max-time 2 http://{Vip}/; done", Short);
            Assert.Equal(20, Regex.Count(after.StandardOutput, "^200$", RegexOptions.Multiline));

            // tshark decodes the sessions: OPEN, UPDATE with the VIP, UPDATE withdrawing it, KEEPALIVE; BFD Up and Down.
            Thread.Sleep(500);
            var capture = started[0];
            Lab.Stop(capture);
            started.Remove(capture);
            var types = Tshark(pcap, "bgp", "bgp.type");
            Assert.Contains("1", types);
            Assert.Contains("2", types);
            Assert.Contains("4", types);
            var updates = ProcessResult.Run("tshark", ["-r", pcap, "-n", "-Y", "bgp.type == 2", "-O", "bgp"], Short).StandardOutput;
            Assert.Contains("10.79.0.100/32", updates, StringComparison.Ordinal);
            Assert.NotEmpty(Tshark(pcap, "bgp.update.withdrawn_routes.length > 0", "frame.number"));
            var bfdStates = Tshark(pcap, "bfd", "bfd.sta");
            _output.WriteLine($"tshark: {types.Count} BGP messages, {bfdStates.Count} BFD packets, states {string.Join(",", bfdStates.Distinct())}");
            Assert.Contains("0x03", bfdStates.Select(s => s.StartsWith("0x", StringComparison.Ordinal) ? s : "0x0" + s));
            Assert.Contains(bfdStates, s => s is "1" or "0x01" or "0" or "0x00"); // Down (or AdminDown) after the silent failure
        }
        finally
        {
            CleanUp(started, daemons, work);
        }
    }

    // No sync at all: under keep-alive clients, long downloads and two wrk runs (keep-alive, and one
    // connection per request), the director that holds the most keep-alive connections is drained,
    // then, after undrain, the busiest one is SIGKILLed. ECMP moves its flows (and, hash-threshold,
    // some of the others' too) to directors that never saw their SYN, and each continues: sloppy_tcp
    // opens it on its next segment and mh picks the same real server. With sloppy_tcp off it fails.
    [RequiresRootFact]
    public void Ecmp_WithoutSync_SloppyTcpAndMaglevContinueTheFlowsEcmpMoves()
    {
        using var lab = Lab.Up(realServers: 2, mode: "dr", ecmp: true);
        var work = Directory.CreateTempSubdirectory("lvt-ecmp-");
        var started = new List<Process>();
        var daemons = new DaemonProcess?[3];
        try
        {
            // A 16 MiB file on port 8081 of both real servers.
            var expectedSha = RandomFileServer.Start(lab, work.FullName, 16 << 20, started, "rs1", "rs2");

            var sockets = StartDirectors(lab, work.FullName, daemons, sync: false);
            WaitForNextHops(lab, 3, TimeSpan.FromSeconds(20));

            // Drain the director holding the most keep-alive connections, one second into the traffic.
            var traffic = StartTraffic(lab, work.FullName, "drain", started);
            Thread.Sleep(1000);
            var held = Roles.Select((_, i) => Connections(sockets[i])).ToArray();
            var drained = Array.IndexOf(held, held.Max());
            _output.WriteLine($"connections per director: {string.Join(", ", held)}; draining {Roles[drained]}");
            Assert.Contains("draining", Adm(sockets[drained], "drain", "--timeout", "20s").StandardOutput, StringComparison.Ordinal);
            WaitForNextHops(lab, 2, TimeSpan.FromSeconds(30));
            CheckTraffic(traffic, work.FullName, expectedSha);
            var after = Roles.Select((_, i) => Connections(sockets[i])).ToArray();
            _output.WriteLine($"connections per director after the drain: {string.Join(", ", after)}");

            Assert.Contains("undrained", Adm(sockets[drained], "undrain").StandardOutput, StringComparison.Ordinal);
            WaitForNextHops(lab, 3, TimeSpan.FromSeconds(30));

            // Kill the busiest director's lvsnetd (its BIRD child dies with it; the route goes).
            var before = Roles.Select((_, i) => Connections(sockets[i])).ToArray();
            traffic = StartTraffic(lab, work.FullName, "kill", started);
            Thread.Sleep(1000);
            var gained = Roles.Select((_, i) => Connections(sockets[i]) - before[i]).ToArray();
            var killed = Array.IndexOf(gained, gained.Max());
            _output.WriteLine($"new connections per director: {string.Join(", ", gained)}; killing {Roles[killed]}");
            ProcessResult.Run("kill", ["-KILL", daemons[killed]!.Pid.ToString(CultureInfo.InvariantCulture)], Short);
            WaitForNextHops(lab, 2, TimeSpan.FromSeconds(30));
            CheckTraffic(traffic, work.FullName, expectedSha);
        }
        finally
        {
            CleanUp(started, daemons, work);
        }
    }

    // Six keep-alive clients (120 requests over 12 s each), two 16 MiB downloads at 2 MB/s (8 s), and
    // wrk for 8 s with keep-alive and with one connection per request.
    private static List<(string Kind, Process Process)> StartTraffic(Lab lab, string work, string name, List<Process> started)
    {
        var traffic = new List<(string, Process)>();
        traffic.AddRange(Enumerable.Range(0, 6).Select(_ => ("keep-alive", lab.Start("client", "python3", "-c", KeepAliveScript))));
        traffic.AddRange(Enumerable.Range(0, 2).Select(i => ("download", lab.Start("client", "curl", "-sS", "--limit-rate", "2000000", "--max-time", "40", "-o", Path.Combine(work, $"{name}{i}.bin"), "-w", "%{http_code}", $"http://{Vip}:8081/big.bin"))));
        traffic.Add(("wrk keep-alive", lab.Start("client", "wrk", "-t1", "-c8", "-d8s", "--timeout", "5s", $"http://{Vip}/")));
        traffic.Add(("wrk close", lab.Start("client", "wrk", "-t1", "-c8", "-d8s", "--timeout", "5s", "-H", "Connection: close", $"http://{Vip}/")));
        started.AddRange(traffic.Select(t => t.Item2));
        return traffic;
    }

    private void CheckTraffic(List<(string Kind, Process Process)> traffic, string work, string expectedSha)
    {
        foreach (var (kind, process) in traffic)
        {
            Assert.True(process.WaitForExit(45_000), $"{kind} did not finish");
            var text = (process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd()).Trim();
            _output.WriteLine($"{kind}: {(kind.StartsWith("wrk", StringComparison.Ordinal) ? WrkSummary(text) : text)}");
            switch (kind)
            {
                case "keep-alive":
                    Assert.StartsWith("ok same-connection", text, StringComparison.Ordinal);
                    break;
                case "download":
                    Assert.True(process.ExitCode == 0 && text == "200", $"download: exit {process.ExitCode}, {text}");
                    break;
                default:
                    Assert.True(process.ExitCode == 0, text);
                    Assert.DoesNotContain("Socket errors", text, StringComparison.Ordinal);
                    Assert.DoesNotContain("Non-2xx", text, StringComparison.Ordinal);
                    break;
            }
        }

        foreach (var file in Directory.GetFiles(work, "*.bin"))
        {
            Assert.Equal(expectedSha, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file))));
            File.Delete(file);
        }
    }

    private static string WrkSummary(string text) =>
        string.Join("; ", text.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("Requests/sec", StringComparison.Ordinal) || l.Contains("requests in", StringComparison.Ordinal) || l.StartsWith("Socket errors", StringComparison.Ordinal) || l.StartsWith("Non-2xx", StringComparison.Ordinal)));

    // New-connection throughput through three directors, then one (two drained), then three again, in the
    // same lab: wrk with "Connection: close" (one TCP connection per request). Everything (client, router,
    // directors, real servers, wrk) shares the machine's cores, so the figures are ratios on this box.
    [RequiresRootFact]
    public void Ecmp_NewConnectionThroughput_ThreeDirectorsVersusOne()
    {
        using var lab = Lab.Up(realServers: 2, mode: "dr", ecmp: true);
        var work = Directory.CreateTempSubdirectory("lvt-ecmp-");
        var daemons = new DaemonProcess?[3];
        try
        {
            var sockets = StartDirectors(lab, work.FullName, daemons);
            WaitForNextHops(lab, 3, TimeSpan.FromSeconds(20));
            var pids = daemons.Select(d => d!.Pid).ToArray();

            // Each lvsnetd's CPU while idle (health checks, timers, BIRD's control socket), per second.
            var idleStart = CpuSeconds(pids);
            var idleWatch = Stopwatch.StartNew();
            Thread.Sleep(3000);
            var idle = CpuSeconds(pids).Select((c, i) => (c - idleStart[i]) / idleWatch.Elapsed.TotalSeconds).ToArray();

            var three = Wrk(lab);
            Adm(sockets[1], "drain", "--timeout", "0");
            Adm(sockets[2], "drain", "--timeout", "0");
            WaitForNextHops(lab, 1, TimeSpan.FromSeconds(30));
            Thread.Sleep(1000);

            // One director forwards every connection and sends its sync records; the two drained ones
            // only apply those records. Their CPU per connection, less the idle share, gives the model.
            // wrk's request count is the connection count ("Connection: close": one request each).
            var cpuBefore = CpuSeconds(pids);
            var phase = Stopwatch.StartNew();
            var one = Wrk(lab);
            var seconds = phase.Elapsed.TotalSeconds;
            var conns = one.Requests;
            var used = CpuSeconds(pids).Select((c, i) => Math.Max(0, c - cpuBefore[i] - (idle[i] * seconds))).ToArray();
            var forward = used[0] / conns;
            var apply = (used[1] + used[2]) / 2 / conns;

            // CPU time comes in 10 ms ticks, in the run and in the idle rate scaled to the run: below
            // that, the apply cost is not resolved and the model takes the bound instead.
            var resolution = (0.01 + (0.01 * seconds / idleWatch.Elapsed.TotalSeconds)) / conns;
            var applyBound = Math.Max(apply, resolution);
            _output.WriteLine($"idle CPU per director {string.Join(", ", idle.Select(i => $"{i * 100:0.0} %"))}; one director: {conns} connections in {seconds:0.0} s, " +
                $"{forward * 1e6:0.0} µs CPU each on the forwarding director, {apply * 1e6:0.00} µs each on a director applying its sync records (resolution {resolution * 1e6:0.00} µs)");
            foreach (var n in new[] { 2, 3, 4, 8 })
            {
                _output.WriteLine($"model, {n} directors on their own cores: at least {n * forward / (forward + ((n - 1) * applyBound)):0.00} x one director with multi-master sync, {n} x without sync (sloppy_tcp + mh)");
            }

            Adm(sockets[1], "undrain");
            Adm(sockets[2], "undrain");
            WaitForNextHops(lab, 3, TimeSpan.FromSeconds(30));
            Thread.Sleep(1000);
            var threeAgain = Wrk(lab);
            _output.WriteLine($"new connections/s: three directors {three.Rate:0}, one director {one.Rate:0}, three again {threeAgain.Rate:0} (ratio {(three.Rate + threeAgain.Rate) / 2 / one.Rate:0.00}); socket errors {three.Errors}, {one.Errors}, {threeAgain.Errors}");
            Assert.True(conns > 1000 && forward > 0, $"{conns} connections, forward {forward}, apply {apply}");
            Assert.True(three.Rate > 0 && one.Rate > 0 && threeAgain.Rate > 0);
        }
        finally
        {
            CleanUp([], daemons, work);
        }
    }

    // Stops what a test started (the processes, then the directors) and removes its files.
    private static void CleanUp(List<Process> started, DaemonProcess?[] daemons, DirectoryInfo work)
    {
        foreach (var process in started)
        {
            Lab.Stop(process);
        }

        foreach (var daemon in daemons)
        {
            daemon?.Dispose();
        }

        work.Delete(recursive: true);
    }

    // utime + stime of each process (all its threads), in seconds (USER_HZ is 100 on Linux).
    private static double[] CpuSeconds(int[] pids) =>
        [.. pids.Select(pid =>
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
        })];

    private (double Rate, string Errors, long Requests) Wrk(Lab lab)
    {
        var result = lab.Exec("client", TimeSpan.FromSeconds(40), "wrk", "-t2", "-c48", "-d8s", "-H", "Connection: close", $"http://{Vip}/");
        _output.WriteLine(result.StandardOutput);
        var rate = WrkRateRegex().Match(result.StandardOutput);
        Assert.True(rate.Success, "no rate in wrk's output: " + result.Output);
        var errors = WrkErrorsRegex().Match(result.StandardOutput);
        var requests = WrkRequestsRegex().Match(result.StandardOutput);
        Assert.True(requests.Success, "no request count in wrk's output: " + result.Output);
        return (double.Parse(rate.Groups[1].Value, CultureInfo.InvariantCulture), errors.Success ? errors.Groups[1].Value.Trim() : "none", long.Parse(requests.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"(\d+) requests in ")]
    private static partial Regex WrkRequestsRegex();

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex WrkRateRegex();

    [GeneratedRegex(@"Socket errors:([^\n]*)")]
    private static partial Regex WrkErrorsRegex();

    private string[] StartDirectors(Lab lab, string work, DaemonProcess?[] daemons, bool sync = true)
    {
        var sockets = new string[3];
        for (var i = 0; i < 3; i++)
        {
            sockets[i] = Path.Combine(work, $"d{i + 1}.sock");
            daemons[i] = DaemonProcess.StartIn(lab, Roles[i], Yaml(lab, i + 1, sync), new Dictionary<string, string>(), "--socket", sockets[i]);
            if (!sync)
            {
                continue;
            }

            // Multi-master sync (sync_daemon mode master_and_backup): every director sends its connections and takes the others'.
            var listed = "";
            for (var attempt = 0; attempt < 50 && !listed.Contains("backup sync daemon", StringComparison.Ordinal); attempt++)
            {
                Thread.Sleep(attempt == 0 ? 0 : 100); // the HA control starts the daemons just after the capture's Started event
                listed = Adm(sockets[i], "-L", "--daemon").StandardOutput;
            }

            Assert.Contains("master sync daemon (mcast=eth0", listed, StringComparison.Ordinal);
            Assert.Contains("backup sync daemon (mcast=eth0", listed, StringComparison.Ordinal);
        }

        return sockets;
    }

    internal static string Yaml(Lab lab, int k, bool sync = true) =>
        $"""
        director:
          interface: eth0
          address: 10.77.0.{k + 1}/24
        announce:
          routes_file: {lab.Env[$"LVT_DIR{k}_ROUTES"]}
          bird_config: {lab.Env[$"LVT_DIR{k}_BIRD_CONF"]}
          bird_socket: {lab.Env[$"LVT_DIR{k}_BIRD_SOCKET"]}
        connections:
          sloppy_tcp: true
        {(sync ? "high_availability:\n  sync_daemon:\n    mode: master_and_backup" : "")}
        virtual_services:
          - protocol: tcp
            address: {Vip}
            port: 80
            scheduler: mh
            scheduler_flags: [mh-port]
            real_servers:
              - address: 10.77.0.11
              - address: 10.77.0.12
          - protocol: tcp
            address: {Vip}
            port: 8081
            scheduler: mh
            scheduler_flags: [mh-port]
            real_servers:
              - address: 10.77.0.11
              - address: 10.77.0.12
        """;

    // One HTTP/1.1 connection, a request every 100 ms for about 12 s: any reset or reconnect is a failure.
    private const string KeepAliveScript =
        """
        import http.client, sys, time
        c = http.client.HTTPConnection("10.79.0.100", 80, timeout=30)
        first = None
        worst = 0.0
        try:
            for i in range(120):
                s = time.time()
                c.request("GET", "/")
                r = c.getresponse()
                r.read()
                if r.status != 200:
                    print("error status %d" % r.status); sys.exit(1)
                if first is None:
                    first = c.sock.getsockname()
                elif c.sock.getsockname() != first:
                    print("error reconnected"); sys.exit(1)
                worst = max(worst, time.time() - s)
                time.sleep(0.1)
        except Exception as e:
            print("error %r" % e); sys.exit(1)
        print("ok same-connection 120 requests, slowest %.2f s" % worst)
        """;

    internal static string Route(Lab lab) => lab.Exec("rtr", Short, "ip", "route", "show", $"{Vip}/32").StandardOutput;

    internal static TimeSpan WaitForNextHops(Lab lab, int count, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        var last = "";
        while (watch.Elapsed < timeout)
        {
            last = Route(lab);
            var hops = Regex.Count(last, @"nexthop via ");
            if (hops == count || (count == 1 && hops == 0 && last.Contains(" via ", StringComparison.Ordinal)))
            {
                return watch.Elapsed;
            }

            Thread.Sleep(20);
        }

        throw new TimeoutException($"the router has not {count} next hop(s) for {Vip} after {timeout}: {last}");
    }

    private static void WaitForRouteWithout(Lab lab, string nextHop, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (!Route(lab).Contains($"via {nextHop} ", StringComparison.Ordinal))
            {
                return;
            }

            Thread.Sleep(10);
        }

        throw new TimeoutException($"{nextHop} still a next hop after {timeout}: {Route(lab)}");
    }

    internal static ProcessResult Adm(string socket, params string[] args) => ProcessResult.Run("dotnet", [CliDll, "--socket", socket, .. args], Short);

    // The "conns" column of -L -n --stats, summed over the real servers.
    private static long Connections(string socket)
    {
        long total = 0;
        foreach (Match m in ServerStatsRegex().Matches(Adm(socket, "-L", "-n", "--stats").StandardOutput))
        {
            total += long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        }

        return total;
    }

    private static int BirdPid(string socket)
    {
        var status = Adm(socket, "status").StandardOutput;
        var match = BirdPidRegex().Match(status);
        Assert.True(match.Success, "no BIRD pid in the status:\n" + status);
        return int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static string HaSyncLine(string socket) =>
        string.Join(" | ", Adm(socket, "status").StandardOutput.Split('\n').Where(l => l.StartsWith("sync ", StringComparison.Ordinal)));

    private static bool Alive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..];
            return state[0] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static List<string> Tshark(string pcap, string filter, string field) =>
        [.. ProcessResult.Run("tshark", ["-r", pcap, "-n", "-Y", filter, "-T", "fields", "-e", field], Short).StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .SelectMany(l => l.Split(','))];

    [GeneratedRegex(@"^\s+->\s+\S+\s+(\d+)\s", RegexOptions.Multiline)]
    private static partial Regex ServerStatsRegex();

    [GeneratedRegex(@"bird: running \(pid (\d+)")]
    private static partial Regex BirdPidRegex();
}
