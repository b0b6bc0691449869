using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using LvsNet.Testing;

namespace LvsNet.Lab.Tests;

/// <summary>
/// What the two-director lab tests share: lvsnetadm against a daemon's socket, waiting for a role,
/// keepalived started with the shipped notify and check scripts, the traffic scripts (keep-alive,
/// new-connection probe) and the takeover arithmetic.
/// </summary>
internal static partial class HaLabTools
{
    public const string Vip = "10.77.0.100";
    public static readonly TimeSpan Short = TimeSpan.FromSeconds(30);

    // keepalived 2.2.7 refuses a VRRPv3 instance without an address ("No VIP specified"); the VIPs
    // stay out of the kernel, so it gets a TEST-NET-1 address on lo that nothing uses.
    private const string PlaceholderVip = "\n  virtual_ipaddress {\n    192.0.2.1/32 dev lo\n  }";

    public static string CliDll =>
        Path.Combine(TestEnvironment.RepositoryRoot, "src", "LvsNet.Cli", "bin", Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(DaemonProcess.DaemonDll)!)!), "net10.0", "lvsnetadm.dll");

    public static ProcessResult Adm(string socket, params string[] args) => ProcessResult.Run("dotnet", [CliDll, "--socket", socket, .. args], Short);

    public static void WaitForRole(string socket, string role, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        var last = string.Empty;
        while (watch.Elapsed < timeout)
        {
            last = Adm(socket, "status").StandardOutput;
            if (last.Contains($"role: {role} ", StringComparison.Ordinal))
            {
                return;
            }

            Thread.Sleep(100);
        }

        throw new TimeoutException($"{socket} did not become {role} within {timeout}:\n{last}");
    }

    /// <summary>
    /// Waits until the backup lists every connection the client holds open to the given virtual
    /// services ("[fd77::100]:80", "10.77.0.100:8081"), at least <paramref name="perService"/> of each.
    /// A connection is synced only after its 3rd packet and the sync's 2 s flush; a substring match on
    /// the service alone would also be met by earlier, closed connections, and the master could be
    /// killed before the one under test reached the backup. Returns the backup's listing.
    /// </summary>
    public static string WaitUntilSynced(Lab lab, string backupSocket, IReadOnlyCollection<string> services, TimeSpan timeout, int perService = 1)
    {
        var wait = Stopwatch.StartNew();
        var listing = string.Empty;
        var missing = "no client connection seen yet";
        while (wait.Elapsed < timeout)
        {
            // Every connection still open on the client: established, or closing while it reads what
            // the server sent before its FIN (a download's server can finish writing seconds before
            // the rate-limited client has read it all: CLOSE-WAIT). With more than one state in the
            // filter ss prints: State Recv-Q Send-Q Local:Port Peer:Port.
            var open = lab.Exec("client", Short, "ss", "-Htn", "state", "established", "state", "close-wait", "state", "fin-wait-1",
                    "state", "fin-wait-2", "state", "last-ack", "state", "closing").StandardOutput
                .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(f => f.Length >= 5 && services.Contains(f[4]))
                .Select(f => (Client: f[3], Service: f[4]))
                .ToList();
            listing = Adm(backupSocket, "-L", "-n", "-c").StandardOutput;
            var held = listing.Split('\n').Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
            var notHeld = open.Where(c => !held.Any(f => Array.IndexOf(f, c.Client) is var i && i >= 0 && i + 1 < f.Length && f[i + 1] == c.Service)).ToList();
            var fewer = services.Where(s => open.Count(c => c.Service == s) < perService).ToList();
            if (notHeld.Count == 0 && fewer.Count == 0)
            {
                return listing;
            }

            missing = string.Join(", ", notHeld.Select(c => $"{c.Client} -> {c.Service} not on the backup").Concat(fewer.Select(s => $"fewer than {perService} client connection(s) to {s}")));
            Thread.Sleep(200);
        }

        throw new TimeoutException($"the backup did not hold the client's connections within {timeout}: {missing}\n{listing}");
    }

    public static string WriteAdmWrapper(string directory)
    {
        // The shipped notify and check scripts run $LVSNETADM; here that is the built lvsnetadm.
        var path = Path.Combine(directory, "lvsnetadm");
        File.WriteAllText(path, $"#!/bin/sh\nexec dotnet {CliDll} \"$@\"\n");
        ProcessResult.Run("chmod", ["755", path], Short);
        return path;
    }

    /// <summary>Starts keepalived (VRRP only) in a director's namespace with the shipped notify and check scripts.</summary>
    /// <param name="advertInt">advert_int in seconds (below 1 needs <paramref name="vrrpVersion"/> 3).</param>
    /// <param name="notifyFifo">keepalived's notify_fifo, which lvsnetd reads itself, instead of the notify script; null: the script.</param>
    public static Process StartKeepalived(Lab lab, string role, string directory, int n, int priority, string socket, string adm, List<Process> started, double advertInt = 1, int vrrpVersion = 2, string? notifyFifo = null)
    {
        var scripts = Path.Combine(TestEnvironment.RepositoryRoot, "config", "examples", "keepalived");
        var fifo = notifyFifo is null ? string.Empty : $"\n  notify_fifo {notifyFifo}";
        var notify = notifyFifo is null ? $"\n  notify \"/usr/bin/env LVSNETADM={adm} {scripts}/lvsnet-notify.sh {socket}\"" : string.Empty;
        var config = Path.Combine(directory, $"keepalived{n}.conf");
        File.WriteAllText(config, $$"""
            global_defs {
              router_id lvt_{{role}}{{fifo}}
              enable_script_security
              script_user root
            }
            vrrp_script chk_lvsnetd {
              script "/usr/bin/env LVSNETADM={{adm}} {{scripts}}/check-lvsnetd.sh {{socket}}"
              interval 2
              timeout 5
              fall 3
              rise 1
            }
            vrrp_instance VI_1 {
              state BACKUP
              interface eth0
              version {{vrrpVersion}}
              virtual_router_id 51
              priority {{priority}}
              advert_int {{advertInt.ToString(CultureInfo.InvariantCulture)}}{{notify}}
              track_script {
                chk_lvsnetd
              }{{(vrrpVersion == 3 ? PlaceholderVip : string.Empty)}}
            }
            """);
        var process = lab.Start(role, "keepalived", "-n", "-l", "-D", "-P", "-f", config, "-p", Path.Combine(directory, $"k{n}.pid"), "-r", Path.Combine(directory, $"k{n}-vrrp.pid"));
        started.Add(process);
        return process;
    }

    /// <summary>
    /// SIGKILL of everything in a namespace, keepalived's VRRP child first: killed after its parent it
    /// would get SIGTERM (PR_SET_PDEATHSIG) and send a priority-0 advert, which is a clean stop.
    /// </summary>
    public static DateTimeOffset KillAll(Lab lab, string role, string vrrpPidFile)
    {
        var vrrpChild = File.ReadAllText(vrrpPidFile).Trim();
        var killedAt = DateTimeOffset.UtcNow;
        ProcessResult.Run("kill", ["-KILL", vrrpChild], Short);
        foreach (var pid in NamespacePids(lab.Namespace(role)).Reverse())
        {
            ProcessResult.Run("kill", ["-KILL", pid.ToString(CultureInfo.InvariantCulture)], Short);
        }

        return killedAt;
    }

    public static int[] NamespacePids(string ns)
    {
        var result = ProcessResult.Run("ip", ["netns", "pids", ns], Short);
        return [.. result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p.Trim(), CultureInfo.InvariantCulture))];
    }

    public static void Quietly(Action action)
    {
        try
        {
            action();
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or UnauthorizedAccessException or TimeoutException)
        {
            // Cleanup goes on; the lab's own teardown removes what is left in its namespaces.
        }
    }

    /// <summary>
    /// One HTTP/1.1 connection to <paramref name="host"/> (the VIP by default; an IPv6 address bare) on
    /// <paramref name="port"/>, a request every 100 ms, <paramref name="requests"/> of them: any reset or
    /// reconnect is a failure. Prints "ok same-connection port=P, ..." with its client port P.
    /// </summary>
    public static string KeepAliveScript(int requests = 100, int port = 80, string? host = null, int timeoutSeconds = 30) =>
        $$"""
        import http.client, sys, time
        c = http.client.HTTPConnection("{{host ?? Vip}}", {{port}}, timeout={{timeoutSeconds}})
        first = None
        worst = 0.0
        try:
            for i in range({{requests}}):
                s = time.time()
                c.request("GET", "/")
                r = c.getresponse()
                r.read()
                if first is None:
                    first = c.sock.getsockname()
                elif c.sock.getsockname() != first:
                    print("error reconnected"); sys.exit(1)
                worst = max(worst, time.time() - s)
                time.sleep(0.1)
        except Exception as e:
            print("error %r" % e); sys.exit(1)
        print("ok same-connection port=%d, {{requests}} requests, slowest %.2f s" % (first[1], worst))
        """;

    /// <summary>New connections for <paramref name="seconds"/> s: "ok|fail &lt;start&gt; &lt;end&gt;" (epoch seconds) per attempt.</summary>
    public static string ProbeScript(int seconds = 16, string maxTime = "0.5", string pause = "0.05") =>
        $"end=$(( $(date +%s) + {seconds} )); while [ $(date +%s) -lt $end ]; do t=$(date +%s.%N); "
        + $"if curl -s -o /dev/null --max-time {maxTime} http://{Vip}/; then r=ok; else r=fail; fi; echo \"$r $t $(date +%s.%N)\"; sleep {pause}; done";

    /// <summary>From the probe's lines: the time from <paramref name="killedAt"/> to the first new connection completed after the gap, and the attempts after it that failed.</summary>
    public static (TimeSpan Takeover, int FailedAfter, string Summary) Takeover(string[] probeLines, DateTimeOffset killedAt)
    {
        var attempts = probeLines.Select(l => l.Split(' ')).Where(p => p.Length == 3)
            .Select(p => (Ok: p[0] == "ok", At: Epoch(p[1]), End: Epoch(p[2]))).ToList();
        var firstFailure = attempts.FirstOrDefault(a => !a.Ok && a.End >= killedAt);
        var back = attempts.FirstOrDefault(a => a.Ok && a.At > killedAt && (firstFailure == default || a.At > firstFailure.At));
        if (back == default)
        {
            return (TimeSpan.MaxValue, 0, $"no new connection succeeded after the kill ({attempts.Count} attempts)");
        }

        var failedAfter = attempts.Count(a => a.At > back.At && !a.Ok);
        var summary = $"first new connection completed {(back.End - killedAt).TotalSeconds:F2} s after the event; {attempts.Count(a => !a.Ok)} failed attempt(s) of {attempts.Count}";
        return (back.End - killedAt, failedAfter, summary);
    }

    /// <summary>wrk's socket errors (connect, read, write, timeout) from its summary; all 0 when it printed none.</summary>
    public static (int Connect, int Read, int Write, int Timeout, long Requests) WrkErrors(string output)
    {
        var requests = SummaryPattern().Match(output) is { Success: true } s ? long.Parse(s.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
        var m = ErrorsPattern().Match(output);
        return m.Success
            ? (Parse(m, 1), Parse(m, 2), Parse(m, 3), Parse(m, 4), requests)
            : (0, 0, 0, 0, requests);

        static int Parse(Match m, int group) => int.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);
    }

    private static DateTimeOffset Epoch(string seconds) =>
        DateTimeOffset.FromUnixTimeMilliseconds((long)(double.Parse(seconds, CultureInfo.InvariantCulture) * 1000));

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex ErrorsPattern();

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex SummaryPattern();
}
