using System.Globalization;
using System.Text.Json.Nodes;
using LvsNet.Testing;
using Xunit;
using Xunit.Abstractions;

namespace LvsNet.Lab.Tests;

/// <summary>
/// The status page in a real browser: lvsnetd with its HTTP endpoint in the lab's director
/// namespace, Debian's headless chromium beside it (driven over the DevTools pipe), nginx real
/// servers and curl clients. The page must show the services and servers, follow traffic and a
/// real server going down without a reload (server-sent events), render without JavaScript and
/// fit a phone's width. Screenshots go to the test output (screenshots/ beside the test assembly).
/// </summary>
[Trait("Category", "Lab")]
public class StatusPageLabTests(ITestOutputHelper output)
{
    private const int Port = 9400;
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(30);

    private static readonly string Yaml = LabConfigs.HealthCheckedWeb("http:\n  port: 9400\n");

    private static string Url => $"http://127.0.0.1:{Port}/";

    private static string ScreenshotDirectory => Path.Combine(AppContext.BaseDirectory, "screenshots");

    // The page's own markers (data attributes), read through the DOM as a user's browser has it.
    private const string Rows = "JSON.stringify([...document.querySelectorAll('tr.rs')].map(r => [r.dataset.server, r.dataset.state]))";
    private const string ServiceConnections = "Number(document.querySelector('section.svc[data-service=\"tcp/10.77.0.100:80\"] p.rates').dataset.connections)";

    [RequiresRootFact]
    public void Page_InChromium_ShowsServices_FollowsTrafficAndAServerGoingDown_WithoutReload()
    {
        using var lab = Lab.Up();
        using var daemon = DaemonProcess.Start(lab, Yaml, "--socket", "none");
        daemon.WaitForEvent("MetricsListening", Short);
        using var browser = HeadlessChromium.Start(lab, "dir");
        var tab = browser.Open(Url);

        // The server-rendered page: one service, both servers up, in configuration order.
        Assert.Equal("lvsnetd status", browser.Evaluate(tab, "document.title")!.GetValue<string>());
        Assert.Equal("[[\"10.77.0.11:80\",\"up\"],[\"10.77.0.12:80\",\"up\"]]", WaitForRows(browser, tab, "[[\"10.77.0.11:80\",\"up\"],[\"10.77.0.12:80\",\"up\"]]"));
        Assert.Equal("1 / 1", Cell(browser, tab, "10.77.0.11:80", 2));
        Assert.Equal("3 / 3", Cell(browser, tab, "10.77.0.12:80", 2));

        // The high-availability section: a director without keepalived starts as master, no sync daemon.
        var ha = browser.Evaluate(tab, "[...document.querySelectorAll('table.kv tr')].map(r => r.textContent).join('|')")!.GetValue<string>();
        Assert.Contains("roleMASTER for ", ha, StringComparison.Ordinal);
        Assert.Contains("sync daemonnone", ha, StringComparison.Ordinal);

        // Live: the first server-sent event replaces main and marks the page live.
        browser.WaitUntil(tab, "document.getElementById('live').textContent === 'live'", TimeSpan.FromSeconds(10), "document.getElementById('live').textContent");
        var marker = browser.Evaluate(tab, "(window.__marker = 'same page', window.__marker)")!.GetValue<string>();
        var before = browser.Evaluate(tab, ServiceConnections)!.GetValue<double>();
        browser.Screenshot(tab, Path.Combine(ScreenshotDirectory, "status-page.png"));

        // Traffic: 20 connections, rr over both servers; the counters move on the open page.
        var answers = lab.Requests(20);
        Assert.Equal(10, answers.GetValueOrDefault("rs1"));
        Assert.Equal(10, answers.GetValueOrDefault("rs2"));
        browser.WaitUntil(tab, $"{ServiceConnections} >= {before + 20}", TimeSpan.FromSeconds(10), ServiceConnections);
        browser.WaitUntil(tab, "Number(document.querySelector('tr.rs[data-server=\"10.77.0.11:80\"]').dataset.connections) >= 10 && Number(document.querySelector('tr.rs[data-server=\"10.77.0.12:80\"]').dataset.connections) >= 10", TimeSpan.FromSeconds(10), Rows);
        Assert.True(browser.Evaluate(tab, "Number(document.getElementById('forwarded').dataset.value)")!.GetValue<double>() >= 20 * 5);

        // The rate graph of the service has drawn a line once two samples with traffic were taken.
        browser.WaitUntil(tab, "document.querySelectorAll('section.svc svg.spark path').length >= 3", TimeSpan.FromSeconds(10));

        // A real server goes down: its nginx stops, the health check fails, the page says so with the error.
        StopNginx(lab, 2);
        WaitForRows(browser, tab, "[[\"10.77.0.11:80\",\"up\"],[\"10.77.0.12:80\",\"down\"]]", TimeSpan.FromSeconds(15));
        var error = browser.Evaluate(tab, "document.querySelector('tr.rs[data-server=\"10.77.0.12:80\"] .last-error').textContent")!.GetValue<string>();
        output.WriteLine("last error shown: " + error);
        Assert.False(string.IsNullOrWhiteSpace(error));
        Assert.Contains("1 change", browser.Evaluate(tab, "document.querySelector('tr.rs[data-server=\"10.77.0.12:80\"] details.history summary').textContent")!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("same page", browser.Evaluate(tab, "window.__marker")!.GetValue<string>());
        browser.Evaluate(tab, "document.querySelectorAll('details.history').forEach(d => d.open = true)");
        browser.Screenshot(tab, Path.Combine(ScreenshotDirectory, "status-page-server-down.png"));

        // A phone: the page itself is no wider than the screen (wide tables scroll inside their box).
        browser.Resize(tab, 390, 844, mobile: true);
        browser.WaitUntil(tab, "document.documentElement.scrollWidth <= 390", TimeSpan.FromSeconds(5), "document.documentElement.scrollWidth");
        browser.Screenshot(tab, Path.Combine(ScreenshotDirectory, "status-page-phone.png"));

        // Without JavaScript: the same content, rendered by the daemon, and no live marker.
        var noScript = browser.Send("Target.createTarget", new JsonObject { ["url"] = "about:blank" })["targetId"]!.GetValue<string>();
        var session = browser.Send("Target.attachToTarget", new JsonObject { ["targetId"] = noScript, ["flatten"] = true })["sessionId"]!.GetValue<string>();
        browser.Send("Emulation.setScriptExecutionDisabled", new JsonObject { ["value"] = true }, session);
        browser.Send("Page.enable", null, session);
        browser.Send("Page.navigate", new JsonObject { ["url"] = Url }, session);
        browser.WaitUntil(session, "document.readyState === 'complete' && document.querySelectorAll('tr.rs').length === 2", TimeSpan.FromSeconds(10));
        Thread.Sleep(2500);
        Assert.Equal("static view", browser.Evaluate(session, "document.getElementById('live').textContent")!.GetValue<string>());
        Assert.Equal("[[\"10.77.0.11:80\",\"up\"],[\"10.77.0.12:80\",\"down\"]]", browser.Evaluate(session, Rows)!.GetValue<string>());
        output.WriteLine($"screenshots in {ScreenshotDirectory}");
    }

    private static string WaitForRows(HeadlessChromium browser, string tab, string expected, TimeSpan? timeout = null)
    {
        browser.WaitUntil(tab, $"{Rows} === '{expected}'", timeout ?? TimeSpan.FromSeconds(10), Rows);
        return browser.Evaluate(tab, Rows)!.GetValue<string>();
    }

    private static string Cell(HeadlessChromium browser, string tab, string server, int column) =>
        browser.Evaluate(tab, $"document.querySelector('tr.rs[data-server=\"{server}\"]').cells[{column}].textContent.trim()")!.GetValue<string>();

    /// <summary>Stops the lab's nginx of rsK by the pid in the lab's own pid file and waits until it is gone.</summary>
    internal static void StopNginx(Lab lab, int server)
    {
        var pidFile = lab.Env[$"LVT_RS{server}_PIDFILE"];
        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture);
        var commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        Assert.True(commandLine.StartsWith("nginx: master process", StringComparison.Ordinal), $"pid {pid} is not the lab's nginx: {commandLine}");
        Assert.Equal(0, ProcessResult.Run("kill", ["-TERM", pid.ToString(CultureInfo.InvariantCulture)], Short).ExitCode);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (lab.Exec($"rs{server}", Short, "curl", "-s", "--max-time", "1", "http://127.0.0.1/health").ExitCode == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"nginx of rs{server} still answers");
            Thread.Sleep(50);
        }
    }
}
