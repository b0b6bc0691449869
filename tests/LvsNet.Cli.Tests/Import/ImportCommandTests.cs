using LvsNet.Cli.Admin;
using LvsNet.Core.Configuration;
using LvsNet.Testing;
using Xunit;
using static LvsNet.Cli.Tests.Import.KeepalivedTestFiles;

namespace LvsNet.Cli.Tests.Import;

/// <summary><c>lvsnetadm import [--check] FILE</c>: the exit status says whether everything was mapped.</summary>
public class ImportCommandTests
{
    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var runner = new AdminRunner(new StringReader(""), stdout, stderr, new FakeNameResolver());

        // --interface/--address give the director, so the daemon is never asked (the socket does not exist).
        var code = await runner.RunAsync(["--socket", "/nonexistent/lvsnet.sock", .. args, "--interface", "eth0", "--address", "10.0.0.2/24"]);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Import_CompleteFile_ExitsZeroWithTheYaml()
    {
        var (code, stdout, stderr) = await RunAsync("import", PathOf("web-director.conf"));
        Assert.Equal(0, code);
        Assert.Equal(9, LvsConfigReader.Parse(stdout).VirtualServices.Length);
        Assert.DoesNotContain("error:", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_FileWithUnmappedConstructs_ExitsFourAndListsEveryErrorWithItsLine()
    {
        var text = Read("refused.conf");
        var (code, stdout, stderr) = await RunAsync("import", PathOf("refused.conf"));
        Assert.Equal(AdminRunner.ImportIncomplete, code);
        Assert.Equal(4, code);
        ParseIncomplete(stdout);
        Assert.Contains($"line {LineOf(text, "TUN type gue")}: error: virtual_server group EDGE: lvs_method TUN type gue port 6080: LvsNet has no GUE tunnels", stderr, StringComparison.Ordinal);
        Assert.Contains("import incomplete: 15 item(s) not mapped", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportCheck_PrintsOnlyTheReport()
    {
        var (code, stdout, stderr) = await RunAsync("import", "--check", PathOf("refused.conf"));
        Assert.Equal(4, code);
        Assert.Empty(stdout);
        Assert.Contains($"line {LineOf(Read("refused.conf"), "virtual_server fwmark 7")}: error: fwmark 7 is imported", stderr, StringComparison.Ordinal);

        (code, stdout, _) = await RunAsync("import", "--check", PathOf("web-director.conf"));
        Assert.Equal(0, code);
        Assert.Empty(stdout);
    }
}
