using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using LvsNet.Testing;

namespace LvsNet.Lab.Tests;

/// <summary>
/// A namespace lab made by <c>lab/lab.sh</c> for one test: a bridge, a client, a director and real
/// servers running nginx. Disposing it tears everything down, also after a failure.
/// </summary>
public sealed class Lab : IDisposable
{
    private Lab(string id, IReadOnlyDictionary<string, string> env)
    {
        Id = id;
        Env = env;
    }

    /// <summary>The lab id (namespaces are lvt-ID-ROLE).</summary>
    public string Id { get; }

    /// <summary>The variables of lab.env.</summary>
    public IReadOnlyDictionary<string, string> Env { get; }

    /// <summary>The path of lab.sh.</summary>
    public static string Script => Path.Combine(TestEnvironment.RepositoryRoot, "lab", "lab.sh");

    /// <summary>The VIP.</summary>
    public string Vip => Env["LVT_VIP"];

    /// <summary>Creates a lab.</summary>
    /// <param name="realServers">How many real servers.</param>
    /// <param name="mode">dr, nat, tun or fullnat.</param>
    /// <param name="directors">1, or 2 for a second director (role dir2) for HA tests.</param>
    /// <param name="ecmp">The scale-out lab (lab.sh --ecmp): a BIRD router with ECMP in front of three directors (dir, dir2, dir3); DR only.</param>
    /// <param name="ipv6">IPv6 on the segment too (lab.sh --ipv6; dr or nat): ULA addresses, the IPv6 VIPs on the real servers' lo.</param>
    /// <param name="keepaliveTimeout">The real servers' nginx keepalive_timeout in seconds (lab.sh's default 10).</param>
    public static Lab Up(int realServers = 2, string mode = "dr", int directors = 1, bool ecmp = false, bool ipv6 = false, int? keepaliveTimeout = null)
    {
        var id = "t" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        string[] topology = ecmp ? ["--ecmp"] : ipv6 ? ["--directors", directors.ToString(), "--ipv6"] : ["--directors", directors.ToString()];
        string[] keepalive = keepaliveTimeout is { } seconds ? ["--keepalive-timeout", seconds.ToString(CultureInfo.InvariantCulture)] : [];
        var result = ProcessResult.Run(Script, ["up", id, "--rs", realServers.ToString(), "--mode", mode, .. topology, .. keepalive], TimeSpan.FromSeconds(60));
        if (result.ExitCode != 0)
        {
            ProcessResult.Run(Script, ["down", id], TimeSpan.FromSeconds(30));
            throw new InvalidOperationException($"lab.sh up failed ({result.ExitCode}): {result.Output}");
        }

        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in result.StandardOutput.Split('\n'))
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (line.StartsWith("LVT_", StringComparison.Ordinal) && eq > 0)
            {
                env[line[..eq]] = line[(eq + 1)..].Trim().Trim('\'');
            }
        }

        return new Lab(id, env);
    }

    /// <summary>The namespace of a role (client, dir, rs1, ...).</summary>
    public string Namespace(string role) => $"lvt-{Id}-{role}";

    /// <summary>Runs a command in a role's namespace.</summary>
    public ProcessResult Exec(string role, TimeSpan timeout, params string[] command) =>
        ProcessResult.Run("ip", ["netns", "exec", Namespace(role), .. command], timeout);

    /// <summary>Runs a shell script in a role's namespace.</summary>
    public ProcessResult Shell(string role, string script, TimeSpan timeout) => Exec(role, timeout, "bash", "-c", script);

    /// <summary>Starts a long-running command in a role's namespace.</summary>
    public Process Start(string role, params string[] command)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])["netns", "exec", Namespace(role), .. command])
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("cannot start " + string.Join(' ', command));
    }

    /// <summary>
    /// Makes <paramref name="count"/> sequential HTTP requests from the client to the VIP, each on a
    /// new connection, and counts the answers by body ("rs1", "rs2", ...; "FAILED" for none).
    /// </summary>
    public Dictionary<string, int> Requests(int count, int maxTimeSeconds = 3)
    {
        var result = Shell("client", $"for i in $(seq 1 {count}); do curl -s --max-time {maxTimeSeconds} http://{Vip}/ || echo FAILED; done", TimeSpan.FromSeconds((count * maxTimeSeconds) + 30));
        Xunit.Assert.Equal(0, result.ExitCode);
        return result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).GroupBy(l => l.Trim()).ToDictionary(g => g.Key, g => g.Count());
    }

    /// <summary>Stops a process started with <see cref="Start"/> (SIGTERM, then SIGKILL after 5 s) and disposes it.</summary>
    public static void Stop(Process process)
    {
        ArgumentNullException.ThrowIfNull(process);
        if (!process.HasExited)
        {
            ProcessResult.Run("kill", ["-TERM", process.Id.ToString()], TimeSpan.FromSeconds(5));
            if (!process.WaitForExit(5000))
            {
                process.Kill();
            }
        }

        process.Dispose();
    }

    /// <inheritdoc />
    public void Dispose() => ProcessResult.Run(Script, ["down", Id], TimeSpan.FromSeconds(60));
}
