using System.Collections.Immutable;

namespace LvsNet.Core.Configuration;

/// <summary>
/// YAML <c>high_availability</c>: the role the daemon starts in (keepalived's notify scripts then
/// set it), the gratuitous ARP a new master sends (keepalived's vrrp_garp_master_* semantics) and
/// the connection synchronisation daemon.
/// </summary>
public sealed record HighAvailabilityConfig
{
    /// <summary>The role until lvsnetadm sets one: master (a lone director, the default) or backup (a director of an HA pair, so two never answer ARP at once).</summary>
    public DirectorRole InitialRole { get; init; } = DirectorRole.Master;

    /// <summary>Gratuitous ARP messages per address in each burst on becoming master (vrrp_garp_master_repeat, default 5).</summary>
    public int GarpMasterRepeat { get; init; } = 5;

    /// <summary>Delay of the second burst after becoming master (vrrp_garp_master_delay, default 5 s; 0 = no second burst).</summary>
    public TimeSpan GarpMasterDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Period of the gratuitous ARP refresh while master (vrrp_garp_master_refresh, default 0 = off).</summary>
    public TimeSpan GarpMasterRefresh { get; init; } = TimeSpan.Zero;

    /// <summary>Messages per address in each refresh (vrrp_garp_master_refresh_repeat, default 1).</summary>
    public int GarpMasterRefreshRepeat { get; init; } = 1;

    /// <summary>
    /// Addresses that move with the MASTER role besides the VIPs and local addresses: answered by
    /// ARP and announced by gratuitous ARP only while master, never held by the kernel. The NAT real
    /// servers' default gateway is one of these (a floating DIP), so their replies reach whichever
    /// director is master.
    /// </summary>
    public ImmutableArray<uint> FloatingAddresses { get; init; } = [];

    /// <summary>
    /// The IPv6 floating addresses (IPv6 entries of YAML <c>floating_addresses</c>): answered by
    /// neighbour advertisements and announced by unsolicited ones only while master, never held by
    /// the kernel. The IPv6 NAT real servers' default gateway is one of these.
    /// </summary>
    public ImmutableArray<Packets.Ipv6.Ipv6Address> FloatingAddresses6 { get; init; } = [];

    /// <summary>The position in the YAML list of each of <see cref="FloatingAddresses6"/>, for error paths.</summary>
    internal ImmutableArray<int> FloatingAddress6Positions { get; init; } = [];

    /// <summary>
    /// keepalived's <c>notify_fifo</c> path, which lvsnetd reads itself to follow the VRRP state
    /// (no process start per transition), or null to be told by notify scripts (lvsnetadm role).
    /// </summary>
    public string? NotifyFifo { get; init; }

    /// <summary>The vrrp_instance (or vrrp_sync_group) whose state lines in <see cref="NotifyFifo"/> set the role; null = every instance line (one instance only).</summary>
    public string? VrrpInstance { get; init; }

    /// <summary>The connection synchronisation daemon, or null when none runs from the configuration (lvsnetadm --start-daemon can still start one).</summary>
    public SyncDaemonConfig? SyncDaemon { get; init; }
}
