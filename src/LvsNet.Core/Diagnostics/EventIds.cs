namespace LvsNet.Core.Diagnostics;

/// <summary>
/// Every event id the product logs, in one table so that ids stay stable for log pipelines: each
/// <c>[LoggerMessage]</c> names its id as <c>EventId = EventIds.X, EventName = nameof(EventIds.X)</c>.
/// Ranges: 1xx lifecycle, 2xx configuration, 3xx data path, 4xx neighbours, 5xx host preparation,
/// 6xx command socket and metrics, 7xx health. Retired or reserved ids are comments, never reused.
/// </summary>
/// <remarks>
/// A test (EventIdTableTests) fails on a duplicate value, an id no <c>[LoggerMessage]</c> uses, a
/// literal id in a <c>[LoggerMessage]</c>, and a difference from the table in docs/operations.md.
/// </remarks>
public static class EventIds
{
    // 1xx: lifecycle of the daemon and its capture threads.

    /// <summary>The daemon started.</summary>
    public const int Started = 100;

    /// <summary>The daemon is stopping.</summary>
    public const int Stopping = 101;

    /// <summary>The daemon stopped.</summary>
    public const int Stopped = 102;

    /// <summary>The libpcap version in use.</summary>
    public const int PcapVersion = 103;

    /// <summary>A capture thread started.</summary>
    public const int CaptureStarted = 104;

    /// <summary>A capture thread stopped.</summary>
    public const int CaptureStopped = 105;

    /// <summary>The capture thread did not stop within its bound.</summary>
    public const int StopTimedOut = 106;

    /// <summary>The daemon could not start (device, permission, library).</summary>
    public const int StartFailed = 107;

    /// <summary>With several workers, the fanout steering program was (re)attached.</summary>
    public const int Steering = 108;

    /// <summary>Backend afxdp: the AF_XDP socket's and the XDP program's modes.</summary>
    public const int XdpAttached = 109;

    /// <summary>Per-real-server statistics (periodic and at stop).</summary>
    public const int ServerStatistics = 110;

    /// <summary>Backend afxdp: the XDP program cannot see VLAN tags the driver strips, so it cannot drop such frames (the reason).</summary>
    public const int XdpVlanMetadataUnavailable = 111;

    /// <summary>The interface's multicast groups for the IPv6 VIPs and local addresses changed (their solicited-node groups joined or left).</summary>
    public const int MulticastGroups = 112;

    /// <summary>The kernel refused a multicast group membership: solicitations for that address may not arrive on a NIC that filters multicast.</summary>
    public const int MulticastGroupsFailed = 113;

    /// <summary>The connection tables were created: entries per worker and how much of them transparent huge pages back.</summary>
    public const int ConnectionTables = 114;

    // 2xx: configuration files and reloads.

    /// <summary>A configuration was applied.</summary>
    public const int ConfigApplied = 200;

    /// <summary>A configuration was rejected.</summary>
    public const int ConfigRejected = 201;

    /// <summary>One error of a rejected configuration.</summary>
    public const int ConfigError = 202;

    // 203-205 reserved (RealServerAdded, RealServerRemoved, RealServerEdited): per-server change
    // events were planned; ConfigApplied (200) and ControlEditApplied (602) list the changes instead.

    /// <summary>A setting that needs a restart changed on reload.</summary>
    public const int RestartRequired = 206;

    // 3xx: the data path.

    /// <summary>The connection table is full.</summary>
    public const int TableFull = 300;

    /// <summary>The data path hit an unexpected error (a bug); the frame was dropped.</summary>
    public const int DataPathError = 301;

    /// <summary>Periodic summary of drops by reason.</summary>
    public const int DropSummary = 302;

    /// <summary>The capture device's kernel counters (received, dropped by the kernel, dropped by the interface).</summary>
    public const int CaptureStatistics = 303;

    // 4xx: neighbours (ARP).

    /// <summary>A neighbour was resolved or changed MAC.</summary>
    public const int NeighbourResolved = 400;

    /// <summary>A neighbour could not be resolved.</summary>
    public const int NeighbourUnresolved = 401;

    // 5xx: host preparation (addresses, sysctls, offloads).

    /// <summary>An ARP packet's claim was refused (invalid or own sender MAC, unsolicited, unexpected answer, static entry); rate-limited with a count.</summary>
    public const int NeighbourUpdateRefused = 402;

    /// <summary>Another host claims one of the director's addresses (DIP, local address, VIP); rate-limited with a count.</summary>
    public const int AddressConflict = 403;

    /// <summary>A neighbour's MAC changed after its old MAC stopped answering and the new one answered a broadcast request.</summary>
    public const int NeighbourMacChanged = 404;

    /// <summary>The host was changed at start.</summary>
    public const int HostPrepared = 500;

    /// <summary>A host change was undone at stop.</summary>
    public const int HostRestored = 501;

    /// <summary>A host change could not be made or undone.</summary>
    public const int HostPreparationFailed = 502;

    /// <summary>The daemon refused to touch a kernel address that can never be a VIP (loopback, unspecified, multicast, broadcast).</summary>
    public const int HostAddressRefused = 503;

    // 6xx: command socket, metrics endpoint, systemd watchdog.

    /// <summary>The command socket is listening.</summary>
    public const int ControlListening = 600;

    /// <summary>The command socket could not be opened (the daemon runs on without it).</summary>
    public const int ControlSocketFailed = 601;

    /// <summary>An lvsnetadm edit was applied.</summary>
    public const int ControlEditApplied = 602;

    /// <summary>An lvsnetadm edit was refused; the running configuration stays.</summary>
    public const int ControlEditRejected = 603;

    /// <summary>The log level was changed at run time.</summary>
    public const int LogLevelChanged = 604;

    /// <summary>Counters were zeroed (ipvsadm -Z).</summary>
    public const int CountersZeroed = 605;

    /// <summary>The running configuration was written to the file (--write-config).</summary>
    public const int ConfigWritten = 606;

    /// <summary>Writing the configuration file failed; the edit stays in force.</summary>
    public const int ConfigWriteFailed = 607;

    /// <summary>A command-socket request failed unexpectedly.</summary>
    public const int ControlRequestFailed = 608;

    /// <summary>A reload was requested through lvsnetadm.</summary>
    public const int ControlReloadRequested = 609;

    /// <summary>The Prometheus endpoint is listening.</summary>
    public const int MetricsListening = 610;

    /// <summary>The Prometheus endpoint could not be started (the daemon runs on without it).</summary>
    public const int MetricsFailed = 611;

    /// <summary>The systemd watchdog is armed.</summary>
    public const int WatchdogEnabled = 612;

    /// <summary>A watchdog ping was withheld because the capture thread made no progress.</summary>
    public const int WatchdogWithheld = 613;

    // 7xx: health checks (src/LvsNet.Core/Health, src/LvsNet.Daemon/Health).

    /// <summary>The health monitor started (or was reconfigured) with its servers and checkers.</summary>
    public const int HealthMonitorStarted = 700;

    /// <summary>A real server came up (all its checkers are up).</summary>
    public const int RealServerUp = 701;

    /// <summary>A real server went down (one of its checkers went down).</summary>
    public const int RealServerDown = 702;

    /// <summary>One check failed (while retrying an up server, or of a down server at Debug).</summary>
    public const int HealthCheckFailed = 703;

    /// <summary>A service gained its quorum (the sorry server, if any, leaves the pool).</summary>
    public const int QuorumGained = 704;

    /// <summary>A service lost its quorum (the sorry server, if any, takes the new connections).</summary>
    public const int QuorumLost = 705;

    /// <summary>A service's quorum state at start or when the service was added.</summary>
    public const int QuorumInitial = 706;

    /// <summary>A dynamic MISC_CHECK changed a real server's weight.</summary>
    public const int RealServerWeightChanged = 707;

    /// <summary>A notify or quorum command failed or timed out.</summary>
    public const int HealthCommandFailed = 708;

    /// <summary>A checker threw unexpectedly (a bug); the check counts as failed.</summary>
    public const int HealthCheckerError = 709;

    /// <summary>The policy routing of via-VIP probes was set up.</summary>
    public const int ProbeRouteInstalled = 710;

    /// <summary>The policy routing of via-VIP probes could not be set up or removed.</summary>
    public const int ProbeRouteFailed = 711;

    /// <summary>A check of a server that is already down failed (Debug).</summary>
    public const int HealthCheckFailedWhileDown = 712;

    /// <summary>The checkers of ha_suspend services were suspended (director not active) or resumed.</summary>
    public const int HaSuspendChanged = 713;

    // 750-759: dynamic-feedback weights and server agents (src/LvsNet.Core/Feedback, agent checks in src/LvsNet.Core/Health).

    /// <summary>The dynamic-feedback policy changed a real server's effective weight (with every input of the decision).</summary>
    public const int DynamicWeightChanged = 750;

    /// <summary>What a server's agent (agent_check, or a MISC check with feedback) says changed: ready/drain/maint, up/down, weight percentage.</summary>
    public const int AgentStateChanged = 751;

    /// <summary>An agent's reply was refused (unknown word, bad percentage, too long); its last state stays.</summary>
    public const int AgentReplyRefused = 752;

    /// <summary>A server's agent stopped answering (refused, timed out); its last state stays.</summary>
    public const int AgentUnreachable = 753;

    // 900-999: director high availability (role, connection synchronisation).

    /// <summary>The director's HA role changed (lvsnetadm role, from keepalived's notify).</summary>
    public const int RoleChanged = 900;

    /// <summary>A connection synchronisation daemon started.</summary>
    public const int SyncDaemonStarted = 901;

    /// <summary>A connection synchronisation daemon stopped.</summary>
    public const int SyncDaemonStopped = 902;

    /// <summary>A connection synchronisation daemon could not start or its socket failed.</summary>
    public const int SyncDaemonFailed = 903;

    /// <summary>A received sync message was refused (wrong size, other sync id, malformed) (Debug).</summary>
    public const int SyncMessageRefused = 904;

    /// <summary>A received sync message was refused by the authenticated mode (no trailer, wrong HMAC, stale, replayed) (Warning, at most once a second per reason).</summary>
    public const int SyncMessageUnauthenticated = 905;

    /// <summary>lvsnetd opened keepalived's notify FIFO and follows the VRRP state from it.</summary>
    public const int NotifyFifoOpened = 906;

    /// <summary>keepalived's notify FIFO cannot be read (missing, not a FIFO, removed by a stopping keepalived): retried every second.</summary>
    public const int NotifyFifoUnavailable = 907;

    // 960-979: route announcement through BIRD (scale-out behind ECMP, docs/scale-out.md).

    /// <summary>A VIP is announced (healthy and serving).</summary>
    public const int VipAnnounced = 960;

    /// <summary>A VIP is withdrawn (capture down, not master, drained, quorum lost).</summary>
    public const int VipWithdrawn = 961;

    /// <summary>BIRD could not be reconfigured (control socket unreachable, configuration refused) or the routes file not written.</summary>
    public const int BirdReconfigureFailed = 962;

    /// <summary>BIRD took the routes file again after failures.</summary>
    public const int BirdReconfigured = 963;

    /// <summary>The director was drained (lvsnetadm drain).</summary>
    public const int DirectorDrained = 964;

    /// <summary>A drain completed (no active connection left, or its timeout passed).</summary>
    public const int DrainCompleted = 965;

    /// <summary>The director was undrained (lvsnetadm undrain).</summary>
    public const int DirectorUndrained = 966;

    /// <summary>lvsnetd started its BIRD child.</summary>
    public const int BirdStarted = 967;

    /// <summary>The BIRD child exited (restarted after 1 s unless lvsnetd stops).</summary>
    public const int BirdExited = 968;

    /// <summary>The BIRD child could not be started.</summary>
    public const int BirdFailed = 969;

    /// <summary>A line BIRD wrote to its standard output or error.</summary>
    public const int BirdOutput = 970;

    /// <summary>setpriv is missing: the BIRD child would outlive a killed lvsnetd.</summary>
    public const int BirdWithoutDeathSignal = 971;

    /// <summary>An announced service uses a scheduler whose choice differs between directors.</summary>
    public const int AnnounceSchedulerInconsistent = 972;
}
