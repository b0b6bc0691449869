using System.Diagnostics;

namespace LvsNet.Daemon.Tests.Metrics;

/// <summary>Runs Prometheus' <c>promtool check metrics</c> (Debian package prometheus) on an exposition.</summary>
internal static class Promtool
{
    /// <summary>The promtool on PATH, or null.</summary>
    public static string? Path { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(directory => System.IO.Path.Combine(directory, "promtool"))
        .FirstOrDefault(File.Exists);

    /// <summary>Feeds <paramref name="exposition"/> to <c>promtool check metrics</c>; returns its exit code and output.</summary>
    public static (int Code, string Output) CheckMetrics(string exposition)
    {
        var start = new ProcessStartInfo(Path ?? throw new InvalidOperationException("promtool not found: install the Debian package prometheus (./build.sh setup)"))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("check");
        start.ArgumentList.Add("metrics");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(exposition);
        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill();
            throw new TimeoutException("promtool check metrics did not finish within 30 s");
        }

        return (process.ExitCode, (stdout.Result + stderr.Result).Trim());
    }
}
