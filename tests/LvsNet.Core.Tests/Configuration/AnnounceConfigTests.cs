using LvsNet.Core.Configuration;
using Xunit;

namespace LvsNet.Core.Tests;

public class AnnounceConfigTests
{
    private const string Head =
        """
        director:
          interface: eth0
          address: 10.77.0.2/24

        """;

    [Fact]
    public void Absent_AnnouncesNothing() => Assert.Null(LvsConfigReader.Parse(Head).Announce);

    [Fact]
    public void OnlyRoutesFile_TakesTheDefaults()
    {
        var announce = LvsConfigReader.Parse(Head + "announce:\n  routes_file: /run/lvsnet/vips.conf\n").Announce!;
        Assert.Equal("/run/lvsnet/vips.conf", announce.RoutesFile);
        Assert.Null(announce.BirdConfig);
        Assert.Equal("/run/lvsnet/bird.ctl", announce.BirdSocket);
        Assert.Equal("/usr/sbin/bird", announce.BirdBinary);
        Assert.Equal(AnnounceRequirement.AllServices, announce.Require);
        Assert.Equal(TimeSpan.FromMinutes(5), announce.DrainTimeout);
        Assert.Equal(TimeSpan.FromSeconds(1), announce.StopDelay);
    }

    [Fact]
    public void EveryKey_IsRead()
    {
        var announce = LvsConfigReader.Parse(Head +
            """
            announce:
              routes_file: /run/lvsnet/vips.conf
              bird_config: /etc/lvsnet/bird.conf
              bird_socket: /run/lvsnet/b.ctl
              bird_binary: /opt/bird/sbin/bird
              require: any_service
              drain_timeout: 90s
              stop_delay: 500ms
            """).Announce!;
        Assert.Equal("/etc/lvsnet/bird.conf", announce.BirdConfig);
        Assert.Equal("/run/lvsnet/b.ctl", announce.BirdSocket);
        Assert.Equal("/opt/bird/sbin/bird", announce.BirdBinary);
        Assert.Equal(AnnounceRequirement.AnyService, announce.Require);
        Assert.Equal(TimeSpan.FromSeconds(90), announce.DrainTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(500), announce.StopDelay);
    }

    [Fact]
    public void BadValues_AreAllReportedWithPathAndLine()
    {
        var ex = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(Head +
            """
            announce:
              bird_config: etc/bird.conf
              bird_socket: "/run/x\"y"
              require: most
              drain_timeout: forever
              stop_delay: 2m
              colour: blue
            """));
        var errors = ex.Errors.Select(e => e.ToString()).ToList();
        Assert.Contains(errors, e => e.StartsWith("announce.routes_file (line 5): is required", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("announce.bird_config (line 5): must be an absolute path", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("announce.bird_socket (line 6): must be an absolute path", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("announce.require (line 7): must be all_services or any_service", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("announce.drain_timeout (line 8)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("announce.stop_delay (line 9)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("announce.colour (line 10): unknown key", StringComparison.Ordinal));
        Assert.Equal(7, errors.Count);
    }

    // Directors behind ECMP run both sync daemons (multi-master); the mode belongs to high_availability.sync_daemon.
    [Fact]
    public void SyncDaemon_MasterAndBackup_IsRead()
    {
        var sync = LvsConfigReader.Parse(Head + "high_availability:\n  sync_daemon:\n    mode: master_and_backup\n").HighAvailability.SyncDaemon!;
        Assert.Equal(SyncDaemonMode.MasterAndBackup, sync.Mode);
        var ex = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(Head + "high_availability:\n  sync_daemon:\n    mode: both\n"));
        Assert.Equal("high_availability.sync_daemon.mode (line 6): must be follow_role, master, backup or master_and_backup, got 'both'", Assert.Single(ex.Errors).ToString());
    }

    [Fact]
    public void RoutesFile_MustDifferFromBirdConfig()
    {
        var ex = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(Head + "announce:\n  routes_file: /etc/bird.conf\n  bird_config: /etc/bird.conf\n"));
        Assert.Equal("announce.routes_file (line 5): must differ from bird_config (lvsnetd rewrites it)", Assert.Single(ex.Errors).ToString());
    }
}
