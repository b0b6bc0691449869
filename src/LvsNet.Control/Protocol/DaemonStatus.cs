namespace LvsNet.Control.Protocol;

/// <summary>What <c>lvsnetadm status</c> shows.</summary>
public sealed record DaemonStatus
{
    /// <summary>The daemon's version.</summary>
    public required string Version { get; init; }

    /// <summary>The daemon's process id.</summary>
    public int Pid { get; init; }

    /// <summary>When the daemon started.</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>Seconds since start.</summary>
    public long UptimeSeconds { get; init; }

    /// <summary>The configuration file.</summary>
    public required string ConfigPath { get; init; }

    /// <summary>The running snapshot's version (increases with every reload or edit).</summary>
    public long SnapshotVersion { get; init; }

    /// <summary>Virtual services running.</summary>
    public int Services { get; init; }

    /// <summary>Real servers running.</summary>
    public int RealServers { get; init; }

    /// <summary>True when lvsnetadm edits made the running configuration differ from the file (they are lost at the next reload unless saved).</summary>
    public bool UnsavedRuntimeEdits { get; init; }

    /// <summary>True when the daemon writes every lvsnetadm edit back to the file (--write-config).</summary>
    public bool WritesConfig { get; init; }

    /// <summary>The last reload, or null when none happened since start.</summary>
    public ReloadReport? LastReload { get; init; }

    /// <summary>The capture device's counters, or null while the capture is not running.</summary>
    public CaptureCounters? Capture { get; init; }

    /// <summary>The data path's counters, or null while the capture is not running.</summary>
    public DataPathStatus? DataPath { get; init; }

    /// <summary>The current minimum log level.</summary>
    public string? LogLevel { get; init; }

    /// <summary>The Prometheus endpoint, or null when off.</summary>
    public string? MetricsEndpoint { get; init; }

    /// <summary>The director's HA role and the sync daemons' counters.</summary>
    public HaStatus? Ha { get; init; }
    /// <summary>The status page (on the same endpoint), or null when off.</summary>
    public string? StatusPage { get; init; }

    /// <summary>The route announcement (YAML <c>announce</c>), or null when the director announces nothing.</summary>
    public AnnouncementStatus? Announcement { get; init; }
}
