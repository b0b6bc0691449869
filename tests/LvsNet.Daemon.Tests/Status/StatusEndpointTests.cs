using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using LvsNet.Control.Listings;
using LvsNet.Control.Protocol;
using LvsNet.Core.Configuration;
using LvsNet.Daemon.Metrics;
using LvsNet.Daemon.Status;
using LvsNet.Daemon.Tests.Control;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace LvsNet.Daemon.Tests.Status;

/// <summary>The HTTP endpoint with the status page, on 127.0.0.1 with a free port, over the control test host (no capture).</summary>
public class StatusEndpointTests
{
    // sha256("secret"), as sha256sum prints it.
    private const string SecretHash = "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b";

    private static async Task<(ControlTestHost Host, MetricsEndpointService Endpoint, HttpClient Client)> StartAsync(HttpEndpointConfig? config = null, HttpMessageHandler? handler = null)
    {
        var host = await ControlTestHost.StartAsync();
        var views = new StatusViewBuilder(host.Handler, new StatusHistory(), [], TimeProvider.System);
        var settings = new HttpEndpointSettings(HttpEndpointConfig.Loopback, 0, config);
        var endpoint = new MetricsEndpointService(new PrometheusExporter(LvsMetrics.MeterName), settings, new StatusPageHandler(views, settings), NullLogger<MetricsEndpointService>.Instance);
        await endpoint.StartAsync(CancellationToken.None);
        Assert.NotNull(endpoint.BoundPort);
        var scheme = config?.TlsCertificate is null ? "http" : "https";
        var client = new HttpClient(handler ?? new HttpClientHandler()) { BaseAddress = new Uri($"{scheme}://127.0.0.1:{endpoint.BoundPort}/"), Timeout = TimeSpan.FromSeconds(10) };
        return (host, endpoint, client);
    }

    private static async Task StopAsync((ControlTestHost Host, MetricsEndpointService Endpoint, HttpClient Client) running)
    {
        running.Client.Dispose();
        await running.Endpoint.StopAsync(CancellationToken.None);
        await running.Endpoint.DisposeAsync();
        await running.Host.DisposeAsync();
    }

    [Fact]
    public async Task Page_ShowsTheServicesAndServers_WithoutExternalAssets()
    {
        var running = await StartAsync();
        try
        {
            var response = await running.Client.GetAsync(new Uri("/", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            var html = await response.Content.ReadAsStringAsync();
            Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
            Assert.Contains("data-service=\"tcp/10.0.0.100:80\"", html, StringComparison.Ordinal);
            Assert.Contains("<tr class=\"rs\" data-server=\"10.0.0.11:80\" data-state=\"up\"", html, StringComparison.Ordinal);
            Assert.Contains("<tr class=\"rs\" data-server=\"10.0.0.12:80\" data-state=\"up\"", html, StringComparison.Ordinal);
            Assert.Contains("The capture is not running.", html, StringComparison.Ordinal);

            // Everything is inline: no element loads anything from elsewhere.
            Assert.DoesNotContain(" src=", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<link", html, StringComparison.Ordinal);
            Assert.DoesNotContain("http://", html.Replace("http-equiv", "", StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);

            Assert.Equal(HttpStatusCode.NotFound, (await running.Client.GetAsync(new Uri("/nothing", UriKind.Relative))).StatusCode);
            // No meter is created in this test: the scrape is empty but served as Prometheus text.
            var metrics = await running.Client.GetAsync(new Uri("/metrics", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
            Assert.Equal("text/plain", metrics.Content.Headers.ContentType?.MediaType);
        }
        finally
        {
            await StopAsync(running);
        }
    }

    [Fact]
    public async Task Json_CarriesTheStatusAndTheHealthListing()
    {
        var running = await StartAsync();
        try
        {
            using var json = JsonDocument.Parse(await running.Client.GetStringAsync(new Uri("/status.json", UriKind.Relative)));
            var root = json.RootElement;
            Assert.Equal(1, root.GetProperty("status").GetProperty("services").GetInt32());
            var service = root.GetProperty("listing").GetProperty("services")[0];
            Assert.Equal("10.0.0.100", service.GetProperty("address").GetString());
            var servers = service.GetProperty("servers").EnumerateArray().ToList();
            Assert.Equal(["10.0.0.11", "10.0.0.12"], servers.Select(s => s.GetProperty("address").GetString()));
            Assert.All(servers, s => Assert.Equal("not checked", s.GetProperty("health").GetString()));
            Assert.All(servers, s => Assert.Equal(1, s.GetProperty("effective_weight").GetInt32()));
            Assert.Equal(JsonValueKind.Array, root.GetProperty("reloads").ValueKind);
        }
        finally
        {
            await StopAsync(running);
        }
    }

    [Fact]
    public async Task Events_StreamRenderings_AndStoppingTheEndpointEndsThem()
    {
        var running = await StartAsync();
        try
        {
            using var response = await running.Client.GetAsync(new Uri("/status/events", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            Assert.Equal("retry: 3000", await reader.ReadLineAsync());
            Assert.Equal("", await reader.ReadLineAsync());
            Assert.Equal("event: main", await reader.ReadLineAsync());
            var data = await reader.ReadLineAsync();
            Assert.StartsWith("data: <div class=\"cards\" id=\"summary\">", data, StringComparison.Ordinal);
            Assert.Contains("data-server=\"10.0.0.12:80\"", data, StringComparison.Ordinal);

            // An open stream must not hold the daemon's stop up to the host's shutdown timeout.
            var watch = Stopwatch.StartNew();
            await running.Endpoint.StopAsync(CancellationToken.None);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"stop took {watch.Elapsed}");
        }
        finally
        {
            await StopAsync(running);
        }
    }

    [Fact]
    public async Task BasicAuthentication_GuardsEveryRoute()
    {
        var running = await StartAsync(new HttpEndpointConfig { Port = 0, Username = "ops", PasswordSha256 = SecretHash });
        try
        {
            foreach (var path in (string[])["/", "/status.json", "/metrics", "/nothing"])
            {
                var refused = await running.Client.GetAsync(new Uri(path, UriKind.Relative));
                Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
                Assert.Equal("Basic", refused.Headers.WwwAuthenticate.Single().Scheme);
            }

            async Task<HttpStatusCode> With(string user, string password)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/");
                request.Headers.Authorization = AuthenticationHeaderValue.Parse(StatusPageHandler.BasicHeader(user, password));
                return (await running.Client.SendAsync(request)).StatusCode;
            }

            Assert.Equal(HttpStatusCode.Unauthorized, await With("ops", "Secret"));
            Assert.Equal(HttpStatusCode.Unauthorized, await With("root", "secret"));
            Assert.Equal(HttpStatusCode.OK, await With("ops", "secret"));

            using var garbage = new HttpRequestMessage(HttpMethod.Get, "/");
            garbage.Headers.TryAddWithoutValidation("Authorization", "Basic %%%not-base64");
            Assert.Equal(HttpStatusCode.Unauthorized, (await running.Client.SendAsync(garbage)).StatusCode);
        }
        finally
        {
            await StopAsync(running);
        }
    }

    [Fact]
    public async Task Tls_ServesTheConfiguredCertificate()
    {
        var directory = Directory.CreateTempSubdirectory("lvsnet-tls-").FullName;
        try
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=lvsnetd test", key, HashAlgorithmName.SHA256);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
            var certificatePath = Path.Combine(directory, "status.crt");
            var keyPath = Path.Combine(directory, "status.key");
            await File.WriteAllTextAsync(certificatePath, certificate.ExportCertificatePem());
            await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());

            string? seen = null;
            using var handler = new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = (_, presented, _, _) =>
                {
                    seen = presented?.Thumbprint;
                    return presented?.Thumbprint == certificate.Thumbprint;
                },
            };
            var running = await StartAsync(new HttpEndpointConfig { Port = 0, TlsCertificate = certificatePath, TlsKey = keyPath }, handler);
            try
            {
                var html = await running.Client.GetStringAsync(new Uri("/", UriKind.Relative));
                Assert.Contains("data-service=\"tcp/10.0.0.100:80\"", html, StringComparison.Ordinal);
                Assert.Equal(certificate.Thumbprint, seen);
            }
            finally
            {
                await StopAsync(running);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Renderer_EscapesNamesAndMessages()
    {
        var view = new StatusView
        {
            At = DateTimeOffset.UnixEpoch,
            Daemon = new DaemonStatus { Version = "1", ConfigPath = "/etc/<x>.yaml" },
            Listing = new IpvsListing
            {
                Services =
                [
                    new ServiceListing
                    {
                        Name = "<script>alert(1)</script>",
                        Protocol = "tcp",
                        Address = "10.0.0.100",
                        Port = 80,
                        Scheduler = "rr",
                        Servers = [new ServerListing { Address = "10.0.0.11", Port = 80, Method = "dr", Health = "down (removed)", HealthReason = "\"><img onerror=x>", Checkers = [new CheckerListing { Checker = "misc_check <b>", LastMessage = "</td><script>" }] }],
                    },
                ],
            },
            History = new StatusHistory(),
        };
        var html = StatusPageRenderer.Page(view);
        Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.DoesNotContain("</td><script>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("/etc/&lt;x&gt;.yaml", html, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, "<script>"));
    }
}
