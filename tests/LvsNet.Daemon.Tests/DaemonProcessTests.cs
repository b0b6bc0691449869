using System.Diagnostics;
using LvsNet.Testing;
using Xunit;

namespace LvsNet.Daemon.Tests;

/// <summary>The real lvsnetd executable on bad input: it must say what is wrong and exit non-zero.</summary>
public class DaemonProcessTests
{
    private static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "lvsnetd.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
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

    [Fact]
    public void Check_ValidExample_ExitsZero()
    {
        var (code, stdout, _) = Run("--config", Path.Combine(TestEnvironment.RepositoryRoot, "config", "examples", "dr.yaml"), "--check");
        Assert.Equal(0, code);
        Assert.Contains("configuration OK (1 virtual service(s), 2 real server(s))", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidConfig_ExitsOneWithEveryErrorAndItsPath()
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, "director:\n  interface: eth0\n  address: 10.0.0.2/24\nvirtual_services:\n  - address: 10.0.0.100\n    port: 80\n    scheduler: nope\n    real_servers:\n      - address: 10.0.0.11\n        weight: 99999\n");
        try
        {
            var (code, _, stderr) = Run("--config", file);
            Assert.Equal(1, code);
            Assert.Contains("virtual_services[0].scheduler", stderr, StringComparison.Ordinal);
            Assert.Contains("virtual_services[0].real_servers[0].weight (line 10)", stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void MissingConfig_ExitsOneNamingTheFile()
    {
        var (code, _, stderr) = Run("--config", "/nonexistent/lvsnet.yaml");
        Assert.Equal(1, code);
        Assert.Contains("/nonexistent/lvsnet.yaml", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownOption_ExitsTwoWithUsage()
    {
        var (code, _, stderr) = Run("--frobnicate");
        Assert.Equal(2, code);
        Assert.Contains("unknown option '--frobnicate'", stderr, StringComparison.Ordinal);
        Assert.Contains("usage: lvsnetd", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public void Help_PrintsUsageToStdoutAndExitsZero(string flag)
    {
        var (code, stdout, stderr) = Run(flag);
        Assert.Equal((0, ""), (code, stderr));
        Assert.StartsWith("lvsnetd v", stdout, StringComparison.Ordinal);
        Assert.Contains("usage: lvsnetd", stdout, StringComparison.Ordinal);
        Assert.Contains("--version", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--version")]
    [InlineData("-v")]
    public void Version_PrintsOneLineAndExitsZero(string flag)
    {
        var (code, stdout, stderr) = Run(flag, "--config", "/nonexistent/lvsnet.yaml");
        Assert.Equal((0, ""), (code, stderr));
        Assert.Matches(@"^lvsnetd v\d+\.\d+\.\d+\S* \(LvsNet; IPVS v1\.2\.1 semantics, command protocol \d+\)\n$", stdout);
    }

    [Fact]
    public void TabInTheConfig_ReportsItsLineColumnAndPath()
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, "director:\n  interface: eth0\n  address: 10.0.0.2/24\nvirtual_services:\n  - address: 10.0.0.100\n    port: 80\n    real_servers:\n\t- address: 10.0.0.11\n");
        try
        {
            var (code, _, stderr) = Run("--config", file, "--check");
            Assert.Equal(1, code);
            Assert.Contains("virtual_services[0].real_servers (line 8, column 1): not valid YAML", stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
