using System.Net;
using System.Net.Http.Headers;
using LvsNet.Core.Configuration;
using LvsNet.Daemon.Metrics;
using LvsNet.Daemon.Status;
using LvsNet.Daemon.Tests.Control;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace LvsNet.Daemon.Tests.Status;

/// <summary>The status page's admin actions over HTTP, against the control test host (no capture).</summary>
public class StatusAdminTests
{
    // sha256("secret"), as sha256sum prints it.
    private const string SecretHash = "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b";

    private static async Task<(ControlTestHost Host, MetricsEndpointService Endpoint, HttpClient Client)> StartAsync(bool adminActions)
    {
        var host = await ControlTestHost.StartAsync();
        var settings = new HttpEndpointSettings(HttpEndpointConfig.Loopback, 0, new HttpEndpointConfig { Port = 0, Username = "ops", PasswordSha256 = SecretHash, AdminActions = adminActions });
        var page = new StatusPageHandler(new StatusViewBuilder(host.Handler, new StatusHistory(), [], TimeProvider.System), settings, new StatusAdminActions(host.Handler));
        var endpoint = new MetricsEndpointService(new PrometheusExporter(LvsMetrics.MeterName), settings, page, NullLogger<MetricsEndpointService>.Instance);
        await endpoint.StartAsync(CancellationToken.None);
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri($"http://127.0.0.1:{endpoint.BoundPort}/"), Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Authorization = AuthenticationHeaderValue.Parse(StatusPageHandler.BasicHeader("ops", "secret"));
        return (host, endpoint, client);
    }

    private static async Task StopAsync((ControlTestHost Host, MetricsEndpointService Endpoint, HttpClient Client) running)
    {
        running.Client.Dispose();
        await running.Endpoint.StopAsync(CancellationToken.None);
        await running.Endpoint.DisposeAsync();
        await running.Host.DisposeAsync();
    }

    private static Task<HttpResponseMessage> Post(HttpClient client, string path, Dictionary<string, string> form, string? origin = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        return client.SendAsync(request);
    }

    private static int WeightOf(ControlTestHost host, string address) =>
        host.Handler.List(null).Listing!.Services[0].Servers.Single(s => s.Address == address).Weight;

    [Fact]
    public async Task SetWeight_Drain_Disable_ChangeTheRunningConfiguration()
    {
        var running = await StartAsync(adminActions: true);
        try
        {
            var page = await running.Client.GetStringAsync(new Uri("/", UriKind.Relative));
            Assert.Contains("action=\"admin/weight\"", page, StringComparison.Ordinal);
            Assert.Contains("action=\"admin/drain\"", page, StringComparison.Ordinal);
            Assert.Contains("action=\"admin/disable\"", page, StringComparison.Ordinal);

            var set = await Post(running.Client, "/admin/weight", new() { ["service"] = "tcp/10.0.0.100:80", ["server"] = "10.0.0.11:80", ["weight"] = "5" }, $"http://{running.Client.BaseAddress!.Authority}");
            Assert.Equal(HttpStatusCode.SeeOther, set.StatusCode);
            Assert.Equal("../", set.Headers.Location?.OriginalString);
            Assert.Equal(5, WeightOf(running.Host, "10.0.0.11"));
            Assert.Equal(1, WeightOf(running.Host, "10.0.0.12"));
            Assert.True(running.Host.Handler.Status().UnsavedRuntimeEdits);

            Assert.Equal(HttpStatusCode.SeeOther, (await Post(running.Client, "/admin/drain", new() { ["service"] = "tcp/10.0.0.100:80", ["server"] = "10.0.0.12:80" })).StatusCode);
            Assert.Equal(0, WeightOf(running.Host, "10.0.0.12"));

            Assert.Equal(HttpStatusCode.SeeOther, (await Post(running.Client, "/admin/disable", new() { ["service"] = "tcp/10.0.0.100:80" })).StatusCode);
            Assert.Equal(0, WeightOf(running.Host, "10.0.0.11"));
        }
        finally
        {
            await StopAsync(running);
        }
    }

    [Fact]
    public async Task BadOrForeignRequests_AreRefused_AndChangeNothing()
    {
        var running = await StartAsync(adminActions: true);
        try
        {
            var form = new Dictionary<string, string> { ["service"] = "tcp/10.0.0.100:80", ["server"] = "10.0.0.11:80", ["weight"] = "9" };
            Assert.Equal(HttpStatusCode.Forbidden, (await Post(running.Client, "/admin/weight", form, "http://evil.example")).StatusCode);

            using (var crossSite = new HttpRequestMessage(HttpMethod.Post, "/admin/weight") { Content = new FormUrlEncodedContent(form) })
            {
                crossSite.Headers.Add("Sec-Fetch-Site", "cross-site");
                Assert.Equal(HttpStatusCode.Forbidden, (await running.Client.SendAsync(crossSite)).StatusCode);
            }

            using (var anonymous = new HttpClient { BaseAddress = running.Client.BaseAddress })
            {
                Assert.Equal(HttpStatusCode.Unauthorized, (await Post(anonymous, "/admin/weight", form)).StatusCode);
            }

            var tooHeavy = await Post(running.Client, "/admin/weight", new() { ["service"] = "tcp/10.0.0.100:80", ["server"] = "10.0.0.11:80", ["weight"] = "70000" });
            Assert.Equal(HttpStatusCode.BadRequest, tooHeavy.StatusCode);
            Assert.Contains("not a number from 0 to 65535", await tooHeavy.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            var missing = await Post(running.Client, "/admin/drain", new() { ["service"] = "tcp/10.0.0.100:80", ["server"] = "10.0.0.13:80" });
            Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
            Assert.Contains("No such destination", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.BadRequest, (await Post(running.Client, "/admin/disable", new() { ["service"] = "<script>" })).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await Post(running.Client, "/admin/reboot", new() { ["service"] = "tcp/10.0.0.100:80" })).StatusCode);

            Assert.Equal(1, WeightOf(running.Host, "10.0.0.11"));
            Assert.False(running.Host.Handler.Status().UnsavedRuntimeEdits);
        }
        finally
        {
            await StopAsync(running);
        }
    }

    [Fact]
    public async Task WithoutAdminActions_NoFormsAndNoPost()
    {
        var running = await StartAsync(adminActions: false);
        try
        {
            Assert.DoesNotContain("<form", await running.Client.GetStringAsync(new Uri("/", UriKind.Relative)), StringComparison.Ordinal);
            var refused = await Post(running.Client, "/admin/weight", new() { ["service"] = "tcp/10.0.0.100:80", ["server"] = "10.0.0.11:80", ["weight"] = "5" });
            Assert.Equal(HttpStatusCode.MethodNotAllowed, refused.StatusCode);
            Assert.Equal(1, WeightOf(running.Host, "10.0.0.11"));
        }
        finally
        {
            await StopAsync(running);
        }
    }
}
