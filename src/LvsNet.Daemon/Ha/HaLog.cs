using LvsNet.Core.Diagnostics;
using Microsoft.Extensions.Logging;

namespace LvsNet.Daemon.Ha;

/// <summary>The HA part's log messages.</summary>
internal static partial class HaLog
{
    [LoggerMessage(EventId = EventIds.RoleChanged, EventName = nameof(EventIds.RoleChanged), Level = LogLevel.Information, Message = "Director role {OldRole} -> {Role}")]
    public static partial void RoleChanged(ILogger logger, string oldRole, string role);

    [LoggerMessage(EventId = EventIds.SyncDaemonStarted, EventName = nameof(EventIds.SyncDaemonStarted), Level = LogLevel.Information, Message = "{State} sync daemon started (mcast={Interface}, syncid={SyncId}, maxlen={MaxLength}, group={Group}, port={Port}, ttl={Ttl}, version {Version})")]
    public static partial void SyncDaemonStarted(ILogger logger, string state, string @interface, int syncId, int maxLength, string group, int port, int ttl, int version);

    [LoggerMessage(EventId = EventIds.SyncDaemonStopped, EventName = nameof(EventIds.SyncDaemonStopped), Level = LogLevel.Information, Message = "{State} sync daemon stopped")]
    public static partial void SyncDaemonStopped(ILogger logger, string state);

    [LoggerMessage(EventId = EventIds.SyncDaemonFailed, EventName = nameof(EventIds.SyncDaemonFailed), Level = LogLevel.Error, Message = "{State} sync daemon: {Reason}")]
    public static partial void SyncDaemonFailed(ILogger logger, Exception? exception, string state, string reason);

    [LoggerMessage(EventId = EventIds.SyncMessageRefused, EventName = nameof(EventIds.SyncMessageRefused), Level = LogLevel.Debug, Message = "Sync message of {Length} bytes refused: {Status}")]
    public static partial void SyncMessageRefused(ILogger logger, string status, int length);

    [LoggerMessage(EventId = EventIds.SyncMessageUnauthenticated, EventName = nameof(EventIds.SyncMessageUnauthenticated), Level = LogLevel.Warning, Message = "Sync message of {Length} bytes from {Sender} refused by the authenticated mode: {Reason} (logged at most once a second per reason; every one is counted)")]
    public static partial void SyncMessageUnauthenticated(ILogger logger, string reason, string sender, int length);

    [LoggerMessage(EventId = EventIds.NotifyFifoOpened, EventName = nameof(EventIds.NotifyFifoOpened), Level = LogLevel.Information, Message = "Following keepalived's notify FIFO {Path} (instance {Instance})")]
    public static partial void NotifyFifoOpened(ILogger logger, string path, string instance);

    [LoggerMessage(EventId = EventIds.NotifyFifoUnavailable, EventName = nameof(EventIds.NotifyFifoUnavailable), Level = LogLevel.Warning, Message = "keepalived's notify FIFO {Path} cannot be read: {Reason}; retrying every second")]
    public static partial void NotifyFifoUnavailable(ILogger logger, string path, string reason);
}
