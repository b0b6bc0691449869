using LvsNet.Cli.Admin;
using LvsNet.Cli.Import;
using LvsNet.Core.Configuration;
using LvsNet.Packets;
using LvsNet.Testing;
using Xunit;
using static LvsNet.Cli.Tests.Import.KeepalivedTestFiles;
using static LvsNet.Testing.ControlFixtures;

namespace LvsNet.Cli.Tests.Import;

/// <summary>
/// Firewall-mark services imported with the operator's <c>iptables-save</c> output: the mangle
/// PREROUTING MARK rules become firewall_marks (iptables-save's own syntax: <c>--set-xmark
/// V/0xffffffff</c>, <c>-m multiport --dports</c>, ranges with ':'), last rule first (a MARK target
/// does not end the chain, so in iptables the last match wins; in firewall_marks the first does).
/// </summary>
public class IptablesMarkImportTests
{
    private static readonly ImportResult Result = ConfigImporter.Import(Read("web-marks.conf"), Director, marks: Read("web-marks.iptables"));

    private static AddressPrefix Host(string address) => new(Ip(address), 32);

    [Fact]
    public void Import_WithMarks_IsCompleteAndRunnable()
    {
        Assert.Empty(Result.Errors);
        Assert.Empty(Result.ValidationErrors);
        Assert.True(Result.Complete);
        var yaml = Result.ToYaml("web-marks.conf");
        var read = LvsConfigReader.Parse(yaml);
        Assert.Equal(Result.Config.FirewallMarks.AsEnumerable(), read.FirewallMarks.AsEnumerable());
        Assert.Equal(Result.Config.VirtualServices.AsEnumerable(), read.VirtualServices.AsEnumerable());
    }

    [Fact]
    public void MangleMarkRules_OfImportedMarks_LastRuleFirst()
    {
        Assert.Equal(
            [
                new FirewallMarkRule { Mark = 2, Protocol = IpProtocol.Udp, Destinations = [Host("10.0.0.101")], Ports = [new PortRange(53, 53)] },
                new FirewallMarkRule { Mark = 1, Protocol = IpProtocol.Tcp, Destinations = [Host("10.0.0.100")], Ports = [new PortRange(8000, 8080)] },
                new FirewallMarkRule { Mark = 1, Protocol = IpProtocol.Tcp, Destinations = [Host("10.0.0.100")], Ports = [new PortRange(80, 80), new PortRange(443, 443)] },
            ],
            Result.Config.FirewallMarks.AsEnumerable());

        // Mark 7 has no fwmark service: left out, said so; the filter table and OUTPUT are not read.
        Assert.Contains(Result.Notes, n => n.Kind == ImportNoteKind.Adjusted && n.Message.StartsWith("iptables rules line 12: mark 7 has no imported fwmark service", StringComparison.Ordinal));
        Assert.DoesNotContain(Result.Config.FirewallMarks, r => r.Mark == 9);
    }

    [Fact]
    public void FirewallMarkServices_KeepTheirServersPortsAndChecks()
    {
        var web = Assert.Single(Result.Config.VirtualServices, s => s.FirewallMark == 1);
        Assert.Equal(TimeSpan.FromSeconds(600), web.PersistenceTimeout);
        Assert.All(web.RealServers, r => Assert.Equal((ushort)443, r.Port));
        Assert.All(web.RealServers, r => Assert.IsType<TcpCheckConfig>(Assert.Single(r.HealthCheck!.Checks)));
        Assert.Contains(Result.Notes, n => n.Kind == ImportNoteKind.Adjusted && n.Line == 3 && n.Message.Contains("fwmark 1: its packets are chosen by the firewall_marks rules", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("-A PREROUTING -s 192.0.2.0/24 -d 10.0.0.100/32 -p tcp -j MARK --set-mark 1", "'-s 192.0.2.0/24' cannot be expressed")]
    [InlineData("-A PREROUTING ! -d 10.0.0.100/32 -j MARK --set-mark 1", "'!' cannot be expressed")]
    [InlineData("-A PREROUTING -d 10.0.0.100/32 -p tcp -m state --state NEW -j MARK --set-mark 1", "'-m state' cannot be expressed")]
    [InlineData("-A PREROUTING -d 10.0.0.100/32 -j MARK --set-xmark 0x1/0xff", "'--set-xmark 0x1/0xff' cannot be expressed")]
    [InlineData("-A PREROUTING -d 10.0.0.100/32 -j MARK --set-mark 0", "no --set-mark with a mark")]
    [InlineData("-A PREROUTING -p tcp --dport 80 -j MARK --set-mark 1", "no -d")]
    [InlineData("-A PREROUTING -d 10.0.0.100/32 -p tcp --dport 80 -j ACCEPT", "ends the chain")]
    public void InexpressibleRule_IsAnErrorNamingItsLine(string rule, string reason)
    {
        var result = ConfigImporter.Import(Read("web-marks.conf"), Director, marks: $"*mangle\n{rule}\nCOMMIT\n");
        Assert.Contains(result.Errors, n => n.Message.StartsWith($"iptables rules line 2: {rule}: ", StringComparison.Ordinal) && n.Message.Contains(reason, StringComparison.Ordinal));
        Assert.False(result.Complete);
    }

    [Fact]
    public async Task ImportCommand_MarksOption_ReadsTheRules()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var runner = new AdminRunner(new StringReader(""), stdout, stderr, new FakeNameResolver());
        var code = await runner.RunAsync(["--socket", "/nonexistent/lvsnet.sock", "import", PathOf("web-marks.conf"), "--marks", PathOf("web-marks.iptables"), "--interface", "eth0", "--address", "10.0.0.2/24"]);
        Assert.True(code == 0, stderr.ToString());
        Assert.Equal(3, LvsConfigReader.Parse(stdout.ToString()).FirewallMarks.Length);

        code = await runner.RunAsync(["--socket", "/nonexistent/lvsnet.sock", "import", PathOf("web-marks.conf"), "--interface", "eth0", "--address", "10.0.0.2/24"]);
        Assert.Equal(AdminRunner.ImportIncomplete, code);
    }
}
