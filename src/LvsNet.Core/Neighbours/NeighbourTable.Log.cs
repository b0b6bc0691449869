using LvsNet.Core.Connections;
using LvsNet.Packets;
using Microsoft.Extensions.Logging;

namespace LvsNet.Core.Neighbours;

public sealed partial class NeighbourTable
{
    // Refusals come from the wire at any rate: one event per reason per interval, with the count since.
    private static readonly uint ReportIntervalTicks = ConnectionClock.ToTicks(TimeSpan.FromSeconds(10));

    private readonly uint[] _lastReport = new uint[RefusalCount];
    private readonly long[] _reported = new long[RefusalCount];

    private void ReportRefusal(ArpRefusal refusal, in ArpObservation arp, uint now)
    {
        var r = (int)refusal;
        if (_lastReport[r] != 0 && (int)(now - _lastReport[r]) < (int)ReportIntervalTicks)
        {
            return;
        }

        var since = _refused[r] - _reported[r];
        _reported[r] = _refused[r];
        _lastReport[r] = now == 0 ? 1u : now;
        if (refusal == ArpRefusal.AddressConflict)
        {
            Log.AddressConflict(_logger, arp.SenderIp, arp.SenderMac, since);
        }
        else
        {
            Log.Refused(_logger, refusal, arp.SenderIp, arp.SenderMac, arp.Operation, since);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 402, EventName = "NeighbourUpdateRefused", Level = LogLevel.Warning,
            Message = "ARP refused ({Reason}): {Address} claimed at {Mac} by an ARP {Operation}; {Count} such packets since the last report")]
        private static partial void NeighbourUpdateRefused(ILogger logger, ArpRefusal reason, string address, string mac, ArpOperation operation, long count);

        [LoggerMessage(EventId = 403, EventName = "AddressConflict", Level = LogLevel.Warning,
            Message = "Address conflict: {Address}, an address of this director, is claimed by {Mac}; {Count} such packets since the last report")]
        private static partial void AddressConflictDetected(ILogger logger, string address, string mac, long count);

        [LoggerMessage(EventId = 404, EventName = "NeighbourMacChanged", Level = LogLevel.Warning,
            Message = "Neighbour {Address} moved from {OldMac} to {NewMac}: the old MAC stopped answering and the new one answered a broadcast request")]
        private static partial void NeighbourMacChanged(ILogger logger, string address, string oldMac, string newMac);

        public static void Refused(ILogger logger, ArpRefusal reason, uint address, MacAddress mac, ArpOperation operation, long count)
        {
            if (logger.IsEnabled(LogLevel.Warning))
            {
                NeighbourUpdateRefused(logger, reason, Ipv4Address.Format(address), mac.ToString(), operation, count);
            }
        }

        public static void AddressConflict(ILogger logger, uint address, MacAddress mac, long count)
        {
            if (logger.IsEnabled(LogLevel.Warning))
            {
                AddressConflictDetected(logger, Ipv4Address.Format(address), mac.ToString(), count);
            }
        }

        public static void MacChanged(ILogger logger, uint address, MacAddress oldMac, MacAddress newMac)
        {
            if (logger.IsEnabled(LogLevel.Warning))
            {
                NeighbourMacChanged(logger, Ipv4Address.Format(address), oldMac.ToString(), newMac.ToString());
            }
        }
    }
}
