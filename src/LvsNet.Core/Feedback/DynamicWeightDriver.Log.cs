using LvsNet.Core.Diagnostics;
using Microsoft.Extensions.Logging;

namespace LvsNet.Core.Feedback;

/// <summary>The driver's source-generated log messages (event ids in <see cref="EventIds"/>, 75x).</summary>
public sealed partial class DynamicWeightDriver
{
    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.DynamicWeightChanged, EventName = nameof(EventIds.DynamicWeightChanged), Level = LogLevel.Information,
            Message = "Effective weight of real server {Server} of {Service}: {Before} -> {After} ({Inputs})")]
        public static partial void WeightChanged(ILogger logger, string service, string server, int before, int after, string inputs);
    }
}
