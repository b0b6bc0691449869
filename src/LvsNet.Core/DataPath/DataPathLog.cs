using LvsNet.Core.Diagnostics;
using LvsNet.Packets;
using Microsoft.Extensions.Logging;

namespace LvsNet.Core.DataPath;

/// <summary>The data path's log messages (never per packet above Debug).</summary>
internal static partial class DataPathLog
{
    [LoggerMessage(EventId = EventIds.TableFull, EventName = nameof(EventIds.TableFull), Level = LogLevel.Warning,
        Message = "Connection table full ({Capacity} entries): new flows are dropped, existing flows continue")]
    public static partial void TableFull(ILogger logger, int capacity);

    [LoggerMessage(EventId = EventIds.NeighbourResolved, EventName = nameof(EventIds.NeighbourResolved), Level = LogLevel.Information,
        Message = "Neighbour {Address} is at {Mac}")]
    public static partial void NeighbourResolved(ILogger logger, string address, string mac);

    public static void Resolved(ILogger logger, uint address, MacAddress mac)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            NeighbourResolved(logger, Ipv4Address.Format(address), mac.ToString());
        }
    }
}
