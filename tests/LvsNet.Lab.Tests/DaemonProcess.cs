using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using LvsNet.Testing;

namespace LvsNet.Lab.Tests;

/// <summary>The real lvsnetd process running in a lab's director namespace, with its JSON log collected.</summary>
public sealed class DaemonProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<JsonElement> _events = new();
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly string _directory;

    private DaemonProcess(Process process, string directory)
    {
        _process = process;
        _directory = directory;
        _process.OutputDataReceived += (_, e) => Collect(e.Data);
        _process.ErrorDataReceived += (_, e) => Collect(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The daemon's pid.</summary>
    public int Pid => _process.Id;

    /// <summary>The configuration file.</summary>
    public string ConfigPath => Path.Combine(_directory, "lvsnet.yaml");

    /// <summary>Every log line so far.</summary>
    public string Log => string.Join('\n', _lines);

    /// <summary>The path of the built daemon.</summary>
    public static string DaemonDll =>
        Path.Combine(TestEnvironment.RepositoryRoot, "src", "LvsNet.Daemon", "bin", BuildConfiguration, "net10.0", "lvsnetd.dll");

    private static string BuildConfiguration =>
#if DEBUG
        "Debug";
#else
        "Release";
#endif

    /// <summary>Starts lvsnetd in the lab's director namespace with <paramref name="yaml"/> and waits until it forwards.</summary>
    public static DaemonProcess Start(Lab lab, string yaml, params string[] extraArgs) => Start(lab, yaml, new Dictionary<string, string>(), extraArgs);

    /// <summary>Starts lvsnetd with extra environment variables (for example a fake NOTIFY_SOCKET).</summary>
    public static DaemonProcess Start(Lab lab, string yaml, IReadOnlyDictionary<string, string> environment, params string[] extraArgs) =>
        StartIn(lab, "dir", yaml, environment, extraArgs);

    /// <summary>Starts lvsnetd in the namespace of <paramref name="role"/> (dir, or dir2 of a two-director lab).</summary>
    public static DaemonProcess StartIn(Lab lab, string role, string yaml, IReadOnlyDictionary<string, string> environment, params string[] extraArgs)
    {
        var directory = Directory.CreateTempSubdirectory("lvt-daemon-").FullName;
        File.WriteAllText(Path.Combine(directory, "lvsnet.yaml"), yaml);
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])["netns", "exec", lab.Namespace(role), "dotnet", DaemonDll, "--config", Path.Combine(directory, "lvsnet.yaml"), "--stats-interval", "0", .. extraArgs])
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var daemon = new DaemonProcess(Process.Start(start)!, directory);
        daemon.WaitForEvent("Started", TimeSpan.FromSeconds(20));
        return daemon;
    }

    /// <summary>Events with the given name, oldest first.</summary>
    public IReadOnlyList<JsonElement> Events(string name) =>
        [.. _events.Where(e => e.TryGetProperty("EventId", out var id) && id.TryGetProperty("Name", out var n) && n.GetString() == name)];

    /// <summary>Waits for an event, failing with the log when it does not come or the daemon exits.</summary>
    public JsonElement WaitForEvent(string name, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (Events(name) is [var first, ..])
            {
                return first;
            }

            if (_process.HasExited)
            {
                Thread.Sleep(200);
                throw new InvalidOperationException($"lvsnetd exited ({_process.ExitCode}) before event {name}:\n{Log}");
            }

            Thread.Sleep(50);
        }

        throw new TimeoutException($"no {name} event within {timeout}:\n{Log}");
    }

    /// <summary>Sends a signal to the daemon.</summary>
    public void Signal(string signal) => ProcessResult.Run("kill", [$"-{signal}", Pid.ToString()], TimeSpan.FromSeconds(5));

    /// <summary>Sends SIGTERM and waits for the exit.</summary>
    /// <returns>How long the daemon took to exit, and its exit code.</returns>
    public (TimeSpan Elapsed, int ExitCode) Stop(TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        Signal("TERM");
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill();
            _process.WaitForExit();
            throw new TimeoutException($"lvsnetd did not exit within {timeout} of SIGTERM:\n{Log}");
        }

        var elapsed = watch.Elapsed;
        _process.WaitForExit();
        return (elapsed, _process.ExitCode);
    }

    /// <summary>The final per-server statistics (after <see cref="Stop"/>) by "rip:port".</summary>
    public IReadOnlyDictionary<string, JsonElement> ServerStatistics() =>
        Events("ServerStatistics").ToDictionary(e => e.GetProperty("Server").GetString()!, e => e);

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Signal("TERM");
            if (!_process.WaitForExit(5000))
            {
                _process.Kill();
            }
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private void Collect(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(line);
        if (line.StartsWith('{'))
        {
            try
            {
                _events.Enqueue(JsonDocument.Parse(line).RootElement.Clone());
            }
            catch (JsonException)
            {
            }
        }
    }
}
