namespace LvsNet.Core.Configuration;

/// <summary>YAML <c>high_availability</c> and its <c>sync_daemon</c>.</summary>
public static partial class LvsConfigReader
{
    private static HighAvailabilityConfig ReadHighAvailability(YamlMapping map)
    {
        var defaults = new HighAvailabilityConfig();
        var role = defaults.InitialRole;
        switch (map.String("initial_role")?.ToLowerInvariant())
        {
            case null: break;
            case "master": role = DirectorRole.Master; break;
            case "backup": role = DirectorRole.Backup; break;
            case var other: map.Error("initial_role", map.Find("initial_role"), $"must be master or backup, got '{other}'"); break;
        }

        var (floating, floating6, floatingPositions6) = ReadLocalAddressList(map, "floating_addresses");
        var config = new HighAvailabilityConfig
        {
            InitialRole = role,
            GarpMasterRepeat = (int?)map.Integer("garp_master_repeat", 1, 255) ?? defaults.GarpMasterRepeat,
            GarpMasterDelay = map.Duration("garp_master_delay", TimeSpan.Zero, TimeSpan.FromSeconds(255)) ?? defaults.GarpMasterDelay,
            GarpMasterRefresh = map.Duration("garp_master_refresh", TimeSpan.Zero, TimeSpan.FromDays(1)) ?? defaults.GarpMasterRefresh,
            GarpMasterRefreshRepeat = (int?)map.Integer("garp_master_refresh_repeat", 1, 255) ?? defaults.GarpMasterRefreshRepeat,
            FloatingAddresses = floating,
            FloatingAddresses6 = floating6,
            FloatingAddress6Positions = floatingPositions6,
            NotifyFifo = map.String("notify_fifo"),
            VrrpInstance = map.String("vrrp_instance"),
            SyncDaemon = map.Mapping("sync_daemon") is { } syncMap ? ReadSyncDaemon(syncMap) : null,
        };
        if (config.NotifyFifo is { } fifo && !fifo.StartsWith('/'))
        {
            map.Error("notify_fifo", map.Find("notify_fifo"), $"must be an absolute path (keepalived's notify_fifo), got '{fifo}'");
        }

        if (config.VrrpInstance is { } instance && (instance.Length == 0 || instance.Contains('"', StringComparison.Ordinal)))
        {
            map.Error("vrrp_instance", map.Find("vrrp_instance"), "must be a keepalived vrrp_instance or vrrp_sync_group name");
        }

        if (config.VrrpInstance is not null && config.NotifyFifo is null)
        {
            map.Error("vrrp_instance", map.Find("vrrp_instance"), "needs notify_fifo: it selects the lines lvsnetd follows there");
        }

        map.RejectUnknownKeys();
        return config;
    }

    /// <summary>True when <paramref name="key"/> is hex of at least the minimum key length.</summary>
    internal static bool IsSyncKey(string key) =>
        key.Length >= 2 * SyncDaemonConfig.MinAuthKeyLength && key.Length % 2 == 0 && key.All(char.IsAsciiHexDigit);

    private static SyncDaemonConfig ReadSyncDaemon(YamlMapping map)
    {
        var defaults = new SyncDaemonConfig();
        var mode = defaults.Mode;
        switch (map.String("mode")?.ToLowerInvariant())
        {
            case null: break;
            case "follow_role": mode = SyncDaemonMode.FollowRole; break;
            case "master": mode = SyncDaemonMode.Master; break;
            case "backup": mode = SyncDaemonMode.Backup; break;
            case "master_and_backup": mode = SyncDaemonMode.MasterAndBackup; break;
            case var other: map.Error("mode", map.Find("mode"), $"must be follow_role, master, backup or master_and_backup, got '{other}'"); break;
        }

        var group = map.Ipv4("group");
        var config = new SyncDaemonConfig
        {
            Mode = mode,
            Interface = map.String("interface"),
            SyncId = (int?)map.Integer("syncid", 0, 255) ?? defaults.SyncId,
            Version = (int?)map.Integer("version", 0, 1) ?? defaults.Version,
            MaxLength = (int?)map.Integer("max_length", 64, 65535 - 20 - 8),
            Group = group ?? defaults.Group,
            Port = (ushort?)map.Integer("port", 1, 65535) ?? defaults.Port,
            Ttl = (int?)map.Integer("ttl", 1, 255) ?? defaults.Ttl,
            Threshold = (int?)map.Integer("threshold", 0, int.MaxValue) ?? defaults.Threshold,
            Period = (int?)map.Integer("period", 0, int.MaxValue) ?? defaults.Period,
            RefreshPeriod = map.Duration("refresh_period", TimeSpan.Zero, TimeSpan.FromDays(1)) ?? defaults.RefreshPeriod,
            Retries = (int?)map.Integer("retries", 0, 3) ?? defaults.Retries,
            QueueLength = (int?)map.Integer("queue_length", 16, 1 << 22) ?? defaults.QueueLength,
            AuthKey = map.String("auth_key"),
            ResyncPeriod = map.Duration("resync_period", TimeSpan.Zero, TimeSpan.FromHours(1)) ?? defaults.ResyncPeriod,
            ResyncRate = (int?)map.Integer("resync_rate", 100, 10_000_000) ?? defaults.ResyncRate,
        };

        if (config.AuthKey is { } key && !IsSyncKey(key))
        {
            map.Error("auth_key", map.Find("auth_key"), $"must be at least {SyncDaemonConfig.MinAuthKeyLength} bytes in hex ({2 * SyncDaemonConfig.MinAuthKeyLength} or more hex digits, an even count)");
        }

        // The kernel's rule (proc_do_sync_threshold): the threshold must stay below the period.
        if (config.Period > 0 && config.Threshold >= config.Period)
        {
            map.Error("threshold", map.Find("threshold"), $"must be below period ({config.Period}), got {config.Threshold}");
        }

        // Retries are timed in eighths of the refresh period: without one there is nothing to retry.
        if (config.Retries > 0 && config.RefreshPeriod == TimeSpan.Zero)
        {
            map.Error("retries", map.Find("retries"), "needs refresh_period: retries are sent a refresh period / 8 apart");
        }

        if (config.Interface is { Length: 0 or >= 16 })
        {
            map.Error("interface", map.Find("interface"), "must be an interface name of 1 to 15 characters");
        }

        map.RejectUnknownKeys();
        return config;
    }
}
