using LvsNet.Cli.Import;
using LvsNet.Core.Configuration;
using LvsNet.Packets;
using Xunit;
using static LvsNet.Cli.Tests.Import.KeepalivedTestFiles;
using static LvsNet.Testing.ControlFixtures;

namespace LvsNet.Cli.Tests.Import;

/// <summary>TestData/refused.conf: every LVS construct LvsNet cannot express is an error naming its line; nothing changes silently.</summary>
public class KeepalivedRefusedTests
{
    private static readonly string Text = Read("refused.conf");

    private static readonly ImportResult Result = ConfigImporter.Import(Text, Director);

    [Theory]
    [InlineData("lvs_sync_daemon eth1", "'weight' is not understood")]
    [InlineData("include /etc/keepalived", "included files are not read")]
    [InlineData("virtual_server fwmark 7", "add a firewall_marks entry with mark 7")]
    [InlineData("virtual_server fwmark 12", "add a firewall_marks entry with mark 12")]
    [InlineData("lvs_method TUN type gue port 6080", "no GUE tunnels")]
    [InlineData("    smtp_alert", "no e-mail alerts")]
    [InlineData("persistence_engine sip", "no persistence engines")]
    [InlineData("require_reply 0a0bXX", "no 'X' (any nibble) positions")]
    [InlineData("track_file rs61", "no track_file rs61 block")]
    [InlineData("BFD_CHECK {", "no BFD")]
    [InlineData("regex_min_offset 4", "searches the body from its start")]
    [InlineData("bindto 192.0.2.9", "probes leave from the director's address")]
    [InlineData("user nobody", "as lvsnetd's own user")]
    [InlineData("frobnicate 3", "unknown real_server keyword")]
    [InlineData("protocol SCTP", "TCP and UDP only")]
    public void Import_UnmappableConstruct_IsAnErrorOnItsLine(string statement, string reason)
    {
        var line = LineOf(Text, statement);
        Assert.Contains(Result.Errors, n => n.Line == line && n.Message.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public void Import_RefusedFile_IsIncompleteAndKeepsOnlyWhatItCanServeFaithfully()
    {
        Assert.False(Result.Complete);
        Assert.Equal(15, Result.Errors.Count());
        Assert.All(Result.Errors, n => Assert.NotNull(n.Line));

        // The SMTP service is imported (its real server always up, as every checker of it was refused);
        // the group member 10.0.0.140 keeps no TUN server, since GUE is never turned into IPIP.
        var smtp = Assert.Single(Result.Config.VirtualServices, s => s.Port == 25);
        Assert.Equal(IpProtocol.Tcp, smtp.Protocol);
        Assert.Null(Assert.Single(smtp.RealServers).HealthCheck);
        Assert.DoesNotContain(Result.Config.VirtualServices, s => s.RealServers.Any(r => r.Method == ForwardingMethod.Tunnel));
        Assert.DoesNotContain(Result.Config.VirtualServices, s => s.Port == 443);
    }

    [Fact]
    public void Import_RefusedFile_YamlSaysIncomplete()
    {
        var yaml = Result.ToYaml("refused.conf");
        Assert.Contains("# INCOMPLETE: 15 item(s) could not be mapped", yaml, StringComparison.Ordinal);
        Assert.Contains($"#   line {LineOf(Text, "virtual_server fwmark 7")}: error: fwmark 7 is imported, but", yaml, StringComparison.Ordinal);

        // lvsnetd (and lvsnetd --check) refuses the file until the marker is deleted.
        var (config, _) = ParseIncomplete(yaml);
        Assert.Equal(Result.Config.VirtualServices.AsEnumerable(), config.VirtualServices.AsEnumerable());
    }
}
