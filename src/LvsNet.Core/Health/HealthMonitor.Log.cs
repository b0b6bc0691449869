using Microsoft.Extensions.Logging;

namespace LvsNet.Core.Health;

/// <summary>The monitor's source-generated log messages (event ids in <see cref="Diagnostics.EventIds"/>, 7xx).</summary>
public sealed partial class HealthMonitor
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 700, EventName = "HealthMonitorStarted", Level = LogLevel.Information,
            Message = "Health checks running for {Servers} real server(s) with {Checkers} checker(s), at most {Concurrency} at once")]
        public static partial void Started(ILogger logger, int servers, int checkers, int concurrency);

        [LoggerMessage(EventId = 701, EventName = "RealServerUp", Level = LogLevel.Information,
            Message = "Real server {Server} of {Service} is up ({Reason}): {Action}")]
        public static partial void ServerUp(ILogger logger, string service, string server, string reason, string action);

        [LoggerMessage(EventId = 702, EventName = "RealServerDown", Level = LogLevel.Warning,
            Message = "Real server {Server} of {Service} is down ({Reason}): {Action}")]
        public static partial void ServerDown(ILogger logger, string service, string server, string reason, string action);

        [LoggerMessage(EventId = 703, EventName = "HealthCheckFailed", Level = LogLevel.Information,
            Message = "Check {Checker} of real server {Server} of {Service} failed ({Reason}); retry {Attempt} of {Retry}")]
        public static partial void CheckFailedRetrying(ILogger logger, string service, string server, string checker, string reason, int attempt, int retry);

        [LoggerMessage(EventId = 713, EventName = "HaSuspendChanged", Level = LogLevel.Information,
            Message = "Director {Role}: the checkers of {Servers} ha_suspend real server(s) are {State}")]
        public static partial void HaSuspendChanged(ILogger logger, string role, int servers, string state);

        [LoggerMessage(EventId = 712, EventName = "HealthCheckFailedWhileDown", Level = LogLevel.Debug,
            Message = "Check {Checker} of real server {Server} of {Service} failed ({Reason}); the server stays down")]
        public static partial void CheckFailed(ILogger logger, string service, string server, string checker, string reason);

        [LoggerMessage(EventId = 704, EventName = "QuorumGained", Level = LogLevel.Information,
            Message = "{Service} gained its quorum: live weight {LiveWeight} >= {Threshold}; sorry server {SorryServer} out of use")]
        public static partial void QuorumGained(ILogger logger, string service, long liveWeight, long threshold, string sorryServer);

        [LoggerMessage(EventId = 705, EventName = "QuorumLost", Level = LogLevel.Warning,
            Message = "{Service} lost its quorum: live weight {LiveWeight} below {Threshold}; sorry server {SorryServer} in use")]
        public static partial void QuorumLost(ILogger logger, string service, long liveWeight, long threshold, string sorryServer);

        [LoggerMessage(EventId = 706, EventName = "QuorumInitial", Level = LogLevel.Information,
            Message = "{Service} starts with its quorum {State}: live weight {LiveWeight}, threshold {Threshold}, sorry server {SorryServer}")]
        public static partial void QuorumInitial(ILogger logger, string service, string state, long liveWeight, long threshold, string sorryServer);

        [LoggerMessage(EventId = 707, EventName = "RealServerWeightChanged", Level = LogLevel.Information,
            Message = "Real server {Server} of {Service} now has weight {Weight} ({Reason})")]
        public static partial void WeightChanged(ILogger logger, string service, string server, int weight, string reason);

        [LoggerMessage(EventId = 708, EventName = "HealthCommandFailed", Level = LogLevel.Warning,
            Message = "The {Purpose} command '{Command}' failed: {Failure}")]
        public static partial void CommandFailed(ILogger logger, string purpose, string command, string failure);

        [LoggerMessage(EventId = 709, EventName = "HealthCheckerError", Level = LogLevel.Error,
            Message = "Check {Checker} of real server {Server} of {Service} threw; counted as a failure")]
        public static partial void CheckerError(ILogger logger, Exception exception, string service, string server, string checker);
    }
}
