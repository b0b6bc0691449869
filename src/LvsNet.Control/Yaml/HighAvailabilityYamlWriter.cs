using System.Globalization;
using System.Text;
using LvsNet.Core.Configuration;
using LvsNet.Packets;

namespace LvsNet.Control.Yaml;

/// <summary>The <c>high_availability</c> section of the YAML the daemon exports and the importer writes: only what differs from the defaults.</summary>
public static class HighAvailabilityYamlWriter
{
    /// <summary>Appends the section (nothing when every value is a default).</summary>
    public static void Write(StringBuilder yaml, HighAvailabilityConfig ha)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(ha);
        var defaults = new HighAvailabilityConfig();
        var lines = new StringBuilder();
        if (ha.InitialRole != defaults.InitialRole)
        {
            Key(lines, 2, "initial_role", ha.InitialRole == DirectorRole.Backup ? "backup" : "master");
        }

        if (ha.GarpMasterRepeat != defaults.GarpMasterRepeat)
        {
            Key(lines, 2, "garp_master_repeat", Number(ha.GarpMasterRepeat));
        }

        if (ha.GarpMasterDelay != defaults.GarpMasterDelay)
        {
            Key(lines, 2, "garp_master_delay", DurationParser.Format(ha.GarpMasterDelay));
        }

        if (ha.GarpMasterRefresh != defaults.GarpMasterRefresh)
        {
            Key(lines, 2, "garp_master_refresh", DurationParser.Format(ha.GarpMasterRefresh));
        }

        if (ha.GarpMasterRefreshRepeat != defaults.GarpMasterRefreshRepeat)
        {
            Key(lines, 2, "garp_master_refresh_repeat", Number(ha.GarpMasterRefreshRepeat));
        }

        if (!ha.FloatingAddresses.IsDefaultOrEmpty || !ha.FloatingAddresses6.IsDefaultOrEmpty)
        {
            // One list, IPv4 entries first: the reader splits it by family again.
            var all = ha.FloatingAddresses.Select(Ipv4Address.Format).Concat(ha.FloatingAddresses6.Select(a => a.ToString()));
            Key(lines, 2, "floating_addresses", "[" + string.Join(", ", all) + "]");
        }

        if (ha.NotifyFifo is { } fifo)
        {
            Key(lines, 2, "notify_fifo", ConfigYamlWriter.Scalar(fifo));
        }

        if (ha.VrrpInstance is { } instance)
        {
            Key(lines, 2, "vrrp_instance", ConfigYamlWriter.Scalar(instance));
        }

        if (ha.SyncDaemon is { } sync)
        {
            var d = new SyncDaemonConfig();
            var body = new StringBuilder();
            Key(body, 4, "mode", sync.Mode switch { SyncDaemonMode.Master => "master", SyncDaemonMode.Backup => "backup", SyncDaemonMode.MasterAndBackup => "master_and_backup", _ => "follow_role" });
            if (sync.Interface is { } nic)
            {
                Key(body, 4, "interface", ConfigYamlWriter.Scalar(nic));
            }

            Optional(body, "syncid", sync.SyncId, d.SyncId);
            Optional(body, "version", sync.Version, d.Version);
            if (sync.MaxLength is { } maxLength)
            {
                Key(body, 4, "max_length", Number(maxLength));
            }

            if (sync.Group != d.Group)
            {
                Key(body, 4, "group", Ipv4Address.Format(sync.Group));
            }

            Optional(body, "port", sync.Port, d.Port);
            Optional(body, "ttl", sync.Ttl, d.Ttl);
            Optional(body, "threshold", sync.Threshold, d.Threshold);
            Optional(body, "period", sync.Period, d.Period);
            if (sync.RefreshPeriod != d.RefreshPeriod)
            {
                Key(body, 4, "refresh_period", DurationParser.Format(sync.RefreshPeriod));
            }

            Optional(body, "retries", sync.Retries, d.Retries);
            Optional(body, "queue_length", sync.QueueLength, d.QueueLength);
            if (sync.AuthKey is { } key)
            {
                Key(body, 4, "auth_key", ConfigYamlWriter.Scalar(key));
            }

            if (sync.ResyncPeriod != d.ResyncPeriod)
            {
                Key(body, 4, "resync_period", DurationParser.Format(sync.ResyncPeriod));
            }

            Optional(body, "resync_rate", sync.ResyncRate, d.ResyncRate);
            lines.Append("  sync_daemon:\n").Append(body);
        }

        if (lines.Length > 0)
        {
            yaml.Append("high_availability:\n").Append(lines);
        }
    }

    private static void Optional(StringBuilder yaml, string key, int value, int defaultValue)
    {
        if (value != defaultValue)
        {
            Key(yaml, 4, key, Number(value));
        }
    }

    private static void Key(StringBuilder yaml, int indent, string key, string value) =>
        yaml.Append(' ', indent).Append(key).Append(": ").Append(value).Append('\n');

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
