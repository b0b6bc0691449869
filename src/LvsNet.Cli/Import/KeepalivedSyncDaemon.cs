using System.Globalization;
using LvsNet.Core.Configuration;
using LvsNet.Packets;

namespace LvsNet.Cli.Import;

/// <summary>
/// keepalived's <c>global_defs lvs_sync_daemon INTERFACE [VRRP_INSTANCE | inst NAME] [id N]
/// [maxlen N] [port N] [ttl N] [group ADDRESS]</c>: keepalived runs the master sync daemon while the
/// instance is MASTER and the backup daemon otherwise. lvsnetd does the same with
/// <c>sync_daemon.mode: follow_role</c>, its role set by keepalived's notify script; a director with a
/// sync daemon is one of a pair, so it starts as backup.
/// </summary>
internal static class KeepalivedSyncDaemon
{
    public static LvsConfig Apply(KeepalivedNode node, LvsConfig config, ImportNotes notes)
    {
        if (node.Args.Count == 0)
        {
            notes.Error(node.Line, "global_defs lvs_sync_daemon: needs an interface");
            return config;
        }

        var sync = new SyncDaemonConfig { Mode = SyncDaemonMode.FollowRole, Interface = node.Args[0] };
        string? instance = null;
        for (var i = 1; i < node.Args.Count; i++)
        {
            var key = node.Args[i];
            var value = i + 1 < node.Args.Count ? node.Args[i + 1] : null;
            switch (key)
            {
                case "inst" when value is not null:
                    instance = value;
                    i++;
                    continue;
                case "id" or "maxlen" or "port" or "ttl" when value is not null && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number):
                    i++;
                    sync = key switch
                    {
                        "id" when number <= 255 => sync with { SyncId = number },
                        "maxlen" when number is >= 64 and <= 65535 - 28 => sync with { MaxLength = number },
                        "port" when number is >= 1 and <= 65535 => sync with { Port = (ushort)number },
                        "ttl" when number is >= 1 and <= 255 => sync with { Ttl = number },
                        _ => Bad(node, notes, $"{key} {value}: out of range", sync),
                    };
                    continue;
                case "group" when value is not null && Ipv4Address.TryParse(value, out var group):
                    i++;
                    sync = sync with { Group = group };
                    continue;
                default:
                    if (i == 1)
                    {
                        // keepalived 2.x: the VRRP instance is the second word.
                        instance = key;
                        continue;
                    }

                    notes.Error(node.Line, $"global_defs {node.Text}: '{key}' is not understood (id, maxlen, port, ttl and an IPv4 group are)");
                    return config;
            }
        }

        notes.Adjusted(node.Line, $"global_defs lvs_sync_daemon: sync daemon on {sync.Interface} following lvsnetd's role{(instance is null ? string.Empty : $" (set by the notify script of vrrp_instance {instance})")}; the director starts as backup (docs/high-availability.md)");
        return config with
        {
            HighAvailability = config.HighAvailability with { InitialRole = DirectorRole.Backup, SyncDaemon = sync },
        };
    }

    private static SyncDaemonConfig Bad(KeepalivedNode node, ImportNotes notes, string message, SyncDaemonConfig sync)
    {
        notes.Error(node.Line, $"global_defs lvs_sync_daemon {message}");
        return sync;
    }
}
