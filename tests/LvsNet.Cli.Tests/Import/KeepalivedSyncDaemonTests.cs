using LvsNet.Cli.Import;
using LvsNet.Control.Yaml;
using LvsNet.Core.Configuration;
using LvsNet.Packets;
using Xunit;
using static LvsNet.Testing.ControlFixtures;

namespace LvsNet.Cli.Tests.Import;

/// <summary>keepalived's <c>lvs_sync_daemon</c> becomes a sync daemon that follows lvsnetd's role, and survives the YAML round trip.</summary>
public class KeepalivedSyncDaemonTests
{
    [Theory]
    [InlineData("lvs_sync_daemon eth1 VI_1 id 7 maxlen 1200 port 8849 ttl 2 group 224.0.0.82")]
    [InlineData("lvs_sync_daemon eth1 inst VI_1 id 7 maxlen 1200 port 8849 ttl 2 group 224.0.0.82")]
    public void Import_LvsSyncDaemon_FollowsTheRole(string statement)
    {
        var result = ConfigImporter.Import($"global_defs {{\n   {statement}\n}}\n", Director);
        Assert.Empty(result.Errors);
        var ha = result.Config.HighAvailability;
        Assert.Equal(DirectorRole.Backup, ha.InitialRole);
        var sync = Assert.IsType<SyncDaemonConfig>(ha.SyncDaemon);
        Assert.Equal(SyncDaemonMode.FollowRole, sync.Mode);
        Assert.Equal("eth1", sync.Interface);
        Assert.Equal(7, sync.SyncId);
        Assert.Equal(1200, sync.MaxLength);
        Assert.Equal(8849, sync.Port);
        Assert.Equal(2, sync.Ttl);
        Assert.Equal(Ipv4Address.Parse("224.0.0.82"), sync.Group);

        // What the importer writes, lvsnetd reads back the same.
        var yaml = ConfigYamlWriter.Write(result.Config);
        Assert.Equal(ha, LvsConfigReader.Parse(yaml).HighAvailability);
    }

    [Fact]
    public void Import_LvsSyncDaemon_DefaultsAreTheKernels()
    {
        var sync = ConfigImporter.Import("global_defs {\n   lvs_sync_daemon eth0 VI_1\n}\n", Director).Config.HighAvailability.SyncDaemon!;
        Assert.Equal(0, sync.SyncId);
        Assert.Equal(8848, sync.Port);
        Assert.Equal(Ipv4Address.Parse("224.0.0.81"), sync.Group);
        Assert.Null(sync.MaxLength);
    }
}
