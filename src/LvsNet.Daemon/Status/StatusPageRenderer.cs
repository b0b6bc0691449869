using System.Globalization;
using System.Text;
using static LvsNet.Daemon.Status.StatusFormat;

namespace LvsNet.Daemon.Status;

/// <summary>
/// Renders the status page as one self-contained HTML document: styles and the few lines of script
/// are inline, graphs are inline SVG, nothing is fetched from elsewhere. The page is complete
/// without JavaScript (a <c>noscript</c> refresh reloads it every 10 s); with JavaScript it follows
/// <c>/status/events</c> (server-sent events) and swaps in each new rendering of <c>main</c>, except
/// while the operator types into one of its admin forms.
/// </summary>
public static partial class StatusPageRenderer
{
    /// <summary>The page's refresh interval without JavaScript, in seconds.</summary>
    public const int NoScriptRefreshSeconds = 10;

    private const string Style = """
        :root{--bg:#fff;--fg:#1b1f24;--mute:#5b6470;--line:#d8dde3;--up:#1a7f37;--down:#cf222e;--warn:#9a6700;--info:#0969da;--card:#f6f8fa}
        @media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--mute:#8d96a0;--line:#30363d;--up:#3fb950;--down:#f85149;--warn:#d29922;--info:#58a6ff;--card:#161b22}}
        *{box-sizing:border-box}body{margin:0;font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;background:var(--bg);color:var(--fg)}
        header{padding:.6rem 1rem;border-bottom:1px solid var(--line);display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;align-items:baseline}
        header h1{font-size:1.1rem;margin:0}main{padding:.5rem 1rem 2rem}h2{font-size:1rem;margin:1.2rem 0 .4rem}h3{font-size:.95rem;margin:.2rem 0}
        .mute{color:var(--mute)}.cards{display:flex;flex-wrap:wrap;gap:.6rem}.card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.5rem .7rem;min-width:10rem}
        .card b{display:block;font-size:1.15rem}.svc{border:1px solid var(--line);border-radius:6px;padding:.5rem .7rem;margin:.6rem 0}
        .scroll{overflow-x:auto}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid var(--line);vertical-align:top;white-space:nowrap}
        td.wrap{white-space:normal;min-width:12rem}th{font-weight:600;color:var(--mute);font-size:.85rem}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
        .badge{display:inline-block;padding:0 .45rem;border-radius:1rem;font-size:.8rem;font-weight:600;color:#fff;background:var(--mute)}
        .s-up{background:var(--up)}.s-down{background:var(--down)}.s-inhibited,.s-overloaded,.s-displaced,.s-quiescent{background:var(--warn)}.s-sorry{background:var(--info)}
        .spark{vertical-align:middle}.spark path{fill:none;stroke:var(--info);stroke-width:1.5}.bar{height:.5rem;background:var(--line);border-radius:.25rem;overflow:hidden;margin-top:.3rem}.bar i{display:block;height:100%;background:var(--info)}
        details summary{cursor:pointer;color:var(--mute)}.err{color:var(--down)}ul.plain{margin:.2rem 0;padding-left:1.1rem}
        form.admin{display:inline}form.admin input[type=number]{width:5rem}
        """;

    private const string Script = """
        (function(){if(!window.EventSource){return;}var m=document.getElementById('main'),s=document.getElementById('live');
        var es=new EventSource('status/events');es.addEventListener('main',function(e){var f=document.activeElement;s.textContent='live';if(f&&f.tagName==='INPUT'&&m.contains(f)){return;}m.innerHTML=e.data;});
        es.onerror=function(){s.textContent='reconnecting';};})();
        """;

    /// <summary>The whole document.</summary>
    public static string Page(StatusView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var daemon = view.Daemon;
        var html = new StringBuilder(16 * 1024);
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">");
        html.Append(CultureInfo.InvariantCulture, $"<title>lvsnetd status</title><noscript><meta http-equiv=\"refresh\" content=\"{NoScriptRefreshSeconds}\"></noscript><style>{Style}</style></head><body>");
        html.Append(CultureInfo.InvariantCulture, $"<header><h1>lvsnetd</h1><span class=\"mute\">v{H(daemon.Version)} · pid {daemon.Pid} · {H(daemon.ConfigPath)}</span>");
        html.Append("<span class=\"mute\" id=\"live\">static view</span></header>");
        html.Append("<main id=\"main\">").Append(MainContent(view)).Append("</main>");
        html.Append("<script>").Append(Script).Append("</script></body></html>");
        return html.ToString();
    }

    /// <summary>The content of <c>main</c> (what each server-sent event carries).</summary>
    public static string MainContent(StatusView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var html = new StringBuilder(12 * 1024);
        Summary(html, view);
        html.Append("<h2 id=\"services\">Virtual services</h2>");
        if (view.Listing.Services.Count == 0)
        {
            html.Append("<p class=\"mute\">No virtual service is configured.</p>");
        }

        foreach (var service in view.Listing.Services)
        {
            Service(html, service, view);
        }

        foreach (var (title, rows) in view.Sections)
        {
            html.Append(CultureInfo.InvariantCulture, $"<h2>{H(title)}</h2><div class=\"scroll\"><table class=\"kv\">");
            foreach (var (name, value) in rows)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><th>{H(name)}</th><td class=\"wrap\">{H(value)}</td></tr>");
            }

            html.Append("</table></div>");
        }

        Drops(html, view);
        Workers(html, view);
        Reloads(html, view);
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"mute\" id=\"updated\" data-at=\"{view.At.ToUnixTimeSeconds()}\">Updated {Time(view.At, view.At)} · graphs: last {StatusHistory.Points * StatusHistory.Interval.TotalSeconds / 60:0} minutes, one point per {StatusHistory.Interval.TotalSeconds:0} s · <a href=\"status.json\">JSON</a> · <a href=\"metrics\">metrics</a></p>");
        return html.ToString();
    }

    private static void Summary(StringBuilder html, StatusView view)
    {
        var daemon = view.Daemon;
        var path = daemon.DataPath;
        html.Append("<div class=\"cards\" id=\"summary\">");
        html.Append(CultureInfo.InvariantCulture, $"<div class=\"card\">uptime<b>{Duration(TimeSpan.FromSeconds(daemon.UptimeSeconds))}</b><span class=\"mute\">snapshot {daemon.SnapshotVersion}{(daemon.UnsavedRuntimeEdits ? " · unsaved edits" : "")}</span></div>");
        html.Append(CultureInfo.InvariantCulture, $"<div class=\"card\">services / servers<b>{daemon.Services} / {daemon.RealServers}</b><span class=\"mute\">in the scheduler pools</span></div>");
        if (path is not null)
        {
            var forwarded = view.History.Forwarded();
            var dropped = view.History.Dropped();
            html.Append(CultureInfo.InvariantCulture, $"<div class=\"card\" id=\"forwarded\" data-value=\"{path.Forwarded}\">forwarded frames<b>{Number(path.Forwarded)}</b>{Sparkline(forwarded, "forwarded frames per second")} <span class=\"mute\">{Number(forwarded.LastOrDefault())}/s</span></div>");
            html.Append(CultureInfo.InvariantCulture, $"<div class=\"card\" id=\"dropped\" data-value=\"{path.Dropped}\">dropped frames<b>{Number(path.Dropped)}</b>{Sparkline(dropped, "dropped frames per second")} <span class=\"mute\">{Number(dropped.LastOrDefault())}/s</span></div>");
            var percent = path.TableCapacity > 0 ? 100.0 * path.TableEntries / path.TableCapacity : 0;
            html.Append(CultureInfo.InvariantCulture, $"<div class=\"card\" id=\"table\" data-entries=\"{path.TableEntries}\" data-capacity=\"{path.TableCapacity}\">connection table<b>{Number(path.TableEntries)} / {Number(path.TableCapacity)}</b><div class=\"bar\"><i style=\"width:{Math.Min(100, percent):0.##}%\"></i></div><span class=\"mute\">{percent:0.##}% full</span></div>");
        }
        else
        {
            html.Append("<div class=\"card\">data path<b>not running</b></div>");
        }

        html.Append("</div>");
    }

    private static void Drops(StringBuilder html, StatusView view)
    {
        html.Append("<h2 id=\"drops\">Drops by reason</h2>");
        var drops = view.Daemon.DataPath?.DropsByReason;
        var nonZero = drops?.Where(d => d.Value > 0).OrderByDescending(d => d.Value).ToList() ?? [];
        if (nonZero.Count == 0)
        {
            html.Append("<p class=\"mute\">No frame dropped.</p>");
            return;
        }

        html.Append("<div class=\"scroll\"><table><tr><th>reason</th><th class=\"n\">frames</th></tr>");
        foreach (var (reason, count) in nonZero)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr data-reason=\"{H(reason)}\"><td>{H(reason)}</td><td class=\"n\">{count}</td></tr>");
        }

        html.Append("</table></div>");
    }

    private static void Workers(StringBuilder html, StatusView view)
    {
        html.Append("<h2 id=\"workers\">Capture workers</h2>");
        var workers = view.Daemon.DataPath?.PerWorker ?? [];
        if (workers.Count == 0)
        {
            html.Append("<p class=\"mute\">The capture is not running.</p>");
            return;
        }

        html.Append("<div class=\"scroll\"><table><tr><th>worker</th><th>backend</th><th class=\"n\">received</th><th class=\"n\">forwarded</th><th class=\"n\">dropped</th><th class=\"n\">table</th><th class=\"n\">kernel received</th><th class=\"n\">kernel dropped</th><th class=\"n\">interface dropped</th><th class=\"n\">errors</th></tr>");
        foreach (var worker in workers)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr data-worker=\"{worker.Index}\"><td>{worker.Index}</td><td>{H(worker.Backend)}</td><td class=\"n\">{worker.Received}</td><td class=\"n\">{worker.Forwarded}</td><td class=\"n\">{worker.Dropped}</td><td class=\"n\">{worker.TableEntries} / {worker.TableCapacity}</td>");
            html.Append(CultureInfo.InvariantCulture, $"<td class=\"n\">{worker.Capture?.Received}</td><td class=\"n\">{worker.Capture?.Dropped}</td><td class=\"n\">{worker.Capture?.InterfaceDropped}</td><td class=\"n\">{worker.Errors}</td></tr>");
        }

        html.Append("</table></div>");
    }

    private static void Reloads(StringBuilder html, StatusView view)
    {
        html.Append("<h2 id=\"reloads\">Reloads</h2>");
        var reloads = view.History.Reloads();
        if (reloads.Count == 0)
        {
            html.Append("<p class=\"mute\">No reload since start.</p>");
            return;
        }

        html.Append("<ul class=\"plain\">");
        foreach (var reload in reloads.Reverse())
        {
            html.Append(CultureInfo.InvariantCulture, $"<li data-applied=\"{(reload.Applied ? "true" : "false")}\">{Time(reload.At, view.At)} ");
            html.Append(reload.Applied ? "<span class=\"badge s-up\">applied</span>" : "<span class=\"badge s-down\">rejected</span>");
            if (reload.RestartRequired.Count > 0)
            {
                html.Append(CultureInfo.InvariantCulture, $" <span class=\"mute\">needs a restart: {H(string.Join(", ", reload.RestartRequired))}</span>");
            }

            if (reload.Errors.Count > 0)
            {
                html.Append("<ul>");
                foreach (var error in reload.Errors)
                {
                    html.Append(CultureInfo.InvariantCulture, $"<li class=\"err\">{H(error)}</li>");
                }

                html.Append("</ul>");
            }

            html.Append("</li>");
        }

        html.Append("</ul>");
    }
}
