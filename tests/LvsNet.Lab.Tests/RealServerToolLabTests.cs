using LvsNet.Testing;
using Xunit;

namespace LvsNet.Lab.Tests;

/// <summary>
/// <c>lvsnet-rs dr up/down</c> and <c>nat check</c> inside a lab real server's namespace: the
/// addresses and sysctls they set, read back with ip and /proc, and that down restores them.
/// </summary>
[Trait("Category", "Lab")]
public class RealServerToolLabTests
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(30);

    private static string Tool =>
        Path.Combine(Path.GetDirectoryName(DaemonProcess.DaemonDll)!, "..", "..", "..", "..", "LvsNet.RealServer", "bin", Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(DaemonProcess.DaemonDll))!)!, "net10.0", "lvsnet-rs.dll");

    private static ProcessResult Rs(Lab lab, params string[] args) => lab.Exec("rs1", Short, ["dotnet", Tool, .. args]);

    // ip netns exec mounts a fresh /sys but shares /proc/sys/net of the namespace: read it there.
    private static string Sysctl(Lab lab, string name) => lab.Exec("rs1", Short, "cat", "/proc/sys/" + name.Replace('.', '/')).StandardOutput.Trim();

    private static string Loopback(Lab lab) => lab.Exec("rs1", Short, "ip", "-4", "-o", "addr", "show", "dev", "lo").StandardOutput;

    [RequiresRootFact]
    public void DrUp_AddsVipsAndArpSysctls_DrDown_RestoresTheFormerValues()
    {
        // A nat lab: its real servers hold no VIP and keep the kernel's ARP defaults.
        using var lab = Lab.Up(realServers: 1, mode: "nat");
        Assert.DoesNotContain("10.77.0.100", Loopback(lab), StringComparison.Ordinal);
        Assert.Equal(0, lab.Exec("rs1", Short, "sysctl", "-qw", "net.ipv4.conf.all.arp_announce=1").ExitCode);
        var before = new[] { "all.arp_ignore", "all.arp_announce", "default.arp_ignore", "default.arp_announce" }.ToDictionary(n => n, n => Sysctl(lab, "net.ipv4.conf." + n));
        Assert.Equal(("0", "1", "0", "0"), (before["all.arp_ignore"], before["all.arp_announce"], before["default.arp_ignore"], before["default.arp_announce"]));

        var up = Rs(lab, "dr", "up", "10.77.0.100", "10.77.0.101");
        Assert.True(up.ExitCode == 0, up.Output);
        var lo = Loopback(lab);
        Assert.Contains(" inet 10.77.0.100/32 ", lo, StringComparison.Ordinal);
        Assert.Contains(" inet 10.77.0.101/32 ", lo, StringComparison.Ordinal);
        Assert.Contains(" inet 127.0.0.1/8 ", lo, StringComparison.Ordinal);

        // arp_ignore=1: answer only for addresses on the receiving interface; arp_announce=2: best local source (kernel ip-sysctl.rst).
        Assert.Equal(("1", "2", "1", "2"), (Sysctl(lab, "net.ipv4.conf.all.arp_ignore"), Sysctl(lab, "net.ipv4.conf.all.arp_announce"), Sysctl(lab, "net.ipv4.conf.default.arp_ignore"), Sysctl(lab, "net.ipv4.conf.default.arp_announce")));

        // Idempotent: a second up neither fails nor forgets the original values.
        Assert.Equal(0, Rs(lab, "dr", "up", "10.77.0.100").ExitCode);

        // One VIP down: the other still needs the ARP settings.
        var first = Rs(lab, "dr", "down", "10.77.0.101");
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.DoesNotContain("10.77.0.101", Loopback(lab), StringComparison.Ordinal);
        Assert.Equal("1", Sysctl(lab, "net.ipv4.conf.all.arp_ignore"));

        var last = Rs(lab, "dr", "down", "10.77.0.100");
        Assert.True(last.ExitCode == 0, last.Output);
        lo = Loopback(lab);
        Assert.DoesNotContain("10.77.0.100", lo, StringComparison.Ordinal);
        Assert.Contains(" inet 127.0.0.1/8 ", lo, StringComparison.Ordinal);
        foreach (var (name, value) in before)
        {
            Assert.Equal(value, Sysctl(lab, "net.ipv4.conf." + name));
        }
    }

    [RequiresRootFact]
    public void DrUp_Ipv6Vip_GoesOnLoAs128_WithoutTouchingArpSysctls_DrDownRemovesIt()
    {
        // A nat lab with IPv6 on its links: its real servers hold no IPv6 VIP.
        using var lab = Lab.Up(realServers: 1, mode: "nat", ipv6: true);
        string Loopback6() => lab.Exec("rs1", Short, "ip", "-6", "-o", "addr", "show", "dev", "lo").StandardOutput;
        var arpIgnore = Sysctl(lab, "net.ipv4.conf.all.arp_ignore");
        Assert.DoesNotContain("2001:db8::100", Loopback6(), StringComparison.Ordinal);

        var up = Rs(lab, "dr", "up", "2001:db8::100");
        Assert.True(up.ExitCode == 0, up.Output);
        Assert.Contains(" inet6 2001:db8::100/128 ", Loopback6(), StringComparison.Ordinal);
        Assert.Equal(arpIgnore, Sysctl(lab, "net.ipv4.conf.all.arp_ignore"));
        Assert.Equal(0, Rs(lab, "dr", "up", "2001:db8::100").ExitCode);

        var down = Rs(lab, "dr", "down", "2001:db8::100");
        Assert.True(down.ExitCode == 0, down.Output);
        Assert.DoesNotContain("2001:db8::100", Loopback6(), StringComparison.Ordinal);
        Assert.Contains(" inet6 ::1/128 ", Loopback6(), StringComparison.Ordinal);
        Assert.NotEqual(0, Rs(lab, "dr", "up", "2001:db8::zz").ExitCode);
    }

    [RequiresRootFact]
    public void DrDown_IgnoresTheStateOfADeletedNamespaceWhoseInodeThisOneReuses()
    {
        // The kernel reuses a deleted namespace's inode number at once. A state file named by it
        // (as earlier versions did) must not make down "restore" arp_ignore=1 the host never had.
        using var lab = Lab.Up(realServers: 1, mode: "nat");
        var stateDir = Path.Combine(Path.GetTempPath(), "lvt-rs-state-" + Environment.ProcessId);
        Directory.CreateDirectory(stateDir);
        try
        {
            var inode = lab.Exec("rs1", Short, "stat", "-L", "-c", "%i", "/proc/self/ns/net").StandardOutput.Trim();
            Assert.Matches("^[0-9]+$", inode);
            File.WriteAllLines(Path.Combine(stateDir, $"dr-{inode}.state"), ["sysctl net.ipv4.conf.all.arp_ignore 1", "sysctl net.ipv4.conf.all.arp_announce 2"]);
            ProcessResult Run(params string[] args) => lab.Exec("rs1", Short, ["env", "LVSNET_RS_STATE_DIR=" + stateDir, "dotnet", Tool, .. args]);

            Assert.Equal("0", Sysctl(lab, "net.ipv4.conf.all.arp_ignore"));
            Assert.Equal(0, Run("dr", "up", "10.77.0.100").ExitCode);
            Assert.Equal("1", Sysctl(lab, "net.ipv4.conf.all.arp_ignore"));
            var down = Run("dr", "down", "10.77.0.100");
            Assert.True(down.ExitCode == 0, down.Output);
            Assert.Equal(("0", "0"), (Sysctl(lab, "net.ipv4.conf.all.arp_ignore"), Sysctl(lab, "net.ipv4.conf.all.arp_announce")));
        }
        finally
        {
            Directory.Delete(stateDir, recursive: true);
        }
    }

    [RequiresRootFact]
    public void DrUp_InvalidAddress_ExitsTwo_ChangesNothing()
    {
        using var lab = Lab.Up(realServers: 1, mode: "nat");
        var result = Rs(lab, "dr", "up", "10.77.0.300");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("'10.77.0.300' is not an IPv4 or IPv6 address", result.StandardError, StringComparison.Ordinal);
        Assert.Equal("0", Sysctl(lab, "net.ipv4.conf.all.arp_ignore"));
        Assert.DoesNotContain("10.77.0.", Loopback(lab), StringComparison.Ordinal);
    }

    [RequiresRootFact]
    public void NatCheck_DefaultRouteViaTheDirector_Passes_OtherwiseFailsWithTheFix()
    {
        using (var nat = Lab.Up(realServers: 1, mode: "nat"))
        {
            // lab.sh gives NAT real servers a default route via the DIP 10.77.0.2.
            var ok = Rs(nat, "nat", "check", "10.77.0.2");
            Assert.True(ok.ExitCode == 0, ok.Output);
            Assert.Equal("ok: default route via the director 10.77.0.2", ok.StandardOutput.Trim());

            var wrong = Rs(nat, "nat", "check", "10.77.0.3");
            Assert.Equal(1, wrong.ExitCode);
            Assert.Contains("the default route is not via the director 10.77.0.3", wrong.StandardError, StringComparison.Ordinal);
            Assert.Contains("Fix: ip route replace default via 10.77.0.3", wrong.StandardError, StringComparison.Ordinal);
        }

        // A DR real server has no default route at all.
        using var dr = Lab.Up(realServers: 1, mode: "dr");
        var none = Rs(dr, "nat", "check", "10.77.0.2");
        Assert.Equal(1, none.ExitCode);
        Assert.Contains("found: ''", none.StandardError, StringComparison.Ordinal);
    }
}
