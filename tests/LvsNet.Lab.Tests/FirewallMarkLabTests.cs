using LvsNet.Testing;
using Xunit;

namespace LvsNet.Lab.Tests;

/// <summary>
/// A firewall-mark service end to end: real lvsnetd, real nginx real servers (listening on 80 and
/// 8080, the VIP on lo), real curl. One persistent service for both ports of the VIP, as an
/// operator groups http and https with <c>iptables ... -j MARK --set-mark 1</c> and
/// <c>ipvsadm -A -f 1 -p</c>: every request of one client, on either port, reaches one real server.
/// </summary>
[Trait("Category", "Lab")]
public class FirewallMarkLabTests
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(30);

    private static string Config(string persistence) =>
        $"""
        director:
          interface: eth0
          address: 10.77.0.2/24
        firewall_marks:
          - mark: 1
            protocol: tcp
            destinations: [10.77.0.100]
            ports: [80, 8080]
        virtual_services:
          - fwmark: 1
            scheduler: rr
            {persistence}
            real_servers:
              - address: 10.77.0.11
              - address: 10.77.0.12
        """;

    // Each client address asks 10 times on each port, alternating, each request on a new connection;
    // the answers ("rs1", "rs2") in order.
    private static List<string> Ask(Lab lab, string source)
    {
        var script = $"for i in $(seq 1 10); do for p in 80 8080; do curl -s --max-time 3 --interface {source} http://{lab.Vip}:$p/ || echo FAILED; done; done";
        var result = lab.Shell("client", script, TimeSpan.FromSeconds(90));
        Assert.Equal(0, result.ExitCode);
        return [.. result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim())];
    }

    private static string CliDll =>
        Path.Combine(TestEnvironment.RepositoryRoot, "src", "LvsNet.Cli", "bin", Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(DaemonProcess.DaemonDll)!)!), "net10.0", "lvsnetadm.dll");

    private static string Adm(string socket, params string[] args)
    {
        var result = ProcessResult.Run("dotnet", [CliDll, "--socket", socket, .. args], Short);
        Assert.True(result.ExitCode == 0, $"lvsnetadm {string.Join(' ', args)} exited {result.ExitCode}:\n{result.Output}");
        return result.StandardOutput;
    }

    [RequiresRootFact]
    public void PersistentMark_BothPortsOfAClient_GoToOneRealServer()
    {
        using var lab = Lab.Up();

        // A second client address on the client's segment: rr gives the two clients different servers.
        var second = lab.Shell("client", "ip addr add 10.77.0.20/24 dev eth0", Short);
        Assert.True(second.ExitCode == 0, second.Output);
        var socket = Path.Combine(Path.GetTempPath(), $"lvt-{lab.Id}.sock");
        using var daemon = DaemonProcess.Start(lab, Config("persistence_timeout: 600s"), "--socket", socket);
        daemon.WaitForEvent("ControlListening", Short);

        var first = Ask(lab, "10.77.0.10");
        var other = Ask(lab, "10.77.0.20");
        Assert.Equal(20, first.Count);
        Assert.Equal(20, other.Count);
        Assert.Single(first.Distinct());
        Assert.Single(other.Distinct());
        Assert.Contains(first[0], new[] { "rs1", "rs2" });
        Assert.Contains(other[0], new[] { "rs1", "rs2" });
        Assert.NotEqual(first[0], other[0]);

        // The listings, as ipvsadm prints a persistent fwmark service, its rules and its templates.
        var list = Adm(socket, "-L", "-n");
        Assert.Contains("\nFWM  1 rr persistent 600\n", list, StringComparison.Ordinal);
        Assert.Contains("\n  -> " + "10.77.0.11:0".PadRight(28) + " Route   1      ", list, StringComparison.Ordinal);
        Assert.Contains("-A -f 1 -s rr -p 600\n-a -f 1 -r 10.77.0.11:0 -g -w 1\n-a -f 1 -r 10.77.0.12:0 -g -w 1\n", Adm(socket, "-S", "-n"), StringComparison.Ordinal);
        var templates = Adm(socket, "-L", "-n", "-c").Split('\n').Where(l => l.StartsWith("IP ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, templates.Count);
        Assert.All(templates, t => Assert.Contains(" 0.0.0.1:0 ", t, StringComparison.Ordinal));

        // 40 connections through one mark service, none dropped.
        daemon.Stop(TimeSpan.FromSeconds(10));
        var stats = daemon.ServerStatistics();
        Assert.Equal(40, stats["10.77.0.11:0"].GetProperty("Connections").GetInt64() + stats["10.77.0.12:0"].GetProperty("Connections").GetInt64());
    }

    [RequiresRootFact]
    public void MarkWithoutPersistence_SpreadsOneClientsPorts()
    {
        // The control: the same service without persistence alternates rr over the 20 connections,
        // so the stickiness above comes from the mark's template, not from the lab.
        using var lab = Lab.Up();
        using var daemon = DaemonProcess.Start(lab, Config(""));
        var answers = Ask(lab, "10.77.0.10");
        Assert.Equal(10, answers.Count(a => a == "rs1"));
        Assert.Equal(10, answers.Count(a => a == "rs2"));
    }
}
