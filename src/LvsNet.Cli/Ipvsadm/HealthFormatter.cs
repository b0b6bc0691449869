using System.Globalization;
using System.Text;
using LvsNet.Control.Listings;
using LvsNet.Control.Protocol;

namespace LvsNet.Cli.Ipvsadm;

/// <summary>
/// LvsNet's listings beyond ipvsadm: <c>-L --health</c> (every configured real server, its state,
/// configured and effective weight and each checker with its last result) and the counts that
/// close a filtered <c>-L -c</c>.
/// </summary>
public static class HealthFormatter
{
    /// <summary>
    /// <c>-L --health</c>: one line per service (scheduler, quorum, sorry server), one per real server
    /// (state, configured and effective weight, connections) and one per checker ("ok" with its
    /// latency, or "FAIL" with the last error).
    /// </summary>
    public static string List(IpvsListing listing, ListFormat format, INameResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(listing);
        ArgumentNullException.ThrowIfNull(resolver);
        var text = new StringBuilder();
        text.Append("Prot LocalAddress:Port Scheduler Health\n");
        text.Append("  -> RemoteAddress:Port           State      Weight Effective ActiveConn InActConn\n");
        text.Append("     Checker                      Result\n");
        foreach (var service in listing.Services)
        {
            text.Append(service.Protocol.ToUpperInvariant().PadRight(4)).Append(' ')
                .Append(Endpoint(service.Address, service.Port, service.Protocol, format, resolver)).Append(' ')
                .Append(service.Scheduler);
            if (service.QuorumUp is { } quorum)
            {
                text.Append(quorum ? " quorum up" : " quorum LOST");
            }

            if (service.SorryServerActive == true)
            {
                text.Append(" sorry-server in use");
            }

            text.Append('\n');
            foreach (var server in Servers(service, format))
            {
                text.Append("  -> ").Append(Endpoint(server.Address, server.Port, service.Protocol, format, resolver).PadRight(28)).Append(' ')
                    .Append(ServerStates.Of(server).PadRight(10)).Append(' ')
                    .Append(Number(server.ConfiguredWeight ?? server.Weight).PadRight(6)).Append(' ')
                    .Append(Number(server.EffectiveWeight).PadRight(9)).Append(' ')
                    .Append(Number(server.ActiveConnections).PadRight(10)).Append(' ')
                    .Append(Number(server.InactiveConnections)).Append('\n');
                foreach (var checker in server.Checkers ?? [])
                {
                    text.Append("     ").Append(checker.Checker.PadRight(28)).Append(' ').Append(Result(checker)).Append('\n');
                }

                if (server.Checkers is null or { Count: 0 } && server.Health is "not checked")
                {
                    text.Append("     ").Append("(not checked)").Append('\n');
                }
            }
        }

        return text.ToString();
    }

    /// <summary>"ok 1.2 ms (12/12)", "FAIL (3/12 failed, 1 retry): connection refused".</summary>
    public static string Result(CheckerListing checker)
    {
        ArgumentNullException.ThrowIfNull(checker);
        if (checker.Checks == 0)
        {
            return "pending (no check yet)";
        }

        if (checker.Up)
        {
            var latency = checker.LatencyMilliseconds is { } ms ? string.Create(CultureInfo.InvariantCulture, $" {ms:0.#} ms") : "";
            var retry = checker.PendingFailures > 0 ? string.Create(CultureInfo.InvariantCulture, $", failing {checker.PendingFailures}x: {checker.LastMessage}") : "";
            return string.Create(CultureInfo.InvariantCulture, $"ok{latency} ({checker.Checks - checker.Failures}/{checker.Checks}){retry}");
        }

        return string.Create(CultureInfo.InvariantCulture, $"FAIL ({checker.Failures}/{checker.Checks} failed): {checker.LastMessage}");
    }

    /// <summary>The line that closes a filtered <c>-L -c</c>: how many entries matched, of how many, by server and by state.</summary>
    public static string Counts(ConnectionCounts counts, int listed)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{counts.Matched} of {counts.Scanned} entries matched");
        if (listed < counts.Matched)
        {
            text.Append(CultureInfo.InvariantCulture, $", {listed} listed (--limit)");
        }

        text.Append('\n');
        if (counts.ByServer.Count > 0)
        {
            text.Append("by server: ").AppendJoin(", ", counts.ByServer.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value}"))).Append('\n');
            text.Append("by state: ").AppendJoin(", ", counts.ByState.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value}"))).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>A service's real servers in listing order: by address and port, or as configured with <see cref="ListFormat.NoSort"/>.</summary>
    internal static IReadOnlyList<ServerListing> Servers(ServiceListing service, ListFormat format) =>
        (format & ListFormat.NoSort) != 0 ? service.Servers : [.. service.Servers.OrderBy(s => s.Address, StringComparer.Ordinal).ThenBy(s => s.Port)];

    /// <summary>A count or weight as the listings print it.</summary>
    internal static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>address:port, numeric or resolved as the format asks.</summary>
    internal static string Endpoint(string address, ushort port, string protocol, ListFormat format, INameResolver resolver) =>
        (format & ListFormat.Numeric) != 0 || !LvsNet.Packets.Ipv4Address.TryParse(address, out var value)
            ? string.Create(CultureInfo.InvariantCulture, $"{address}:{port}")
            : resolver.HostName(value) + ":" + resolver.PortName(port, protocol);
}
