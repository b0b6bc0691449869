using System.Diagnostics;

namespace LvsNet.Benchmarks;

/// <summary>Runs the helper commands (ip, ip netns exec) of the namespace benchmarks, bounded in time.</summary>
internal static class BenchProcess
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(10);

    /// <summary>Runs <paramref name="program"/> with its output on the console; throws unless it exits with 0 in time.</summary>
    public static int Exec(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        if (!process.WaitForExit(Limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not finish within {Limit}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{program} {string.Join(' ', arguments)}' exited with {process.ExitCode}");
        }

        return 0;
    }
}
