using LvsNet.Core.Diagnostics;
using Microsoft.Extensions.Logging;

namespace LvsNet.Daemon.Control;

/// <summary>Log events of the command socket (ids 6xx, see <see cref="Core.Diagnostics.EventIds"/>).</summary>
internal static partial class ControlLog
{
    [LoggerMessage(EventId = EventIds.ControlListening, EventName = nameof(EventIds.ControlListening), Level = LogLevel.Information, Message = "Command socket listening on {SocketPath} (mode 0600)")]
    public static partial void Listening(ILogger logger, string socketPath);

    [LoggerMessage(EventId = EventIds.ControlSocketFailed, EventName = nameof(EventIds.ControlSocketFailed), Level = LogLevel.Error, Message = "Command socket {SocketPath} not opened: {Reason}; lvsnetadm cannot reach this daemon")]
    public static partial void SocketFailed(ILogger logger, string socketPath, string reason);

    [LoggerMessage(EventId = EventIds.ControlEditApplied, EventName = nameof(EventIds.ControlEditApplied), Level = LogLevel.Information,
        Message = "lvsnetadm edit applied ({Operations}): {Summary}; services added {ServicesAdded} removed {ServicesRemoved} edited {ServicesEdited}; real servers added {ServersAdded} removed {ServersRemoved} edited {ServersEdited}")]
    public static partial void EditApplied(ILogger logger, string operations, string summary, List<string> servicesAdded, List<string> servicesRemoved, List<string> servicesEdited, List<string> serversAdded, List<string> serversRemoved, List<string> serversEdited);

    [LoggerMessage(EventId = EventIds.ControlEditRejected, EventName = nameof(EventIds.ControlEditRejected), Level = LogLevel.Warning, Message = "lvsnetadm edit refused ({Operations}): {Reason}; the running configuration stays")]
    public static partial void EditRejected(ILogger logger, string operations, string reason);

    [LoggerMessage(EventId = EventIds.LogLevelChanged, EventName = nameof(EventIds.LogLevelChanged), Level = LogLevel.Warning, Message = "Log level changed from {OldLevel} to {NewLevel} by lvsnetadm")]
    public static partial void LogLevelChanged(ILogger logger, string oldLevel, string newLevel);

    [LoggerMessage(EventId = EventIds.CountersZeroed, EventName = nameof(EventIds.CountersZeroed), Level = LogLevel.Information, Message = "Counters and rates zeroed for {Scope}")]
    public static partial void CountersZeroed(ILogger logger, string scope);

    [LoggerMessage(EventId = EventIds.ConfigWritten, EventName = nameof(EventIds.ConfigWritten), Level = LogLevel.Information, Message = "Running configuration written to {Path}")]
    public static partial void ConfigWritten(ILogger logger, string path);

    [LoggerMessage(EventId = EventIds.ConfigWriteFailed, EventName = nameof(EventIds.ConfigWriteFailed), Level = LogLevel.Error, Message = "Running configuration not written to {Path}: {Reason}; the edit is in force but lost at the next reload")]
    public static partial void ConfigWriteFailed(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = EventIds.ControlRequestFailed, EventName = nameof(EventIds.ControlRequestFailed), Level = LogLevel.Error, Message = "Command socket request {Command} failed")]
    public static partial void RequestFailed(ILogger logger, Exception exception, string command);

    [LoggerMessage(EventId = EventIds.ControlReloadRequested, EventName = nameof(EventIds.ControlReloadRequested), Level = LogLevel.Information, Message = "Reload of {Path} requested by lvsnetadm")]
    public static partial void ReloadRequested(ILogger logger, string path);

    [LoggerMessage(EventId = EventIds.WatchdogEnabled, EventName = nameof(EventIds.WatchdogEnabled), Level = LogLevel.Information, Message = "systemd watchdog armed: WATCHDOG=1 every {Seconds} s while the capture thread makes progress")]
    public static partial void WatchdogEnabled(ILogger logger, double seconds);

    [LoggerMessage(EventId = EventIds.WatchdogWithheld, EventName = nameof(EventIds.WatchdogWithheld), Level = LogLevel.Error, Message = "systemd watchdog ping withheld: the capture thread made no progress for {Seconds} s")]
    public static partial void WatchdogWithheld(ILogger logger, double seconds);
}
