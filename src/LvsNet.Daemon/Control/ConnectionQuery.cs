using LvsNet.Control.Protocol;
using LvsNet.Core.DataPath;

namespace LvsNet.Daemon.Control;

/// <summary>
/// A filtered connection query (<c>lvsnetadm -L -c --client/--server/--service</c>): each capture
/// thread walks its own table between batches, keeps only matching rows up to the limit and counts
/// every match by server and state, so "where did this client go" on a table of millions sends a
/// handful of rows instead of the table.
/// </summary>
public static class ConnectionQuery
{
    /// <summary>Runs <paramref name="filter"/> on every worker's table and merges the results.</summary>
    public static async Task<(List<ConnectionRow> Rows, ConnectionCounts Counts)> RunAsync(IReadOnlyList<CaptureWorker> workers, ConnectionFilter filter, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workers);
        ArgumentNullException.ThrowIfNull(filter);
        var parts = await Task.WhenAll(workers.Select(w => w.InvokeAsync(p => Walk(p, filter)).WaitAsync(timeout, cancellationToken))).ConfigureAwait(false);
        return Merge(parts, filter.Limit);
    }

    /// <summary>One table's part of the answer (runs on the table's capture thread).</summary>
    public static Part Walk(PacketProcessor processor, ConnectionFilter filter)
    {
        ArgumentNullException.ThrowIfNull(processor);
        ArgumentNullException.ThrowIfNull(filter);
        var match = filter.ToPredicate();
        var part = new Part();
        processor.VisitConnections(entry =>
        {
            part.Scanned++;
            if (match(entry.Protocol, entry.ClientAddress, entry.ClientPort, entry.VirtualAddress, entry.VirtualPort, entry.DestinationAddress, entry.DestinationPort))
            {
                part.Count(ConnectionRows.Of(entry), filter.Limit);
            }
        });

        // The IPv6 table: a filter naming IPv4 addresses matches none of its entries, and the reverse.
        var match6 = filter.ToPredicate6();
        var now = processor.Now;
        ConnectionRows.VisitIpv6(processor, (entry, server) =>
        {
            part.Scanned++;
            if (match6(entry.Protocol, entry.ClientAddress, entry.ClientPort, entry.VirtualAddress, entry.VirtualPort, server is { IsIpv6: true } ? server.Address6 : null, server?.Port ?? 0))
            {
                part.Count(ConnectionRows.Of(entry, server, now), filter.Limit);
            }
        });
        return part;
    }

    /// <summary>Merges the workers' parts: rows up to <paramref name="limit"/>, counts summed.</summary>
    public static (List<ConnectionRow> Rows, ConnectionCounts Counts) Merge(IReadOnlyList<Part> parts, int limit)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var rows = parts.SelectMany(p => p.Rows).Take(limit).ToList();
        var byServer = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var byState = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var part in parts)
        {
            foreach (var (key, count) in part.ByServer)
            {
                byServer[key] = byServer.GetValueOrDefault(key) + count;
            }

            foreach (var (state, count) in part.ByState)
            {
                byState[state] = byState.GetValueOrDefault(state) + count;
            }
        }

        return (rows, new ConnectionCounts
        {
            Scanned = parts.Sum(p => p.Scanned),
            Matched = parts.Sum(p => p.Matched),
            ByServer = byServer,
            ByState = byState,
        });
    }

    /// <summary>What one table contributed.</summary>
    public sealed class Part
    {
        /// <summary>Entries walked.</summary>
        public long Scanned { get; set; }

        /// <summary>Entries matched.</summary>
        public long Matched { get; set; }

        /// <summary>The matching rows kept (up to the limit).</summary>
        public List<ConnectionRow> Rows { get; } = [];

        /// <summary>Matches by real server: "10.0.0.11:80", "[2001:db8::11]:80".</summary>
        public Dictionary<string, long> ByServer { get; } = new(StringComparer.Ordinal);

        /// <summary>Matches by state name.</summary>
        public Dictionary<string, long> ByState { get; } = new(StringComparer.Ordinal);

        /// <summary>Counts one matching row and keeps it while fewer than <paramref name="limit"/> are kept.</summary>
        public void Count(ConnectionRow row, int limit)
        {
            ArgumentNullException.ThrowIfNull(row);
            Matched++;
            var server = row.DestinationAddress.Contains(':', StringComparison.Ordinal)
                ? $"[{row.DestinationAddress}]:{row.DestinationPort}"
                : $"{row.DestinationAddress}:{row.DestinationPort}";
            ByServer[server] = ByServer.GetValueOrDefault(server) + 1;
            ByState[row.State] = ByState.GetValueOrDefault(row.State) + 1;
            if (Rows.Count < limit)
            {
                Rows.Add(row);
            }
        }
    }
}
