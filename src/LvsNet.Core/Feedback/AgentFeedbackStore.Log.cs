using LvsNet.Core.Diagnostics;
using Microsoft.Extensions.Logging;

namespace LvsNet.Core.Feedback;

/// <summary>The store's source-generated log messages (event ids in <see cref="EventIds"/>, 75x).</summary>
public sealed partial class AgentFeedbackStore
{
    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.AgentStateChanged, EventName = nameof(EventIds.AgentStateChanged), Level = LogLevel.Information,
            Message = "The {Source} of real server {Server} of {Service} now says {State} (was {Previous}; reply '{Reply}')")]
        public static partial void StateChanged(ILogger logger, string service, string server, string source, string previous, string state, string reply);

        [LoggerMessage(EventId = EventIds.AgentReplyRefused, EventName = nameof(EventIds.AgentReplyRefused), Level = LogLevel.Warning,
            Message = "The {Source} reply of real server {Server} of {Service} was refused ({Error}); its last state stays")]
        public static partial void ReplyRefused(ILogger logger, string service, string server, string source, string error);

        [LoggerMessage(EventId = EventIds.AgentUnreachable, EventName = nameof(EventIds.AgentUnreachable), Level = LogLevel.Information,
            Message = "The {Source} of real server {Server} of {Service} does not answer ({Error}); its last state stays")]
        public static partial void Unreachable(ILogger logger, string service, string server, string source, string error);
    }
}
