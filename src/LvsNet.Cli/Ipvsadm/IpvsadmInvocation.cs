using LvsNet.Control.Editing;

namespace LvsNet.Cli.Ipvsadm;

/// <summary>A parsed ipvsadm command line.</summary>
public sealed record IpvsadmInvocation
{
    /// <summary>The command.</summary>
    public required IpvsadmCommand Command { get; init; }

    /// <summary>For editing commands: the operation to send to the daemon.</summary>
    public EditOperation? Operation { get; init; }

    /// <summary>For -L/-S: the layout.</summary>
    public ListFormat Format { get; init; }

    /// <summary>For -L and -Z: one service instead of all.</summary>
    public ServiceSelector? Service { get; init; }

    /// <summary>-L -c: list connections.</summary>
    public bool Connections { get; init; }

    /// <summary>-L --timeout: list the timeouts.</summary>
    public bool Timeouts { get; init; }

    /// <summary>-L --daemon: list the connection synchronisation daemons.</summary>
    public bool Daemons { get; init; }

    /// <summary>--start-daemon / --stop-daemon: the daemon.</summary>
    public LvsNet.Control.Protocol.SyncDaemonInfo? SyncDaemon { get; init; }

    /// <summary>True for the commands that change the configuration.</summary>
    public bool IsEdit => Operation is not null;

    /// <summary>-L -c with --client/--server/--service/--limit: the query the daemon answers with matching rows and counts.</summary>
    public LvsNet.Control.Protocol.ConnectionFilter? Filter { get; init; }

    /// <summary>-L --health: every configured server with its health.</summary>
    public bool Health => (Format & ListFormat.Health) != 0;

    /// <summary>-L --weights: configured, in-force and effective weights.</summary>
    public bool Weights => (Format & ListFormat.Weights) != 0;
}
