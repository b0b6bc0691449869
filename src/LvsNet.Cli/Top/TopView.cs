using System.Globalization;
using System.Text;
using LvsNet.Control.Listings;
using LvsNet.Control.Protocol;

namespace LvsNet.Cli.Top;

/// <summary>
/// One frame of <c>lvsnetadm top</c> as text: a header with the daemon's state, then per virtual
/// service its rates and its real servers with state, weights, connections, rates and health,
/// sorted by the chosen key; cut to the terminal's size. Pure, so it is tested without a terminal.
/// </summary>
public static class TopView
{
    /// <summary>The column header of the server lines.</summary>
    public const string ColumnHeader = "  -> RemoteAddress:Port     State      Weight   ActConn InActConn  Conn/s  Pkt/s  Bytes/s  Check";

    /// <summary>Renders a frame.</summary>
    /// <param name="listing">The health listing (<c>-L --health</c>).</param>
    /// <param name="status">The daemon status, or null when it could not be read.</param>
    /// <param name="sort">The sort key.</param>
    /// <param name="at">The time shown.</param>
    /// <param name="width">The terminal's columns (lines are cut to it).</param>
    /// <param name="height">The terminal's rows (the frame is cut to it), or 0 for no limit.</param>
    public static string Render(IpvsListing listing, DaemonStatus? status, TopSortKey sort, DateTimeOffset at, int width = 120, int height = 0)
    {
        ArgumentNullException.ThrowIfNull(listing);
        var lines = new List<string>
        {
            Header(status, at),
            Traffic(status),
            $"sort: {TopOptions.NameOf(sort)}   keys: " + string.Join(' ', TopOptions.Keys.Select(k => $"{k.Key}={k.Name}")) + " q=quit",
            "",
            "Prot LocalAddress:Port  Scheduler  Conn/s  Pkt/s  Bytes/s  Health",
            ColumnHeader,
        };
        foreach (var service in SortServices(listing.Services, sort))
        {
            var health = service.QuorumUp switch { true => "quorum up", false => "QUORUM LOST", null => "" };
            if (service.SorryServerActive == true)
            {
                health += " sorry-server in use";
            }

            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{service.Protocol.ToUpperInvariant(),-4} {service.Address + ":" + service.Port,-21} {service.Scheduler,-9} {Rate(service.Rates.Cps),7} {Rate(service.Rates.InPps + service.Rates.OutPps),6} {Rate(service.Rates.InBps + service.Rates.OutBps),8}  {health}"));
            foreach (var server in SortServers(service.Servers, sort))
            {
                var weight = $"{server.ConfiguredWeight ?? server.Weight}/{server.EffectiveWeight}";
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"  -> {server.Address + ":" + server.Port,-21} {ServerStates.Of(server),-10} {weight,-8} {server.ActiveConnections,7} {server.InactiveConnections,9} {Rate(server.Rates.Cps),7} {Rate(server.Rates.InPps + server.Rates.OutPps),6} {Rate(server.Rates.InBps + server.Rates.OutBps),8}  {Check(server)}"));
            }
        }

        var text = new StringBuilder();
        var count = height > 0 ? Math.Min(lines.Count, height) : lines.Count;
        for (var i = 0; i < count; i++)
        {
            var line = lines[i];
            text.Append(width > 0 && line.Length > width ? line[..width] : line).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The servers in the order of <paramref name="sort"/> (ties by address).</summary>
    public static IEnumerable<ServerListing> SortServers(IEnumerable<ServerListing> servers, TopSortKey sort)
    {
        var byAddress = servers.OrderBy(s => AddressKey(s.Address)).ThenBy(s => s.Port);
        return sort switch
        {
            TopSortKey.ConnectionRate => byAddress.OrderByDescending(s => s.Rates.Cps),
            TopSortKey.Active => byAddress.OrderByDescending(s => s.ActiveConnections),
            TopSortKey.Inactive => byAddress.OrderByDescending(s => s.InactiveConnections),
            TopSortKey.PacketRate => byAddress.OrderByDescending(s => s.Rates.InPps + s.Rates.OutPps),
            TopSortKey.ByteRate => byAddress.OrderByDescending(s => s.Rates.InBps + s.Rates.OutBps),
            TopSortKey.State => byAddress.OrderBy(s => StateRank(ServerStates.Of(s))),
            TopSortKey.Weight => byAddress.OrderByDescending(s => s.ConfiguredWeight ?? s.Weight),
            _ => byAddress,
        };
    }

    private static IEnumerable<ServiceListing> SortServices(IEnumerable<ServiceListing> services, TopSortKey sort)
    {
        var byAddress = services.OrderBy(s => AddressKey(s.Address)).ThenBy(s => s.Port).ThenBy(s => s.Protocol, StringComparer.Ordinal);
        return sort switch
        {
            TopSortKey.ConnectionRate => byAddress.OrderByDescending(s => s.Rates.Cps),
            TopSortKey.Active => byAddress.OrderByDescending(s => s.Servers.Sum(r => (long)r.ActiveConnections)),
            TopSortKey.Inactive => byAddress.OrderByDescending(s => s.Servers.Sum(r => (long)r.InactiveConnections)),
            TopSortKey.PacketRate => byAddress.OrderByDescending(s => s.Rates.InPps + s.Rates.OutPps),
            TopSortKey.ByteRate => byAddress.OrderByDescending(s => s.Rates.InBps + s.Rates.OutBps),
            TopSortKey.State => byAddress.OrderBy(s => s.Servers.Count == 0 ? 9 : s.Servers.Min(r => StateRank(ServerStates.Of(r)))),
            _ => byAddress,
        };
    }

    private static int StateRank(string state) => state switch
    {
        "down" => 0,
        "inhibited" => 1,
        "overloaded" => 2,
        "displaced" => 3,
        "quiescent" => 4,
        "sorry" => 5,
        "standby" => 6,
        _ => 7,
    };

    private static uint AddressKey(string address) => LvsNet.Packets.Ipv4Address.TryParse(address, out var value) ? value : uint.MaxValue;

    private static string Header(DaemonStatus? status, DateTimeOffset at)
    {
        var time = at.UtcDateTime.ToString("HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        if (status is null)
        {
            return $"lvsnetadm top - {time} - daemon status unavailable";
        }

        var uptime = TimeSpan.FromSeconds(status.UptimeSeconds);
        var up = uptime.TotalDays >= 1 ? $"{(int)uptime.TotalDays}d {uptime.Hours:00}:{uptime.Minutes:00}" : $"{(int)uptime.TotalHours:00}:{uptime.Minutes:00}:{uptime.Seconds:00}";
        return string.Create(CultureInfo.InvariantCulture, $"lvsnetadm top - {time} - lvsnetd v{status.Version} up {up}, {status.Services} service(s), {status.RealServers} server(s) in pools, snapshot {status.SnapshotVersion}");
    }

    private static string Traffic(DaemonStatus? status)
    {
        if (status?.DataPath is not { } path)
        {
            return "data path: not running";
        }

        var percent = path.TableCapacity > 0 ? 100.0 * path.TableEntries / path.TableCapacity : 0;
        return string.Create(CultureInfo.InvariantCulture, $"frames: {path.Received} received, {path.Forwarded} forwarded, {path.Dropped} dropped; table {path.TableEntries}/{path.TableCapacity} ({percent:0.##}%); {path.Workers} worker(s)");
    }

    private static string Check(ServerListing server)
    {
        var checkers = server.Checkers ?? [];
        if (checkers.Count == 0)
        {
            return server.Health == "not checked" ? "-" : server.Health ?? "-";
        }

        var failing = checkers.FirstOrDefault(c => !c.Up || c.PendingFailures > 0);
        var shown = failing ?? checkers[0];
        return shown.Checker + " " + LvsNet.Cli.Ipvsadm.HealthFormatter.Result(shown);
    }

    private static string Rate(long value) => value switch
    {
        >= 10_000_000_000 => string.Create(CultureInfo.InvariantCulture, $"{value / 1_000_000_000}G"),
        >= 10_000_000 => string.Create(CultureInfo.InvariantCulture, $"{value / 1_000_000}M"),
        >= 100_000 => string.Create(CultureInfo.InvariantCulture, $"{value / 1_000}K"),
        _ => value.ToString(CultureInfo.InvariantCulture),
    };
}
