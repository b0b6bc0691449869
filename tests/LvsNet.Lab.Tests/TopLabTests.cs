using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using LvsNet.Testing;
using Xunit;
using Xunit.Abstractions;

namespace LvsNet.Lab.Tests;

/// <summary>
/// <c>lvsnetadm top</c> in a real terminal (a tmux pane on a private tmux server, driven with
/// send-keys and read with capture-pane), and the health and connection-query listings, against
/// lvsnetd in the namespace lab with nginx real servers under health checks.
/// </summary>
[Trait("Category", "Lab")]
public class TopLabTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(30);

    private static readonly string Yaml = LabConfigs.HealthCheckedWeb();

    private static string CliDll =>
        Path.Combine(TestEnvironment.RepositoryRoot, "src", "LvsNet.Cli", "bin", Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(DaemonProcess.DaemonDll)!)!), "net10.0", "lvsnetadm.dll");

    private static (DaemonProcess Daemon, string Socket) Start(Lab lab)
    {
        var socket = Path.Combine(Path.GetTempPath(), $"lvt-{lab.Id}.sock");
        var daemon = DaemonProcess.Start(lab, Yaml, "--socket", socket);
        daemon.WaitForEvent("ControlListening", Short);
        return (daemon, socket);
    }

    private static string Adm(string socket, params string[] args)
    {
        var result = ProcessResult.Run("dotnet", [CliDll, "--socket", socket, .. args], Short);
        Assert.True(result.ExitCode == 0, $"lvsnetadm {string.Join(' ', args)} exited {result.ExitCode}:\n{result.Output}");
        return result.StandardOutput;
    }

    /// <summary>A tmux server of its own (its socket in the temp directory), so nothing of another tmux is touched.</summary>
    private sealed class Tmux(string socket) : IDisposable
    {
        public ProcessResult Run(params string[] args) => ProcessResult.Run("tmux", ["-S", socket, .. args], TimeSpan.FromSeconds(10));

        public string Capture() => Run("capture-pane", "-p", "-t", "top").StandardOutput;

        public string WaitFor(Func<string, bool> condition, TimeSpan timeout, string what)
        {
            var watch = Stopwatch.StartNew();
            var screen = Capture();
            while (!condition(screen))
            {
                Assert.True(watch.Elapsed < timeout, $"top did not show {what} within {timeout}:\n{screen}");
                Thread.Sleep(200);
                screen = Capture();
            }

            return screen;
        }

        public void Dispose()
        {
            Run("kill-server");
            File.Delete(socket);
        }
    }

    /// <summary>The server rows of a top frame, in screen order: address to columns.</summary>
    private static List<string[]> ServerRows(string screen) =>
        [.. screen.Split('\n').Where(l => l.StartsWith("  -> 10.", StringComparison.Ordinal)).Select(l => l[5..].Split(' ', StringSplitOptions.RemoveEmptyEntries))];

    [RequiresRootFact]
    public void Top_InTmux_SortsByKey_FollowsConnectionsAndHealth_AndQuitsOnQ()
    {
        using var lab = Lab.Up();
        var (daemon, socket) = Start(lab);
        using (daemon)
        using (var tmux = new Tmux(Path.Combine(Path.GetTempPath(), $"lvt-{lab.Id}.tmux")))
        {
            var started = tmux.Run("new-session", "-d", "-s", "top", "-x", "160", "-y", "30", $"dotnet '{CliDll}' --socket '{socket}' top -d 1");
            Assert.True(started.ExitCode == 0, started.Output);
            var screen = tmux.WaitFor(s => ServerRows(s).Count == 2, Short, "both servers");
            Assert.StartsWith("lvsnetadm top - ", screen, StringComparison.Ordinal);
            Assert.Contains("sort: address", screen, StringComparison.Ordinal);
            Assert.Matches(@"\nTCP  10\.77\.0\.100:80 +rr .*quorum up", screen);
            var rows = ServerRows(screen);
            Assert.Equal(["10.77.0.11:80", "up", "1/1"], rows[0][..3]);
            Assert.Equal(["10.77.0.12:80", "up", "3/3"], rows[1][..3]);

            // One connection held open: ActConn 1 on whichever server rr picked; 'a' sorts it first.
            lab.Requests(2);
            using var held = lab.Start("client", "bash", "-c", $"exec 3<>/dev/tcp/{lab.Vip}/80; sleep 25");
            tmux.Run("send-keys", "-t", "top", "a");
            screen = tmux.WaitFor(s => s.Contains("sort: active", StringComparison.Ordinal) && ServerRows(s) is [var first, _] && first[3] == "1", Short, "the held connection sorted first");
            output.WriteLine(screen);

            // A real server goes down: top shows it with the failing check; 's' puts unhealthy servers first.
            StatusPageLabTests.StopNginx(lab, 2);
            screen = tmux.WaitFor(s => ServerRows(s).Any(r => r[0] == "10.77.0.12:80" && r[1] == "down"), TimeSpan.FromSeconds(15), "10.77.0.12 down");
            Assert.Matches(@"  -> 10\.77\.0\.12:80 +down .*http_get /health FAIL", screen);
            tmux.Run("send-keys", "-t", "top", "s");
            screen = tmux.WaitFor(s => s.Contains("sort: state", StringComparison.Ordinal), Short, "sort: state");
            Assert.Equal("10.77.0.12:80", ServerRows(screen)[0][0]);
            output.WriteLine(screen);

            // 'q' ends top, and with it the pane's only command, so the session goes away.
            tmux.Run("send-keys", "-t", "top", "q");
            var watch = Stopwatch.StartNew();
            while (tmux.Run("has-session", "-t", "top").ExitCode == 0)
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), "top did not quit on q:\n" + tmux.Capture());
                Thread.Sleep(100);
            }

            Lab.Stop(held);
        }
    }

    [RequiresRootFact]
    public void Listings_HealthAndConnectionQueries_AgainstTheRunningDaemon()
    {
        using var lab = Lab.Up();
        var (daemon, socket) = Start(lab);
        using (daemon)
        {
            var answers = lab.Requests(10);
            Assert.Equal(5, answers.GetValueOrDefault("rs1"));
            Assert.Equal(5, answers.GetValueOrDefault("rs2"));

            // --health: every configured server with state, configured and effective weight, and its check.
            var health = Adm(socket, "-L", "-n", "--health");
            Assert.Matches(@"\n  -> 10\.77\.0\.11:80 +up +1 +1 +0 +5\n +http_get /health +ok [\d.]+ ms \(\d+/\d+\)\n", health);
            Assert.Matches(@"\n  -> 10\.77\.0\.12:80 +up +3 +3 +0 +5\n", health);
            using (var json = JsonDocument.Parse(Adm(socket, "-L", "-n", "--health", "--json")))
            {
                var servers = json.RootElement.GetProperty("services")[0].GetProperty("servers").EnumerateArray().ToList();
                Assert.All(servers, s => Assert.Equal("up", s.GetProperty("health").GetString()));
                Assert.All(servers, s => Assert.True(s.GetProperty("checkers")[0].GetProperty("checks").GetInt64() >= 1));
            }

            // Connection queries: counted on the daemon's side, rows only for what matched.
            var toRs1 = Adm(socket, "-L", "-n", "-c", "--server", "10.77.0.11:80");
            Assert.Equal(5, Regex.Count(toRs1, @"\nTCP \d\d:\d\d  FIN_WAIT    10\.77\.0\.10:\d+ +10\.77\.0\.100:80 +10\.77\.0\.11:80"));
            Assert.EndsWith("\n5 of 10 entries matched\nby server: 10.77.0.11:80 5\nby state: FIN_WAIT 5\n", toRs1, StringComparison.Ordinal);
            var limited = Adm(socket, "-L", "-n", "-c", "--client", "10.77.0.0/24", "--service", "tcp:10.77.0.100:80", "--limit", "2");
            Assert.Equal(2, Regex.Count(limited, @"\nTCP "));
            Assert.Contains("\n10 of 10 entries matched, 2 listed (--limit)\nby server: 10.77.0.11:80 5, 10.77.0.12:80 5\n", limited, StringComparison.Ordinal);
            Assert.Contains("\n0 of 10 entries matched\n", Adm(socket, "-L", "-n", "-c", "--client", "10.77.0.99"), StringComparison.Ordinal);
            using (var json = JsonDocument.Parse(Adm(socket, "-L", "-n", "-c", "--server", "10.77.0.12", "--json")))
            {
                Assert.Equal(5, json.RootElement.GetProperty("connection_counts").GetProperty("matched").GetInt64());
                Assert.Equal(5, json.RootElement.GetProperty("connections").GetArrayLength());
            }

            // A server that goes down is listed down with its check's error, and stays listed.
            StatusPageLabTests.StopNginx(lab, 2);
            var watch = Stopwatch.StartNew();
            while (!Regex.IsMatch(health = Adm(socket, "-L", "-n", "--health"), @"\n  -> 10\.77\.0\.12:80 +down "))
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), health);
                Thread.Sleep(250);
            }

            Assert.Matches(@"\n  -> 10\.77\.0\.12:80 +down +3 +3 +0 +5\n +http_get /health +FAIL \(\d+/\d+ failed\): .+\n", health);
            Assert.DoesNotContain("10.77.0.12", Adm(socket, "-L", "-n"), StringComparison.Ordinal);
        }
    }
}
