using LvsNet.Core;
using LvsNet.Core.DataPath;
using LvsNet.PacketIo;
using Microsoft.Extensions.Logging;

namespace LvsNet.Daemon;

/// <summary>Logs per-server statistics and drop counts as structured events (one event per server).</summary>
public sealed partial class StatisticsLogger
{
    private readonly ILogger _logger;

    /// <summary>Creates the logger.</summary>
    public StatisticsLogger(ILogger<StatisticsLogger> logger) => _logger = logger;

    /// <summary>Logs the counters of every service and server of <paramref name="snapshot"/>, and the data-path counters.</summary>
    public void Write(LvsSnapshot? snapshot, DataPathCounters? counters, CaptureStatistics? capture)
    {
        if (snapshot is not null)
        {
            foreach (var service in snapshot.Services)
            {
                foreach (var server in service.Servers)
                {
                    ServerStatistics(
                        _logger,
                        service.Key.ToString(),
                        server.ToString(),
                        server.Weight,
                        server.ActiveConnections,
                        server.InactiveConnections,
                        server.Connections,
                        server.InPackets,
                        server.InBytes,
                        server.OutPackets,
                        server.OutBytes);
                }
            }
        }

        if (counters is not null)
        {
            var drops = counters.DropsByReason().Where(d => d.Value > 0).ToDictionary(d => d.Key.ToString(), d => d.Value);
            DataPathStatistics(_logger, counters.Received, counters.Forwarded, counters.Ignored, counters.TotalDropped, counters.ConnectionsCreated, counters.ArpRepliesSent, drops);
        }

        if (capture is { } stats)
        {
            CaptureStatistics(_logger, stats.Received, stats.Dropped, stats.InterfaceDropped);
        }
    }

    [LoggerMessage(EventId = 110, EventName = "ServerStatistics", Level = LogLevel.Information,
        Message = "{Service} -> {Server} weight {Weight} active {ActiveConnections} inactive {InactiveConnections} conns {Connections} inpkts {InPackets} inbytes {InBytes} outpkts {OutPackets} outbytes {OutBytes}")]
    private static partial void ServerStatistics(ILogger logger, string service, string server, int weight, int activeConnections, int inactiveConnections, long connections, long inPackets, long inBytes, long outPackets, long outBytes);

    [LoggerMessage(EventId = 302, EventName = "DropSummary", Level = LogLevel.Information,
        Message = "Data path: received {Received} forwarded {Forwarded} ignored {Ignored} dropped {Dropped} connections {ConnectionsCreated} arp replies {ArpReplies}; drops by reason {Drops}")]
    private static partial void DataPathStatistics(ILogger logger, long received, long forwarded, long ignored, long dropped, long connectionsCreated, long arpReplies, Dictionary<string, long> drops);

    [LoggerMessage(EventId = 303, EventName = "CaptureStatistics", Level = LogLevel.Information,
        Message = "Capture: received {Received} dropped by kernel {Dropped} dropped by interface {InterfaceDropped}")]
    private static partial void CaptureStatistics(ILogger logger, long received, long dropped, long interfaceDropped);
}
