using LvsNet.Control.Editing;

namespace LvsNet.Control.Protocol;

/// <summary>One request to the daemon's command socket.</summary>
public sealed record ControlRequest
{
    /// <summary>The protocol version (<see cref="ControlProtocol.Version"/>).</summary>
    public int Version { get; init; } = ControlProtocol.Version;

    /// <summary>One of <see cref="ControlCommands"/>.</summary>
    public required string Command { get; init; }

    /// <summary>For <see cref="ControlCommands.Edit"/>: the operations, applied all or none.</summary>
    public IReadOnlyList<EditOperation>? Operations { get; init; }

    /// <summary>For <see cref="ControlCommands.Zero"/> and <see cref="ControlCommands.List"/>: one service instead of all.</summary>
    public ServiceSelector? Service { get; init; }

    /// <summary>For <see cref="ControlCommands.LogLevel"/>: the new level.</summary>
    public string? Level { get; init; }

    /// <summary>For <see cref="ControlCommands.Role"/>: master, backup or fault.</summary>
    public string? Role { get; init; }

    /// <summary>For <see cref="ControlCommands.StartDaemon"/> and <see cref="ControlCommands.StopDaemon"/>: the daemon.</summary>
    public SyncDaemonInfo? SyncDaemon { get; init; }
    /// <summary>For <see cref="ControlCommands.List"/>: list health (every configured real server with its state and checkers).</summary>
    public bool Health { get; init; }

    /// <summary>For <see cref="ControlCommands.Connections"/>: only the matching entries (null = every entry).</summary>
    public ConnectionFilter? Filter { get; init; }

    /// <summary>For <see cref="ControlCommands.Drain"/>: how long established connections are served (null = <c>announce.drain_timeout</c>).</summary>
    public double? DrainTimeoutSeconds { get; init; }
}
