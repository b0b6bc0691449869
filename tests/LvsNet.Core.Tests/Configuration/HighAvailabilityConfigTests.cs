using LvsNet.Core.Configuration;
using LvsNet.Packets;
using Xunit;

namespace LvsNet.Core.Tests;

public class HighAvailabilityConfigTests
{
    private const string Head =
        """
        director:
          interface: eth0
          address: 10.77.0.2/24

        """;

    [Fact]
    public void Absent_IsALoneMasterWithoutSync()
    {
        var config = LvsConfigReader.Parse(Head);
        Assert.Equal(DirectorRole.Master, config.HighAvailability.InitialRole);
        Assert.Equal(5, config.HighAvailability.GarpMasterRepeat);
        Assert.Equal(TimeSpan.FromSeconds(5), config.HighAvailability.GarpMasterDelay);
        Assert.Null(config.HighAvailability.SyncDaemon);
    }

    [Fact]
    public void EveryKey_IsRead_WithTheKernelDefaultsForTheRest()
    {
        var config = LvsConfigReader.Parse(Head +
            """
            high_availability:
              initial_role: backup
              garp_master_repeat: 3
              garp_master_delay: 2s
              garp_master_refresh: 60s
              garp_master_refresh_repeat: 2
              sync_daemon:
                mode: follow_role
                interface: eth1
                syncid: 9
                version: 0
                max_length: 1200
                group: 224.0.0.82
                port: 8849
                ttl: 2
            """);
        var ha = config.HighAvailability;
        Assert.Equal(DirectorRole.Backup, ha.InitialRole);
        Assert.Equal(3, ha.GarpMasterRepeat);
        Assert.Equal(TimeSpan.FromSeconds(2), ha.GarpMasterDelay);
        Assert.Equal(TimeSpan.FromSeconds(60), ha.GarpMasterRefresh);
        Assert.Equal(2, ha.GarpMasterRefreshRepeat);
        var sync = Assert.IsType<SyncDaemonConfig>(ha.SyncDaemon);
        Assert.Equal(SyncDaemonMode.FollowRole, sync.Mode);
        Assert.Equal("eth1", sync.Interface);
        Assert.Equal(9, sync.SyncId);
        Assert.Equal(0, sync.Version);
        Assert.Equal(1200, sync.MaxLength);
        Assert.Equal(Ipv4Address.Parse("224.0.0.82"), sync.Group);
        Assert.Equal(8849, sync.Port);
        Assert.Equal(2, sync.Ttl);
        Assert.Equal(3, sync.Threshold);
        Assert.Equal(50, sync.Period);
    }

    [Fact]
    public void SyncDaemonDefaults_AreIpvsDefaults()
    {
        var sync = LvsConfigReader.Parse(Head + "high_availability:\n  sync_daemon: {}\n").HighAvailability.SyncDaemon!;
        Assert.Equal(Ipv4Address.Parse("224.0.0.81"), sync.Group);
        Assert.Equal(8848, sync.Port);
        Assert.Equal(1, sync.Ttl);
        Assert.Equal(1, sync.Version);
        Assert.Equal(0, sync.SyncId);
        Assert.Null(sync.MaxLength);
    }

    [Fact]
    public void BadValues_AreAllReportedWithPathAndLine()
    {
        var ex = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(Head +
            """
            high_availability:
              initial_role: primary
              garp_master_repeat: 0
              sync_daemon:
                mode: sometimes
                syncid: 256
                version: 2
                threshold: 60
                colour: blue
            """));
        var errors = ex.Errors.Select(e => e.ToString()).ToList();
        Assert.Contains(errors, e => e.StartsWith("high_availability.initial_role (line 5): must be master or backup", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("high_availability.garp_master_repeat (line 6)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("high_availability.sync_daemon.mode (line 8)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("high_availability.sync_daemon.syncid (line 9)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("high_availability.sync_daemon.version (line 10)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("high_availability.sync_daemon.threshold (line 11): must be below period (50)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("high_availability.sync_daemon.colour (line 12): unknown key", StringComparison.Ordinal));
        Assert.Equal(7, errors.Count);
    }

    [Fact]
    public void FloatingAddresses_AreRead_AndBecomeOwnedAddresses()
    {
        var config = LvsConfigReader.Parse(Head + "high_availability:\n  floating_addresses: [10.77.0.254, 10.77.0.253]\n");
        Assert.Equal([Ipv4Address.Parse("10.77.0.254"), Ipv4Address.Parse("10.77.0.253")], config.HighAvailability.FloatingAddresses.ToArray());
        var snapshot = new LvsNet.Core.Runtime.LvsRuntime();
        snapshot.Apply(config);
        Assert.True(snapshot.Current!.IsOwnedAddress(Ipv4Address.Parse("10.77.0.254")));
        Assert.True(snapshot.Current.IsOwnedAddress(Ipv4Address.Parse("10.77.0.253")));
        Assert.False(snapshot.Current.IsVirtualAddress(Ipv4Address.Parse("10.77.0.254")));
    }

    [Fact]
    public void FloatingAddresses_NotAnAddress_IsReportedWithPathAndLine()
    {
        var ex = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(Head + "high_availability:\n  floating_addresses: [10.77.0.254, nonsense]\n"));
        Assert.StartsWith("high_availability.floating_addresses[1] (line 5): must be an IPv4 or IPv6 address", Assert.Single(ex.Errors).ToString(), StringComparison.Ordinal);
    }

    private const string Head6 =
        """
        director:
          interface: eth0
          address: 10.77.0.2/24
          address6: fd77::2/64

        """;

    [Fact]
    public void FloatingAddresses6_AreRead_AndBecomeOwnedIpv6Addresses()
    {
        var config = LvsConfigReader.Parse(Head6 + "high_availability:\n  floating_addresses: [fd77::fe, 10.77.0.254, fd77::fd]\n");
        Assert.Equal([Ipv4Address.Parse("10.77.0.254")], config.HighAvailability.FloatingAddresses.ToArray());
        Assert.Equal([Packets.Ipv6.Ipv6Address.Parse("fd77::fe"), Packets.Ipv6.Ipv6Address.Parse("fd77::fd")], config.HighAvailability.FloatingAddresses6.ToArray());
        var runtime = new LvsNet.Core.Runtime.LvsRuntime();
        runtime.Apply(config);
        Assert.True(runtime.Current!.IsOwnedAddress6(Packets.Ipv6.Ipv6Address.Parse("fd77::fe")));
        Assert.True(runtime.Current.IsOwnedAddress6(Packets.Ipv6.Ipv6Address.Parse("fd77::fd")));
        Assert.False(runtime.Current.IsVirtualAddress6(Packets.Ipv6.Ipv6Address.Parse("fd77::fe")));
        Assert.True(runtime.Current.IsOwnedAddress(Ipv4Address.Parse("10.77.0.254")));

        // Only an IPv6 floating address, no IPv6 service: the IPv6 path still runs to answer for it.
        Assert.True(runtime.Current.HasIpv6Services);
    }

    [Fact]
    public void FloatingAddresses6_ThatAreSomethingElse_AreAllReportedWithTheirListPositionAndLine()
    {
        var ex = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(Head6 +
            """
            high_availability:
              floating_addresses: [10.77.0.254, fd77::2, fe80::1, ff02::1, fd77::100, fd77::b, fd77::50, fd99::1, fd77::fe, fd77::fe, 10.77.0.2]
            virtual_services:
              - protocol: tcp
                address: fd77::100
                port: 80
                local_addresses: [fd77::50]
                real_servers:
                  - address: fd77::b
                    method: fullnat
            """));
        var errors = ex.Errors.Select(e => e.ToString()).ToList();
        string[] expected =
        [
            "high_availability.floating_addresses[1] (line 6): a floating address must not be the director's own address6",
            "high_availability.floating_addresses[2] (line 6): fe80::1 is a link-local address",
            "high_availability.floating_addresses[3] (line 6): ff02::1 is a multicast address",
            "high_availability.floating_addresses[4] (line 6): fd77::100 is a VIP",
            "high_availability.floating_addresses[5] (line 6): fd77::b is a real server's address",
            "high_availability.floating_addresses[6] (line 6): fd77::50 is a FULLNAT local address",
            "high_availability.floating_addresses[7] (line 6): fd99::1 is not on the director's IPv6 link fd77::/64",
            "high_availability.floating_addresses[9] (line 6): fd77::fe is listed twice",
            "high_availability.floating_addresses[10] (line 6): a floating address must not be the director's own address",
        ];
        Assert.All(expected, e => Assert.Contains(errors, x => x.StartsWith(e, StringComparison.Ordinal)));
        Assert.True(errors.Count == expected.Length, string.Join("\n", errors));
    }

    [Fact]
    public void FloatingAddresses6_WithoutDirectorAddress6_IsReportedWithPathAndLine()
    {
        var ex = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(Head + "high_availability:\n  floating_addresses: [fd77::fe]\n"));
        Assert.StartsWith("high_availability.floating_addresses[0] (line 5): fd77::fe is IPv6 but the director has no address6", Assert.Single(ex.Errors).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void FloatingAddresses_ThatAreSomethingElse_AreAllReportedWithPathAndLine()
    {
        var ex = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(Head +
            """
            high_availability:
              floating_addresses: [10.77.0.2, 10.77.0.100, 10.77.0.11, 10.77.0.254, 10.77.0.254, 10.77.0.50]
            virtual_services:
              - protocol: tcp
                address: 10.77.0.100
                port: 80
                local_addresses: [10.77.0.50]
                real_servers:
                  - address: 10.77.0.11
                    method: fullnat
            """));
        var errors = ex.Errors.Select(e => e.ToString()).ToList();
        Assert.Contains(errors, e => e.StartsWith("high_availability.floating_addresses[0] (line 5): a floating address must not be the director's own address", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("high_availability.floating_addresses[1] (line 5): 10.77.0.100 is a VIP", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("high_availability.floating_addresses[2] (line 5): 10.77.0.11 is a real server's address", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("high_availability.floating_addresses[4] (line 5): 10.77.0.254 is listed twice", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("high_availability.floating_addresses[5] (line 5): 10.77.0.50 is a FULLNAT local address", StringComparison.Ordinal));
        Assert.Equal(5, errors.Count);
    }

    [Fact]
    public void AuthKeyAndResync_AreRead()
    {
        var sync = LvsConfigReader.Parse(Head + "high_availability:\n  sync_daemon:\n    auth_key: 00112233445566778899AABBCCDDEEFF0011\n    resync_period: 5s\n    resync_rate: 5000\n").HighAvailability.SyncDaemon!;
        Assert.Equal("00112233445566778899AABBCCDDEEFF0011", sync.AuthKey);
        Assert.Equal(TimeSpan.FromSeconds(5), sync.ResyncPeriod);
        Assert.Equal(5000, sync.ResyncRate);
        var defaults = LvsConfigReader.Parse(Head + "high_availability:\n  sync_daemon: {}\n").HighAvailability.SyncDaemon!;
        Assert.Null(defaults.AuthKey);
        Assert.Equal(TimeSpan.Zero, defaults.ResyncPeriod);
    }

    [Theory]
    [InlineData("0011223344556677889900112233445")]    // 31 hex digits
    [InlineData("00112233445566778899001122334")]      // 15 bytes
    [InlineData("zz112233445566778899001122334455")]   // not hex
    public void AuthKey_NotHexOfSixteenBytes_IsReportedWithPathAndLine(string key)
    {
        var ex = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(Head + $"high_availability:\n  sync_daemon:\n    auth_key: {key}\n"));
        Assert.StartsWith("high_availability.sync_daemon.auth_key (line 6): must be at least 16 bytes in hex", Assert.Single(ex.Errors).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void RefreshPeriodAndRetries_AreRead_AndDefaultToTheKernelsZero()
    {
        var sync = LvsConfigReader.Parse(Head + "high_availability:\n  sync_daemon:\n    refresh_period: 20s\n    retries: 3\n").HighAvailability.SyncDaemon!;
        Assert.Equal(TimeSpan.FromSeconds(20), sync.RefreshPeriod);
        Assert.Equal(3, sync.Retries);
        var defaults = LvsConfigReader.Parse(Head + "high_availability:\n  sync_daemon: {}\n").HighAvailability.SyncDaemon!;
        Assert.Equal(TimeSpan.Zero, defaults.RefreshPeriod);
        Assert.Equal(0, defaults.Retries);
    }

    [Fact]
    public void Retries_AboveThree_OrWithoutRefreshPeriod_AreReportedWithPathAndLine()
    {
        // The kernel accepts sync_retries 0..3 only (proc_dointvec_minmax).
        var ex = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(Head + "high_availability:\n  sync_daemon:\n    refresh_period: 10s\n    retries: 4\n"));
        Assert.StartsWith("high_availability.sync_daemon.retries (line 7)", Assert.Single(ex.Errors).ToString(), StringComparison.Ordinal);

        ex = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(Head + "high_availability:\n  sync_daemon:\n    retries: 2\n    refresh_period: -1s\n"));
        var errors = ex.Errors.Select(e => e.ToString()).ToList();
        Assert.Contains(errors, e => e.StartsWith("high_availability.sync_daemon.refresh_period (line 7)", StringComparison.Ordinal));

        ex = Assert.Throws<ConfigException>(() => LvsConfigReader.Parse(Head + "high_availability:\n  sync_daemon:\n    retries: 2\n"));
        Assert.StartsWith("high_availability.sync_daemon.retries (line 6): needs refresh_period", Assert.Single(ex.Errors).ToString(), StringComparison.Ordinal);
    }
}
