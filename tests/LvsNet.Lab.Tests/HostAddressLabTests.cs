using LvsNet.Testing;
using Xunit;

namespace LvsNet.Lab.Tests;

/// <summary>
/// The daemon never leaves the host without an address it took: a VIP held by the director's
/// kernel is taken away while its service exists and given back, as it was, when the service is
/// deleted; a typo (an empty host) never reaches the host; loopback stays untouched.
/// </summary>
[Trait("Category", "Lab")]
public class HostAddressLabTests
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(30);

    private static string CliDll =>
        Path.Combine(TestEnvironment.RepositoryRoot, "src", "LvsNet.Cli", "bin", Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(DaemonProcess.DaemonDll)!)!), "net10.0", "lvsnetadm.dll");

    private static string Addresses(Lab lab) =>
        string.Join('\n', lab.Exec("dir", Short, "ip", "-o", "-4", "addr", "show").StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => string.Join(' ', line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).TakeWhile(f => !f.StartsWith("valid_lft", StringComparison.Ordinal))))
            .Order(StringComparer.Ordinal));

    private static void WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for " + what);
            Thread.Sleep(100);
        }
    }

    [RequiresRootFact]
    public void ServiceOnAVipTheKernelHolds_AddAndDelete_RestoresTheAddress()
    {
        using var lab = Lab.Up();
        var vip2 = lab.Env["LVT_VIP2"];

        // The operator's leftover: the second VIP is an address of the director's own interface.
        Assert.Equal(0, lab.Exec("dir", Short, "ip", "addr", "add", $"{vip2}/24", "brd", "+", "dev", "eth0", "label", "eth0:old").ExitCode);
        var before = Addresses(lab);
        Assert.Contains($"inet {vip2}/24", before, StringComparison.Ordinal);
        Assert.Contains("inet 127.0.0.1/8", before, StringComparison.Ordinal);

        var yaml = $"""
            director:
              interface: eth0
              address: {lab.Env["LVT_DIP"]}/24
            virtual_services:
              - address: {lab.Vip}
                port: 80
                scheduler: rr
                real_servers:
                  - address: {lab.Env["LVT_RS1_IP"]}
            """;
        var socket = Path.Combine(Path.GetTempPath(), $"lvt-{lab.Id}-host.sock");
        using var daemon = DaemonProcess.Start(lab, yaml, "--socket", socket);
        daemon.WaitForEvent("ControlListening", Short);
        ProcessResult Adm(params string[] args) => ProcessResult.Run("dotnet", [CliDll, "--socket", socket, .. args], Short);

        // A service on that VIP: the kernel must not hold it any more (it would answer SYNs with RST).
        var add = Adm("-A", "-t", $"{vip2}:80", "-s", "rr");
        Assert.True(add.ExitCode == 0, add.Output);
        WaitUntil(() => !Addresses(lab).Contains($"inet {vip2}/", StringComparison.Ordinal), "the VIP to leave the kernel");

        // The service is deleted: the address comes back exactly as it was (prefix, broadcast, label).
        var delete = Adm("-D", "-t", $"{vip2}:80");
        Assert.True(delete.ExitCode == 0, delete.Output);
        WaitUntil(() => Addresses(lab) == before, "the address to come back as it was");

        // An empty $VIP in a script: refused as ipvsadm refuses it; lo keeps 127.0.0.1/8.
        var typo = Adm("-A", "-t", ":80");
        Assert.Equal((2, "illegal virtual server address[:port] specified\n"), (typo.ExitCode, typo.StandardError));
        var loopback = Adm("-A", "-t", "127.0.0.1:80");
        Assert.Equal(255, loopback.ExitCode);
        Assert.Contains("127.0.0.1 is a loopback address", loopback.StandardError, StringComparison.Ordinal);
        Assert.Equal(before, Addresses(lab));

        // And at stop nothing is left changed.
        daemon.Stop(Short);
        Assert.Equal(before, Addresses(lab));
    }
}
