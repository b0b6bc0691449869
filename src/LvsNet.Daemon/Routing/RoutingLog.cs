using LvsNet.Core.Diagnostics;
using Microsoft.Extensions.Logging;

namespace LvsNet.Daemon.Routing;

/// <summary>The route announcement's log messages.</summary>
internal static partial class RoutingLog
{
    [LoggerMessage(EventId = EventIds.VipAnnounced, EventName = nameof(EventIds.VipAnnounced), Level = LogLevel.Information, Message = "VIP {Vip} announced")]
    public static partial void VipAnnounced(ILogger logger, string vip);

    [LoggerMessage(EventId = EventIds.VipWithdrawn, EventName = nameof(EventIds.VipWithdrawn), Level = LogLevel.Warning, Message = "VIP {Vip} withdrawn: {Reason}")]
    public static partial void VipWithdrawn(ILogger logger, string vip, string reason);

    [LoggerMessage(EventId = EventIds.BirdReconfigureFailed, EventName = nameof(EventIds.BirdReconfigureFailed), Level = LogLevel.Error, Message = "Route announcement: {Reason}")]
    public static partial void ReconfigureFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = EventIds.BirdReconfigured, EventName = nameof(EventIds.BirdReconfigured), Level = LogLevel.Information, Message = "BIRD took the routes file again")]
    public static partial void BirdReconfigured(ILogger logger);

    [LoggerMessage(EventId = EventIds.DirectorDrained, EventName = nameof(EventIds.DirectorDrained), Level = LogLevel.Warning, Message = "Director drained: routes withdrawn, established connections served for up to {TimeoutSeconds} s")]
    public static partial void Drained(ILogger logger, double timeoutSeconds);

    [LoggerMessage(EventId = EventIds.DrainCompleted, EventName = nameof(EventIds.DrainCompleted), Level = LogLevel.Information, Message = "Drain complete after {Seconds:0.0} s ({Active} active connection(s) left)")]
    public static partial void DrainCompleted(ILogger logger, long active, double seconds);

    [LoggerMessage(EventId = EventIds.DirectorUndrained, EventName = nameof(EventIds.DirectorUndrained), Level = LogLevel.Information, Message = "Director undrained: healthy VIPs are announced again")]
    public static partial void Undrained(ILogger logger);

    [LoggerMessage(EventId = EventIds.BirdStarted, EventName = nameof(EventIds.BirdStarted), Level = LogLevel.Information, Message = "BIRD started (pid {Pid}, {Config})")]
    public static partial void BirdStarted(ILogger logger, int pid, string config);

    [LoggerMessage(EventId = EventIds.BirdExited, EventName = nameof(EventIds.BirdExited), Level = LogLevel.Warning, Message = "BIRD exited (code {ExitCode})")]
    public static partial void BirdExited(ILogger logger, int exitCode);

    [LoggerMessage(EventId = EventIds.BirdFailed, EventName = nameof(EventIds.BirdFailed), Level = LogLevel.Error, Message = "BIRD could not be started: {Reason}")]
    public static partial void BirdFailed(ILogger logger, Exception? exception, string reason);

    [LoggerMessage(EventId = EventIds.BirdOutput, EventName = nameof(EventIds.BirdOutput), Level = LogLevel.Information, Message = "bird: {Line}")]
    public static partial void BirdOutput(ILogger logger, string line);

    [LoggerMessage(EventId = EventIds.BirdWithoutDeathSignal, EventName = nameof(EventIds.BirdWithoutDeathSignal), Level = LogLevel.Warning, Message = "{SetPriv} not found: BIRD runs without a parent-death signal and outlives a killed lvsnetd (install util-linux)")]
    public static partial void BirdWithoutDeathSignal(ILogger logger, string setPriv);

    [LoggerMessage(EventId = EventIds.AnnounceSchedulerInconsistent, EventName = nameof(EventIds.AnnounceSchedulerInconsistent), Level = LogLevel.Warning, Message = "Service {Service} uses scheduler {Scheduler}: behind ECMP each director would choose its own real server for a client; use mh (or sh/dh) so every director picks the same one (docs/scale-out.md)")]
    public static partial void SchedulerInconsistent(ILogger logger, string service, string scheduler);
}
