using LvsNet.Core.Connections;
using LvsNet.Core.Diagnostics;
using LvsNet.Packets;
using Microsoft.Extensions.Logging;

namespace LvsNet.Core.Neighbours;

public sealed partial class NeighbourTable
{
    // Refusals come from the wire at any rate: one event per reason per interval, with the count since.
    private static readonly uint ReportIntervalTicks = ConnectionClock.ToTicks(TimeSpan.FromSeconds(10));

    private readonly uint[] _lastReport = new uint[RefusalCount];
    private readonly long[] _reported = new long[RefusalCount];
    private uint _lastFailureReport;
    private long _failuresReported;
    private bool _failureReportedOnce;

    // Failed resolutions come as fast as spoofed sources on the segment do (a reply to each is
    // resolved): the first is logged at once, then one event per interval with the count since.
    private void ReportFailure(uint address, uint now)
    {
        if (_failureReportedOnce && (int)(now - _lastFailureReport) < (int)ReportIntervalTicks)
        {
            return;
        }

        var since = Failures - _failuresReported;
        _failuresReported = Failures;
        _failureReportedOnce = true;
        _lastFailureReport = now;
        Log.Unresolved(_logger, address, since);
    }

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
        [LoggerMessage(EventId = EventIds.NeighbourUpdateRefused, EventName = nameof(EventIds.NeighbourUpdateRefused), Level = LogLevel.Warning,
            Message = "ARP refused ({Reason}): {Address} claimed at {Mac} by an ARP {Operation}; {Count} such packets since the last report")]
        private static partial void NeighbourUpdateRefused(ILogger logger, ArpRefusal reason, string address, string mac, ArpOperation operation, long count);

        [LoggerMessage(EventId = EventIds.AddressConflict, EventName = nameof(EventIds.AddressConflict), Level = LogLevel.Warning,
            Message = "Address conflict: {Address}, an address of this director, is claimed by {Mac}; {Count} such packets since the last report")]
        private static partial void AddressConflictDetected(ILogger logger, string address, string mac, long count);

        [LoggerMessage(EventId = EventIds.NeighbourMacChanged, EventName = nameof(EventIds.NeighbourMacChanged), Level = LogLevel.Warning,
            Message = "Neighbour {Address} moved from {OldMac} to {NewMac}: the old MAC stopped answering and the new one answered a broadcast request")]
        private static partial void NeighbourMacChanged(ILogger logger, string address, string oldMac, string newMac);

        [LoggerMessage(EventId = EventIds.NeighbourUnresolved, EventName = nameof(EventIds.NeighbourUnresolved), Level = LogLevel.Warning,
            Message = "Neighbour {Address} does not answer ARP; packets to it are dropped ({Count} resolutions failed since the last report)")]
        private static partial void NeighbourUnresolved(ILogger logger, string address, long count);

        public static void Unresolved(ILogger logger, uint address, long count)
        {
            if (logger.IsEnabled(LogLevel.Warning))
            {
                NeighbourUnresolved(logger, Ipv4Address.Format(address), count);
            }
        }

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
