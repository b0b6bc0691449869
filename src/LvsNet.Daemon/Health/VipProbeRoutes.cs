using System.Globalization;
using LvsNet.Core.Diagnostics;
using LvsNet.Core;
using LvsNet.Core.Health;
using LvsNet.Core.Runtime;
using LvsNet.Daemon.Host;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;
using Microsoft.Extensions.Logging;

namespace LvsNet.Daemon.Health;

/// <summary>
/// The policy routing that lets a health check reach a VIP through one real server (<c>via_vip</c>):
/// per real server one routing table holding "VIP via RIP" routes and one rule selecting that table
/// for sockets carrying the server's mark (SO_MARK); for an IPv6 VIP the same in the kernel's IPv6
/// rule list and routes. The kernel then sends the probe to the real
/// server's MAC with the VIP as destination, exactly as the data path forwards a client's packet
/// in DR, and the real server's answer (from the VIP) comes straight back to the director.
/// </summary>
/// <remarks>
/// <para>Marks are <see cref="MarkBase"/> + n and tables <see cref="TableBase"/> + n; every rule has
/// priority <see cref="RulePriority"/>, so the rules left by a daemon that crashed are recognised
/// and deleted at start. Stop removes the rules and flushes the tables. Changes are made with
/// <c>ip</c> (the daemon has CAP_NET_ADMIN); with <c>prepare_host: false</c> nothing is changed
/// and the commands an operator must run are logged instead.</para>
/// </remarks>
public sealed partial class VipProbeRoutes : IProbeRouteProvider, IDisposable
{
    /// <summary>The first socket mark ("LV" in the high half).</summary>
    public const int MarkBase = 0x4C560000;

    /// <summary>The first routing table.</summary>
    public const int TableBase = 0x4C560;

    /// <summary>The priority of every rule this class adds (below main's 32766).</summary>
    public const int RulePriority = 19542;

    private readonly LvsRuntime _runtime;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<uint, int> _indexByServer = [];
    private readonly HashSet<(uint Vip, uint Server)> _routes = [];
    private readonly Dictionary<Ipv6Address, int> _indexByServer6 = [];
    private readonly HashSet<(Ipv6Address Vip, Ipv6Address Server)> _routes6 = [];
    private bool _cleaned;
    private bool _cleaned6;

    /// <summary>Creates the provider (nothing is changed before the first <see cref="Prepare"/>).</summary>
    public VipProbeRoutes(LvsRuntime runtime, ILogger<VipProbeRoutes> logger)
    {
        _runtime = runtime;
        _logger = logger;
    }

    /// <inheritdoc />
    public int? Prepare(uint virtualAddress, uint realServer)
    {
        var director = _runtime.Current?.Config.Director;
        if (director is null)
        {
            return null;
        }

        lock (_gate)
        {
            if (!_indexByServer.TryGetValue(realServer, out var index))
            {
                // One index space for both families: every server has its own mark and table.
                index = _indexByServer.Count + _indexByServer6.Count;
                _indexByServer[realServer] = index;
            }

            var mark = MarkBase + index;
            var table = (TableBase + index).ToString(CultureInfo.InvariantCulture);
            if (_routes.Contains((virtualAddress, realServer)))
            {
                return mark;
            }

            var markText = "0x" + mark.ToString("x", CultureInfo.InvariantCulture);
            var priority = RulePriority.ToString(CultureInfo.InvariantCulture);
            string[] rule = ["rule", "add", "fwmark", markText, "lookup", table, "priority", priority];
            string[] route = ["route", "replace", Ipv4Address.Format(virtualAddress) + "/32", "via", Ipv4Address.Format(realServer), "dev", director.Interface, "table", table];
            var description = $"probes to {Ipv4Address.Format(virtualAddress)} marked {markText} go through {Ipv4Address.Format(realServer)} (table {table})";
            if (!director.PrepareHost)
            {
                Log.Failed(_logger, description, $"prepare_host is false; run: ip {string.Join(' ', rule)}; ip {string.Join(' ', route)}");
                _routes.Add((virtualAddress, realServer));
                return mark;
            }

            if (!_cleaned)
            {
                RemoveRules();
                _cleaned = true;
            }

            if (!Install(firstForServer: !_routes.Any(r => r.Server == realServer), rule, route, description))
            {
                return null;
            }

            _routes.Add((virtualAddress, realServer));
            return mark;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// The IPv6 twin of <see cref="Prepare"/>: <c>ip -6 rule add fwmark M lookup T priority P</c> and
    /// <c>ip -6 route replace VIP/128 via RIP dev IF onlink table T</c> (onlink: the real server is on
    /// the capture interface's link, as IPv6 DR needs, whatever prefixes the director's kernel holds).
    /// The kernel resolves the real server with neighbour discovery and sends the probe to its MAC
    /// with the IPv6 VIP as destination; the real server (VIP on lo) answers from the VIP.
    /// </remarks>
    public int? Prepare6(Ipv6Address virtualAddress, Ipv6Address realServer)
    {
        var director = _runtime.Current?.Config.Director;
        if (director is null)
        {
            return null;
        }

        lock (_gate)
        {
            if (!_indexByServer6.TryGetValue(realServer, out var index))
            {
                index = _indexByServer.Count + _indexByServer6.Count;
                _indexByServer6[realServer] = index;
            }

            var mark = MarkBase + index;
            if (_routes6.Contains((virtualAddress, realServer)))
            {
                return mark;
            }

            var markText = "0x" + mark.ToString("x", CultureInfo.InvariantCulture);
            var table = (TableBase + index).ToString(CultureInfo.InvariantCulture);
            string[] rule = Rule6("add", markText, table);
            string[] route = ["-6", "route", "replace", virtualAddress + "/128", "via", realServer.ToString(), "dev", director.Interface, "onlink", "table", table];
            var description = $"probes to {virtualAddress} marked {markText} go through {realServer} (table {table})";
            if (!director.PrepareHost)
            {
                Log.Failed(_logger, description, $"prepare_host is false; run: ip {string.Join(' ', rule)}; ip {string.Join(' ', route)}");
                _routes6.Add((virtualAddress, realServer));
                return mark;
            }

            if (!_cleaned6)
            {
                RemoveRules("-6");
                _cleaned6 = true;
            }

            if (!Install(firstForServer: !_routes6.Any(r => r.Server == realServer), rule, route, description))
            {
                return null;
            }

            _routes6.Add((virtualAddress, realServer));
            return mark;
        }
    }

    /// <summary>Removes every rule and route this daemon added.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if ((_routes.Count == 0 && _routes6.Count == 0) || _runtime.Current?.Config.Director.PrepareHost == false)
            {
                return;
            }

            if (_routes.Count > 0)
            {
                RemoveRules();
                foreach (var index in _indexByServer.Values)
                {
                    ProcessRunner.Run("ip", "route", "flush", "table", (TableBase + index).ToString(CultureInfo.InvariantCulture));
                }
            }

            // IPv6: exactly the routes and rules added here (the IPv6 rule list and routes are the kernel's other family).
            foreach (var (vip, server) in _routes6)
            {
                var table = (TableBase + _indexByServer6[server]).ToString(CultureInfo.InvariantCulture);
                ProcessRunner.Run("ip", "-6", "route", "del", vip + "/128", "via", server.ToString(), "table", table);
            }

            foreach (var index in _indexByServer6.Where(s => _routes6.Any(r => r.Server == s.Key)).Select(s => s.Value))
            {
                ProcessRunner.Run("ip", Rule6("del", "0x" + (MarkBase + index).ToString("x", CultureInfo.InvariantCulture), (TableBase + index).ToString(CultureInfo.InvariantCulture)));
            }

            _routes.Clear();
            _indexByServer.Clear();
            _routes6.Clear();
            _indexByServer6.Clear();
        }
    }

    // Adds the server's rule (the first time it is used) and the route with ip; false, logged, when ip refuses either.
    private bool Install(bool firstForServer, string[] rule, string[] route, string description)
    {
        if (firstForServer)
        {
            var (ruleCode, ruleOutput) = ProcessRunner.Run("ip", rule);
            if (ruleCode != 0)
            {
                Log.Failed(_logger, description, ruleOutput.Trim());
                return false;
            }
        }

        var (code, output) = ProcessRunner.Run("ip", route);
        if (code != 0)
        {
            Log.Failed(_logger, description, output.Trim());
            return false;
        }

        Log.Installed(_logger, description);
        return true;
    }

    private static string[] Rule6(string verb, string markText, string table) =>
        ["-6", "rule", verb, "fwmark", markText, "lookup", table, "priority", RulePriority.ToString(CultureInfo.InvariantCulture)];

    // Deletes the rules with our priority (ours by convention), including those of a daemon that crashed; bounded.
    // family: "-4" (the default list) or "-6" (the IPv6 rule list).
    private static void RemoveRules(string family = "-4")
    {
        for (var i = 0; i < 10_000; i++)
        {
            var (code, _) = ProcessRunner.Run("ip", family, "rule", "del", "priority", RulePriority.ToString(CultureInfo.InvariantCulture));
            if (code != 0)
            {
                break;
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.ProbeRouteInstalled, EventName = nameof(EventIds.ProbeRouteInstalled), Level = LogLevel.Information, Message = "Health checks via the VIP: {Route}")]
        public static partial void Installed(ILogger logger, string route);

        [LoggerMessage(EventId = EventIds.ProbeRouteFailed, EventName = nameof(EventIds.ProbeRouteFailed), Level = LogLevel.Warning, Message = "Health checks via the VIP: cannot set up that {Route}: {Detail}")]
        public static partial void Failed(ILogger logger, string route, string detail);
    }
}
