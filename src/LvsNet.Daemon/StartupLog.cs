using LvsNet.Core.Diagnostics;
using Microsoft.Extensions.Logging;

namespace LvsNet.Daemon;

/// <summary>Log events of the daemon's start, before the host runs.</summary>
internal static partial class StartupLog
{
    [LoggerMessage(EventId = EventIds.ConfigRejected, EventName = nameof(EventIds.ConfigRejected), Level = LogLevel.Error, Message = "Configuration {Path} rejected with {ErrorCount} error(s)")]
    public static partial void ConfigRejected(ILogger logger, string path, int errorCount);

    [LoggerMessage(EventId = EventIds.ConfigError, EventName = nameof(EventIds.ConfigError), Level = LogLevel.Error, Message = "{YamlPath} (line {Line}): {Error}")]
    public static partial void ConfigError(ILogger logger, string yamlPath, int? line, string error);

    [LoggerMessage(EventId = EventIds.StartFailed, EventName = nameof(EventIds.StartFailed), Level = LogLevel.Critical, Message = "LvsNet could not start: {Reason}")]
    public static partial void StartFailed(ILogger logger, Exception exception, string reason);
}
