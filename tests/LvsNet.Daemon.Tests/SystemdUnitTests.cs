using System.Diagnostics;
using System.Runtime.Versioning;
using LvsNet.Control.Protocol;
using LvsNet.Testing;
using Xunit;
using Xunit.Abstractions;

namespace LvsNet.Daemon.Tests;

/// <summary>config/lvsnet.service and build.sh install/uninstall.</summary>
[SupportedOSPlatform("linux")]
public class SystemdUnitTests(ITestOutputHelper output)
{
    private static readonly string UnitPath = Path.Combine(TestEnvironment.RepositoryRoot, "config", "lvsnet.service");

    private static Dictionary<string, List<string>> Settings()
    {
        var settings = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var raw in File.ReadAllLines(UnitPath))
        {
            var line = raw.Trim();
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (line.StartsWith('#') || line.StartsWith('[') || eq < 0)
            {
                continue;
            }

            var key = line[..eq];
            if (!settings.TryGetValue(key, out var values))
            {
                settings[key] = values = [];
            }

            values.Add(line[(eq + 1)..]);
        }

        return settings;
    }

    private static (int Code, string Output) Run(string file, string[] args, Dictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = TestEnvironment.RepositoryRoot };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? [])
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(120_000), $"{file} did not finish");
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    [Fact]
    public void Unit_NotifyWatchdogReloadAndLeastPrivilege()
    {
        var unit = Settings();
        Assert.Equal(["notify"], unit["Type"]);
        Assert.Equal(["30s"], unit["WatchdogSec"]);
        Assert.Equal(["/bin/kill -HUP $MAINPID"], unit["ExecReload"]);
        Assert.StartsWith("/opt/lvsnet/lvsnetd --config /etc/lvsnet/lvsnet.yaml", Assert.Single(unit["ExecStart"]), StringComparison.Ordinal);
        Assert.Equal(["lvsnet"], unit["User"]);
        Assert.Equal(["CAP_NET_RAW CAP_NET_ADMIN"], unit["AmbientCapabilities"]);
        Assert.Equal(["CAP_NET_RAW CAP_NET_ADMIN"], unit["CapabilityBoundingSet"]);
        foreach (var key in new[] { "NoNewPrivileges", "PrivateTmp", "ProtectHome", "PrivateDevices", "ProtectKernelModules", "ProtectControlGroups" })
        {
            Assert.Equal(["yes"], unit[key]);
        }

        Assert.Equal(["strict"], unit["ProtectSystem"]);
        Assert.Equal(["lvsnet"], unit["RuntimeDirectory"]);
        Assert.False(unit.ContainsKey("ProtectKernelTunables"), "prepare_host writes net.ipv4.ip_forward");
        Assert.False(unit.ContainsKey("MemoryDenyWriteExecute"), "the .NET JIT needs W+X memory");
        Assert.Contains("AF_PACKET", unit["RestrictAddressFamilies"][0], StringComparison.Ordinal);

        // The GC's gen0 budget: the runtime reads it from the environment only (docs/benchmarks.md, "GC pauses").
        Assert.Contains(unit["Environment"], e => e.Split(' ').Contains("DOTNET_GCgen0size=0x200000"));

        // The command socket's default lives in the RuntimeDirectory systemd creates.
        Assert.Equal("/run/lvsnet", Path.GetDirectoryName(ControlProtocol.DefaultSocketPath));
    }

    [Fact]
    public void Unit_PassesSystemdAnalyzeVerify()
    {
        var analyze = new[] { "/usr/bin/systemd-analyze", "/bin/systemd-analyze" }.FirstOrDefault(File.Exists);
        if (analyze is null)
        {
            output.WriteLine("systemd-analyze is not installed: the verify step was not run (the unit's settings are checked by the other test)");
            return;
        }

        // verify insists that ExecStart binaries exist: point them at the built daemon.
        var directory = Directory.CreateTempSubdirectory("lvsnet-unit-").FullName;
        try
        {
            var daemon = Path.Combine(AppContext.BaseDirectory, "lvsnetd");
            var copy = Path.Combine(directory, "lvsnet.service");
            File.WriteAllText(copy, File.ReadAllText(UnitPath).Replace("/opt/lvsnet/lvsnetd", daemon, StringComparison.Ordinal));
            var (code, text) = Run(analyze, ["verify", copy]);
            Assert.True(code == 0 && text.Trim().Length == 0, $"systemd-analyze verify: exit {code}\n{text}");
            (code, text) = Run(analyze, ["security", "--offline=true", copy]);
            output.WriteLine(text.Split('\n').LastOrDefault(l => l.Contains("Overall", StringComparison.Ordinal)) ?? text);
            Assert.Contains("OK", text.Split('\n').Last(l => l.Contains("Overall", StringComparison.Ordinal)), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Install_IntoDestDir_StagesEverythingAndUninstallRemovesIt()
    {
        var root = Directory.CreateTempSubdirectory("lvsnet-destdir-").FullName;
        try
        {
            var env = new Dictionary<string, string> { ["DESTDIR"] = root };
            var (code, text) = Run(Path.Combine(TestEnvironment.RepositoryRoot, "build.sh"), ["install", "--no-build"], env);
            Assert.True(code == 0, text);
            foreach (var file in new[] { "opt/lvsnet/lvsnetd", "opt/lvsnet/lvsnetadm", "opt/lvsnet/lvsnetd.dll", "opt/lvsnet/docs/operations.md", "etc/lvsnet/lvsnet.yaml", "etc/systemd/system/lvsnet.service", "etc/systemd/system/lvsnet.service.d/10-dotnet.conf", "usr/local/sbin/lvsnetadm" })
            {
                Assert.True(File.Exists(Path.Combine(root, file)), $"{file} missing after install:\n{text}");
            }

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(Path.Combine(root, "etc/lvsnet/lvsnet.yaml")));
            var (checkCode, check) = Run(Path.Combine(root, "opt/lvsnet/lvsnetd"), ["--config", Path.Combine(root, "etc/lvsnet/lvsnet.yaml"), "--check"]);
            Assert.True(checkCode == 0, check);

            // A second install keeps the operator's configuration.
            File.AppendAllText(Path.Combine(root, "etc/lvsnet/lvsnet.yaml"), "# edited\n");
            Assert.Equal(0, Run(Path.Combine(TestEnvironment.RepositoryRoot, "build.sh"), ["install", "--no-build"], env).Code);
            Assert.EndsWith("# edited\n", File.ReadAllText(Path.Combine(root, "etc/lvsnet/lvsnet.yaml")), StringComparison.Ordinal);

            (code, text) = Run(Path.Combine(TestEnvironment.RepositoryRoot, "build.sh"), ["uninstall"], env);
            Assert.True(code == 0, text);
            Assert.False(Directory.Exists(Path.Combine(root, "opt/lvsnet")));
            Assert.False(File.Exists(Path.Combine(root, "etc/systemd/system/lvsnet.service")));
            Assert.True(File.Exists(Path.Combine(root, "etc/lvsnet/lvsnet.yaml")), "uninstall without --purge keeps the configuration");
            Assert.Equal(0, Run(Path.Combine(TestEnvironment.RepositoryRoot, "build.sh"), ["uninstall", "--purge"], env).Code);
            Assert.False(Directory.Exists(Path.Combine(root, "etc/lvsnet")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
