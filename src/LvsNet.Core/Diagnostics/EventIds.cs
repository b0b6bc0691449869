using LvsNet.Core.Configuration;
using Microsoft.Extensions.Logging;

namespace LvsNet.Core.Diagnostics;

/// <summary>
/// Every event id the product logs, in one table so that ids stay stable for log pipelines.
/// Ranges: 1xx lifecycle, 2xx configuration, 3xx data path, 4xx neighbours, 5xx host preparation,
/// 6xx command socket, 7xx health. Retired ids are commented out, never reused.
/// </summary>
public static class EventIds
{
    /// <summary>The daemon started.</summary>
    public static readonly EventId Started = new(100, nameof(Started));

    /// <summary>The daemon is stopping.</summary>
    public static readonly EventId Stopping = new(101, nameof(Stopping));

    /// <summary>The daemon stopped.</summary>
    public static readonly EventId Stopped = new(102, nameof(Stopped));

    /// <summary>The libpcap version in use.</summary>
    public static readonly EventId PcapVersion = new(103, nameof(PcapVersion));

    /// <summary>A capture thread started.</summary>
    public static readonly EventId CaptureStarted = new(104, nameof(CaptureStarted));

    /// <summary>A capture thread stopped.</summary>
    public static readonly EventId CaptureStopped = new(105, nameof(CaptureStopped));

    /// <summary>The capture thread did not stop within its bound.</summary>
    public static readonly EventId StopTimedOut = new(106, nameof(StopTimedOut));

    /// <summary>The daemon could not start (device, permission, library).</summary>
    public static readonly EventId StartFailed = new(107, nameof(StartFailed));

    /// <summary>With several workers, the fanout steering program was (re)attached.</summary>
    public static readonly EventId Steering = new(108, nameof(Steering));

    /// <summary>Backend afxdp: the AF_XDP socket's and the XDP program's modes.</summary>
    public static readonly EventId XdpAttached = new(109, nameof(XdpAttached));

    /// <summary>Per-real-server statistics (periodic and at stop).</summary>
    public static readonly EventId ServerStatistics = new(110, nameof(ServerStatistics));

    /// <summary>A configuration was applied.</summary>
    public static readonly EventId ConfigApplied = new(200, nameof(ConfigApplied));

    /// <summary>A configuration was rejected.</summary>
    public static readonly EventId ConfigRejected = new(201, nameof(ConfigRejected));

    /// <summary>One error of a rejected configuration.</summary>
    public static readonly EventId ConfigError = new(202, nameof(ConfigError));

    /// <summary>A real server was added.</summary>
    public static readonly EventId RealServerAdded = new(203, nameof(RealServerAdded));

    /// <summary>A real server was removed.</summary>
    public static readonly EventId RealServerRemoved = new(204, nameof(RealServerRemoved));

    /// <summary>A real server's settings changed.</summary>
    public static readonly EventId RealServerEdited = new(205, nameof(RealServerEdited));

    /// <summary>A setting that needs a restart changed on reload.</summary>
    public static readonly EventId RestartRequired = new(206, nameof(RestartRequired));

    /// <summary>The connection table is full.</summary>
    public static readonly EventId TableFull = new(300, nameof(TableFull));

    /// <summary>The data path hit an unexpected error (a bug); the frame was dropped.</summary>
    public static readonly EventId DataPathError = new(301, nameof(DataPathError));

    /// <summary>Periodic summary of drops by reason.</summary>
    public static readonly EventId DropSummary = new(302, nameof(DropSummary));

    /// <summary>The capture device's kernel counters (received, dropped by the kernel, dropped by the interface).</summary>
    public static readonly EventId CaptureStatistics = new(303, nameof(CaptureStatistics));

    /// <summary>A neighbour was resolved or changed MAC.</summary>
    public static readonly EventId NeighbourResolved = new(400, nameof(NeighbourResolved));

    /// <summary>A neighbour could not be resolved.</summary>
    public static readonly EventId NeighbourUnresolved = new(401, nameof(NeighbourUnresolved));

    /// <summary>An ARP packet's claim was refused (invalid or own sender MAC, unsolicited, unexpected answer, static entry); rate-limited with a count.</summary>
    public static readonly EventId NeighbourUpdateRefused = new(402, nameof(NeighbourUpdateRefused));

    /// <summary>Another host claims one of the director's addresses (DIP, local address, VIP); rate-limited with a count.</summary>
    public static readonly EventId AddressConflict = new(403, nameof(AddressConflict));

    /// <summary>A neighbour's MAC changed after its old MAC stopped answering and the new one answered a broadcast request.</summary>
    public static readonly EventId NeighbourMacChanged = new(404, nameof(NeighbourMacChanged));

    /// <summary>The host was changed at start.</summary>
    public static readonly EventId HostPrepared = new(500, nameof(HostPrepared));

    /// <summary>A host change was undone at stop.</summary>
    public static readonly EventId HostRestored = new(501, nameof(HostRestored));

    /// <summary>A host change could not be made or undone.</summary>
    public static readonly EventId HostPreparationFailed = new(502, nameof(HostPreparationFailed));

    /// <summary>The command socket is listening.</summary>
    public static readonly EventId ControlListening = new(600, nameof(ControlListening));

    /// <summary>The command socket could not be opened (the daemon runs on without it).</summary>
    public static readonly EventId ControlSocketFailed = new(601, nameof(ControlSocketFailed));

    /// <summary>An lvsnetadm edit was applied.</summary>
    public static readonly EventId ControlEditApplied = new(602, nameof(ControlEditApplied));

    /// <summary>An lvsnetadm edit was refused; the running configuration stays.</summary>
    public static readonly EventId ControlEditRejected = new(603, nameof(ControlEditRejected));

    /// <summary>The log level was changed at run time.</summary>
    public static readonly EventId LogLevelChanged = new(604, nameof(LogLevelChanged));

    /// <summary>Counters were zeroed (ipvsadm -Z).</summary>
    public static readonly EventId CountersZeroed = new(605, nameof(CountersZeroed));

    /// <summary>The running configuration was written to the file (--write-config).</summary>
    public static readonly EventId ConfigWritten = new(606, nameof(ConfigWritten));

    /// <summary>Writing the configuration file failed; the edit stays in force.</summary>
    public static readonly EventId ConfigWriteFailed = new(607, nameof(ConfigWriteFailed));

    /// <summary>A command-socket request failed unexpectedly.</summary>
    public static readonly EventId ControlRequestFailed = new(608, nameof(ControlRequestFailed));

    /// <summary>A reload was requested through lvsnetadm.</summary>
    public static readonly EventId ControlReloadRequested = new(609, nameof(ControlReloadRequested));

    /// <summary>The Prometheus endpoint is listening.</summary>
    public static readonly EventId MetricsListening = new(610, nameof(MetricsListening));

    /// <summary>The Prometheus endpoint could not be started (the daemon runs on without it).</summary>
    public static readonly EventId MetricsFailed = new(611, nameof(MetricsFailed));

    /// <summary>The systemd watchdog is armed.</summary>
    public static readonly EventId WatchdogEnabled = new(612, nameof(WatchdogEnabled));

    /// <summary>A watchdog ping was withheld because the capture thread made no progress.</summary>
    public static readonly EventId WatchdogWithheld = new(613, nameof(WatchdogWithheld));

    // 7xx: health checks (src/LvsNet.Core/Health, src/LvsNet.Daemon/Health).

    /// <summary>The health monitor started (or was reconfigured) with its servers and checkers.</summary>
    public static readonly EventId HealthMonitorStarted = new(700, nameof(HealthMonitorStarted));

    /// <summary>A real server came up (all its checkers are up).</summary>
    public static readonly EventId RealServerUp = new(701, nameof(RealServerUp));

    /// <summary>A real server went down (one of its checkers went down).</summary>
    public static readonly EventId RealServerDown = new(702, nameof(RealServerDown));

    /// <summary>One check failed (while retrying an up server, or of a down server at Debug).</summary>
    public static readonly EventId HealthCheckFailed = new(703, nameof(HealthCheckFailed));

    /// <summary>A service gained its quorum (the sorry server, if any, leaves the pool).</summary>
    public static readonly EventId QuorumGained = new(704, nameof(QuorumGained));

    /// <summary>A service lost its quorum (the sorry server, if any, takes the new connections).</summary>
    public static readonly EventId QuorumLost = new(705, nameof(QuorumLost));

    /// <summary>A service's quorum state at start or when the service was added.</summary>
    public static readonly EventId QuorumInitial = new(706, nameof(QuorumInitial));

    /// <summary>A dynamic MISC_CHECK changed a real server's weight.</summary>
    public static readonly EventId RealServerWeightChanged = new(707, nameof(RealServerWeightChanged));

    /// <summary>A notify or quorum command failed or timed out.</summary>
    public static readonly EventId HealthCommandFailed = new(708, nameof(HealthCommandFailed));

    /// <summary>A checker threw unexpectedly (a bug); the check counts as failed.</summary>
    public static readonly EventId HealthCheckerError = new(709, nameof(HealthCheckerError));

    /// <summary>The policy routing of via-VIP probes was set up.</summary>
    public static readonly EventId ProbeRouteInstalled = new(710, nameof(ProbeRouteInstalled));

    /// <summary>The policy routing of via-VIP probes could not be set up or removed.</summary>
    public static readonly EventId ProbeRouteFailed = new(711, nameof(ProbeRouteFailed));

    /// <summary>A check of a server that is already down failed (Debug).</summary>
    public static readonly EventId HealthCheckFailedWhileDown = new(712, nameof(HealthCheckFailedWhileDown));

    /// <summary>The checkers of ha_suspend services were suspended (director not active) or resumed.</summary>
    public static readonly EventId HaSuspendChanged = new(713, nameof(HaSuspendChanged));
}
