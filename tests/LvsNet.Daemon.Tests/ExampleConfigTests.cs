using System.Diagnostics;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.Daemon.Tests;

/// <summary>
/// Every file under config/ (the annotated lvsnet.yaml and one example per method and feature) is
/// accepted by the real lvsnetd's <c>--check</c>, with the service and server counts the file holds.
/// </summary>
public class ExampleConfigTests
{
    /// <summary>Each example with the number of services and real servers it declares (counted by hand).</summary>
    public static TheoryData<string, int, int> Examples => new()
    {
        { "lvsnet.yaml", 1, 2 },
        { "examples/dr.yaml", 1, 2 },
        { "examples/nat.yaml", 2, 4 },
        { "examples/nat6.yaml", 2, 4 },
        { "examples/tun.yaml", 1, 2 },
        { "examples/fullnat.yaml", 1, 2 },
        { "examples/persistence.yaml", 2, 4 },
        { "examples/health-checks.yaml", 2, 4 },
        { "examples/dynamic-weights.yaml", 1, 2 },
        { "examples/agent-check.yaml", 1, 2 },
        { "examples/afpacket-workers.yaml", 1, 2 },
        { "examples/ha-director1.yaml", 1, 2 },
        { "examples/ha-director2.yaml", 1, 2 },
        { "examples/ha-nat-director1.yaml", 2, 4 },
        { "examples/fwmark.yaml", 2, 4 },
        { "examples/scale-out/director1.yaml", 1, 2 },

        // What lvsnetadm import writes for tests/LvsNet.Cli.Tests/Import/TestData/checkers.conf (a test there keeps them equal).
        { "examples/keepalived-checkers.yaml", 3, 5 },
    };

    [Theory]
    [MemberData(nameof(Examples))]
    public void Check_Example_IsAccepted(string file, int services, int servers)
    {
        var path = Path.Combine(TestEnvironment.RepositoryRoot, "config", file);
        var (code, stdout, stderr) = Run("--config", path, "--check");
        Assert.True(code == 0, $"{file}: exit {code}\n{stdout}\n{stderr}");
        Assert.Contains($"configuration OK ({services} virtual service(s), {servers} real server(s))", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryExampleFile_IsListed()
    {
        var listed = Examples.Select(row => (string)row[0]).ToHashSet(StringComparer.Ordinal);
        var configDirectory = Path.Combine(TestEnvironment.RepositoryRoot, "config");
        var onDisk = Directory.EnumerateFiles(configDirectory, "*.yaml", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(configDirectory, path).Replace('\\', '/'));
        Assert.All(onDisk, file => Assert.Contains(file, listed));
    }

    private static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "lvsnetd.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(30_000), "lvsnetd did not exit");
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
