using System.Globalization;
using System.Text;
using LvsNet.Control.Listings;
using static LvsNet.Daemon.Status.StatusFormat;

namespace LvsNet.Daemon.Status;

/// <summary>The virtual services and their real servers.</summary>
public static partial class StatusPageRenderer
{
    private static void Service(StringBuilder html, ServiceListing service, StatusView view)
    {
        var tag = $"{service.Protocol}/{Endpoint(service.Address, service.Port)}";
        var history = view.History;
        html.Append(CultureInfo.InvariantCulture, $"<section class=\"svc\" data-service=\"{H(tag)}\"><h3>{H(service.Protocol.ToUpperInvariant())} {H(Endpoint(service.Address, service.Port))} <span class=\"mute\">{H(service.Scheduler)}");
        if (service.PersistenceTimeoutSeconds is { } persistence)
        {
            html.Append(CultureInfo.InvariantCulture, $" · persistent {persistence} s");
        }

        if (!string.IsNullOrEmpty(service.Name))
        {
            html.Append(CultureInfo.InvariantCulture, $" · {H(service.Name)}");
        }

        html.Append("</span>");
        if (service.QuorumUp is { } quorum)
        {
            html.Append(quorum ? " <span class=\"badge s-up\">quorum up</span>" : " <span class=\"badge s-down\">quorum lost</span>");
        }

        if (service.SorryServerActive == true)
        {
            html.Append(" <span class=\"badge s-sorry\">sorry server in use</span>");
        }

        if (view.AdminActions)
        {
            html.Append(CultureInfo.InvariantCulture, $" <form class=\"admin\" method=\"post\" action=\"admin/disable\"><input type=\"hidden\" name=\"service\" value=\"{H(tag)}\"><button title=\"every real server of the service to weight 0 (a reload restores the file's weights)\">disable</button></form>");
        }

        html.Append("</h3>");
        var cps = history.Rates(tag, "cps");
        var pps = history.Rates(tag, "pps");
        var bps = history.Rates(tag, "bps");
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"rates\" data-connections=\"{service.Stats.Connections}\" data-packets=\"{service.Stats.InPackets + service.Stats.OutPackets}\">");
        html.Append(CultureInfo.InvariantCulture, $"connections {Number(service.Stats.Connections)} {Sparkline(cps, "connections per second")} {Number(cps.LastOrDefault())}/s · ");
        html.Append(CultureInfo.InvariantCulture, $"packets {Number(service.Stats.InPackets + service.Stats.OutPackets)} {Sparkline(pps, "packets per second")} {Number(pps.LastOrDefault())}/s · ");
        html.Append(CultureInfo.InvariantCulture, $"bytes {Bytes(service.Stats.InBytes + service.Stats.OutBytes)} {Sparkline(bps, "bytes per second")} {Bytes(bps.LastOrDefault())}/s</p>");

        html.Append("<div class=\"scroll\"><table><tr><th>real server</th><th>state</th><th class=\"n\" title=\"configured / effective (dynamic)\">weight</th><th class=\"n\">active</th><th class=\"n\">inactive</th><th class=\"n\">persist</th><th class=\"n\">connections</th><th>new connections/s</th><th>health checks</th></tr>");
        foreach (var server in service.Servers)
        {
            Server(html, tag, server, view);
        }

        html.Append("</table></div></section>");
    }

    private static void Server(StringBuilder html, string serviceTag, ServerListing server, StatusView view)
    {
        var endpoint = Endpoint(server.Address, server.Port);
        var key = serviceTag + " " + endpoint;
        var state = ServerStates.Of(server);
        var configured = server.ConfiguredWeight ?? server.Weight;
        var cps = view.History.Rates(key, "cps");
        html.Append(CultureInfo.InvariantCulture, $"<tr class=\"rs\" data-server=\"{H(endpoint)}\" data-state=\"{state}\" data-active=\"{server.ActiveConnections}\" data-inactive=\"{server.InactiveConnections}\" data-connections=\"{server.Stats.Connections}\">");
        html.Append(CultureInfo.InvariantCulture, $"<td>{H(endpoint)} <span class=\"mute\">{H(server.Method)}</span></td>");
        html.Append(CultureInfo.InvariantCulture, $"<td><span class=\"badge s-{state}\" title=\"{H(server.Health)}\">{state}</span>");
        if (server.HealthSince is { } since)
        {
            html.Append(CultureInfo.InvariantCulture, $"<br><span class=\"mute\">for {Duration(view.At - since)}</span>");
        }

        if (view.AdminActions && server.Weight > 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<br><form class=\"admin\" method=\"post\" action=\"admin/drain\"><input type=\"hidden\" name=\"service\" value=\"{H(serviceTag)}\"><input type=\"hidden\" name=\"server\" value=\"{H(endpoint)}\"><button title=\"weight 0: no new connections, existing ones continue\">drain</button></form>");
        }

        html.Append("</td>");
        html.Append(CultureInfo.InvariantCulture, $"<td class=\"n\">{configured} / {server.EffectiveWeight}{(server.Weight != configured ? $"<br><span class=\"mute\">in force {server.Weight}</span>" : "")}");
        if (view.AdminActions)
        {
            html.Append(CultureInfo.InvariantCulture, $"<form class=\"admin\" method=\"post\" action=\"admin/weight\"><input type=\"hidden\" name=\"service\" value=\"{H(serviceTag)}\"><input type=\"hidden\" name=\"server\" value=\"{H(endpoint)}\"><input type=\"number\" name=\"weight\" min=\"0\" max=\"65535\" value=\"{configured}\" aria-label=\"new weight\"><button>set</button></form>");
        }

        html.Append("</td>");
        html.Append(CultureInfo.InvariantCulture, $"<td class=\"n\">{server.ActiveConnections}</td><td class=\"n\">{server.InactiveConnections}</td><td class=\"n\">{server.PersistentConnections}</td><td class=\"n\">{Number(server.Stats.Connections)}</td>");
        html.Append(CultureInfo.InvariantCulture, $"<td>{Sparkline(cps, "new connections per second")} {Number(cps.LastOrDefault())}</td>");
        html.Append("<td class=\"wrap\">");
        Checks(html, key, server, view);
        html.Append("</td></tr>");
    }

    private static void Checks(StringBuilder html, string key, ServerListing server, StatusView view)
    {
        var checkers = server.Checkers ?? [];
        if (checkers.Count == 0)
        {
            html.Append("<span class=\"mute\">not checked</span>");
        }

        foreach (var checker in checkers)
        {
            html.Append(CultureInfo.InvariantCulture, $"<div class=\"check\" data-checker=\"{H(checker.Checker)}\" data-up=\"{(checker.Up ? "true" : "false")}\"><span class=\"badge {(checker.Up ? "s-up" : "s-down")}\">{(checker.Up ? "ok" : "fail")}</span> {H(checker.Checker)} <span class=\"mute\">{checker.Checks - checker.Failures}/{checker.Checks} ok");
            if (checker.PendingFailures > 0)
            {
                html.Append(CultureInfo.InvariantCulture, $", {checker.PendingFailures} retry");
            }

            if (checker.LatencyMilliseconds is { } latency)
            {
                html.Append(CultureInfo.InvariantCulture, $", {latency:0.#} ms");
            }

            if (checker.LastCheckAt is { } at)
            {
                html.Append(CultureInfo.InvariantCulture, $", last {Time(at, view.At)}");
            }

            html.Append("</span>");
            if (!checker.Up && checker.LastMessage is { } message)
            {
                html.Append(CultureInfo.InvariantCulture, $"<div class=\"err last-error\">{H(message)}</div>");
            }

            html.Append("</div>");
        }

        if (ServerStates.Of(server) is "down" or "inhibited" && server.HealthReason is { } reason)
        {
            html.Append(CultureInfo.InvariantCulture, $"<div class=\"err reason\">{H(reason)}</div>");
        }

        var latencySeries = view.History.Latency(key);
        if (latencySeries.Any(double.IsFinite))
        {
            html.Append(CultureInfo.InvariantCulture, $"<div class=\"mute\">latency {Sparkline(latencySeries, "check latency in ms")}</div>");
        }

        var events = view.History.HealthEvents(key);
        if (events.Count > 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<details class=\"history\"><summary>{events.Count} change(s)</summary><ul class=\"plain\">");
            foreach (var change in events.Reverse())
            {
                html.Append(CultureInfo.InvariantCulture, $"<li>{Time(change.At, view.At)} <b>{H(change.Change)}</b> {H(change.Checker)}: {H(change.Reason)}</li>");
            }

            html.Append("</ul></details>");
        }
    }

    // "10.0.0.100:80", or an IPv6 address in brackets as ipvsadm prints it ("[2001:db8::100]:80"),
    // the form the history's keys use (StatusHistory.KeyOf).
    private static string Endpoint(string address, ushort port) =>
        address.Contains(':', StringComparison.Ordinal)
            ? string.Create(CultureInfo.InvariantCulture, $"[{address}]:{port}")
            : string.Create(CultureInfo.InvariantCulture, $"{address}:{port}");
}
