using System.Diagnostics;

namespace LvsNet.PacketIo.Tests.Infrastructure;

/// <summary>Runs a program the tests need (ip, tcpdump) with a time limit.</summary>
internal static class ExternalCommand
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    /// <summary>Runs <paramref name="program"/> and returns its standard output; throws when it fails or times out.</summary>
    public static string Run(string program, params string[] arguments)
    {
        var (exitCode, output, error) = TryRun(program, arguments);
        if (exitCode != 0)
        {
            throw new InvalidOperationException(
                $"'{program} {string.Join(' ', arguments)}' exited with {exitCode}: {error.Trim()}");
        }

        return output;
    }

    /// <summary>Runs <paramref name="program"/> and returns its exit code and output.</summary>
    public static (int ExitCode, string Output, string Error) TryRun(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Limit))
        {
            // Only ever the child started just above.
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{program} {string.Join(' ', arguments)}' did not finish within {Limit}.");
        }

        return (process.ExitCode, output.GetAwaiter().GetResult(), error.GetAwaiter().GetResult());
    }

    /// <summary>Whether an executable named <paramref name="program"/> is on PATH (or in /usr/sbin, /sbin).</summary>
    public static bool IsAvailable(string program)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var directory in path.Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(["/usr/sbin", "/sbin"]))
        {
            if (File.Exists(Path.Combine(directory, program)))
            {
                return true;
            }
        }

        return false;
    }
}
