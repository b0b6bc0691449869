using LvsNet.Packets;
using Microsoft.Extensions.Logging;

namespace LvsNet.Core.DataPath;

/// <summary>The data path's log messages (never per packet above Debug).</summary>
internal static partial class DataPathLog
{
    [LoggerMessage(EventId = 300, EventName = "TableFull", Level = LogLevel.Warning,
        Message = "Connection table full ({Capacity} entries): new flows are dropped, existing flows continue")]
    public static partial void TableFull(ILogger logger, int capacity);

    [LoggerMessage(EventId = 400, EventName = "NeighbourResolved", Level = LogLevel.Information,
        Message = "Neighbour {Address} is at {Mac}")]
    public static partial void NeighbourResolved(ILogger logger, string address, string mac);

    [LoggerMessage(EventId = 401, EventName = "NeighbourUnresolved", Level = LogLevel.Warning,
        Message = "Neighbour {Address} does not answer ARP; packets to it are dropped")]
    public static partial void NeighbourUnresolved(ILogger logger, string address);

    public static void Resolved(ILogger logger, uint address, MacAddress mac)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            NeighbourResolved(logger, Ipv4Address.Format(address), mac.ToString());
        }
    }

    public static void Unresolved(ILogger logger, uint address)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            NeighbourUnresolved(logger, Ipv4Address.Format(address));
        }
    }
}
