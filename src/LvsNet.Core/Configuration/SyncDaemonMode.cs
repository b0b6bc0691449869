namespace LvsNet.Core.Configuration;

/// <summary>Which sync daemons run (ipvsadm --start-daemon master|backup, or keepalived's lvs_sync_daemon, which follows the VRRP state).</summary>
public enum SyncDaemonMode
{
    /// <summary>Master daemon while the director role is master, backup daemon otherwise (keepalived's lvs_sync_daemon).</summary>
    FollowRole,

    /// <summary>Always the master daemon (sends).</summary>
    Master,

    /// <summary>Always the backup daemon (receives).</summary>
    Backup,

    /// <summary>Both at once (IPVS allows it): every active director behind ECMP sends its connections and takes the others' (docs/scale-out.md).</summary>
    MasterAndBackup,
}
