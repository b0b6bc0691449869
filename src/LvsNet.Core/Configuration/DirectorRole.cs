namespace LvsNet.Core.Configuration;

/// <summary>
/// The director's high-availability role, as keepalived's VRRP instance reports it: only the
/// master answers ARP for the VIPs and local addresses and forwards.
/// </summary>
public enum DirectorRole
{
    /// <summary>MASTER: holds the VIPs, answers ARP and forwards (also the role of a director without HA).</summary>
    Master,

    /// <summary>BACKUP: another director holds the VIPs; no ARP answers for them, no forwarding.</summary>
    Backup,

    /// <summary>FAULT: the VRRP instance cannot run (a tracked interface or script failed); as backup.</summary>
    Fault,
}
