namespace LvsNet.Control.Protocol;

/// <summary>The command names of <see cref="ControlRequest.Command"/>.</summary>
public static class ControlCommands
{
    /// <summary>Apply <see cref="ControlRequest.Operations"/> (ipvsadm -A/-E/-D/-C/-a/-e/-d/--set/-R) atomically.</summary>
    public const string Edit = "edit";

    /// <summary>The services, real servers, counters and rates (ipvsadm -L, -S, --timeout).</summary>
    public const string List = "list";

    /// <summary>The connection table (ipvsadm -L -c).</summary>
    public const string Connections = "connections";

    /// <summary>Zero the counters and rates of one service or of all (ipvsadm -Z).</summary>
    public const string Zero = "zero";

    /// <summary>Reload the configuration file and report the result.</summary>
    public const string Reload = "reload";

    /// <summary>Uptime, last reload, capture and data-path counters.</summary>
    public const string Status = "status";

    /// <summary>Change the log level at run time.</summary>
    public const string LogLevel = "log-level";

    /// <summary>The running configuration as YAML.</summary>
    public const string ExportYaml = "export-yaml";

    /// <summary>Set the director's HA role (<see cref="ControlRequest.Role"/>: master, backup or fault), as keepalived's notify scripts do.</summary>
    public const string Role = "role";

    /// <summary>Start a connection synchronisation daemon (ipvsadm --start-daemon; <see cref="ControlRequest.SyncDaemon"/>).</summary>
    public const string StartDaemon = "start-daemon";

    /// <summary>Stop a connection synchronisation daemon (ipvsadm --stop-daemon; <see cref="ControlRequest.SyncDaemon"/>, state only).</summary>
    public const string StopDaemon = "stop-daemon";

    /// <summary>The running sync daemons (ipvsadm -L --daemon).</summary>
    public const string Daemons = "daemons";

    /// <summary>Withdraw the director's routes and keep forwarding the established connections that still arrive (<see cref="ControlRequest.DrainTimeoutSeconds"/>).</summary>
    public const string Drain = "drain";

    /// <summary>End a drain: announce again what is healthy.</summary>
    public const string Undrain = "undrain";
}
