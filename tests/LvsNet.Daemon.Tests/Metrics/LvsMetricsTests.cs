using System.Net;
using LvsNet.Cli.Ipvsadm;
using LvsNet.Daemon.Metrics;
using LvsNet.Daemon.Tests.Control;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace LvsNet.Daemon.Tests.Metrics;

public class LvsMetricsTests
{
    private static (LvsMetrics Metrics, PrometheusExporter Exporter) Create(ControlTestHost host)
    {
        var metrics = new LvsMetrics(host.Runtime, host.Capture, host.Reload);
        return (metrics, new PrometheusExporter(instrument => ReferenceEquals(instrument.Meter, metrics.Meter)));
    }

    [Fact]
    public async Task Scrape_ServicesAndServers_InPrometheusTextFormat()
    {
        await using var host = await ControlTestHost.StartAsync();
        var (metrics, exporter) = Create(host);
        using (metrics)
        using (exporter)
        {
            var text = exporter.Scrape();
            Assert.Contains("# HELP lvsnet_service_connections_total Connections scheduled to the virtual service\n# TYPE lvsnet_service_connections_total counter\n", text, StringComparison.Ordinal);
            Assert.Contains("lvsnet_service_connections_total{service=\"tcp/10.0.0.100:80\",name=\"web\"} 0\n", text, StringComparison.Ordinal);
            Assert.Contains("lvsnet_service_packets_total{service=\"tcp/10.0.0.100:80\",name=\"web\",direction=\"in\"} 0\n", text, StringComparison.Ordinal);
            Assert.Contains("# TYPE lvsnet_server_connections_active gauge\n", text, StringComparison.Ordinal);
            Assert.Contains("lvsnet_server_weight{service=\"tcp/10.0.0.100:80\",server=\"10.0.0.12:80\"} 1\n", text, StringComparison.Ordinal);
            Assert.Contains("lvsnet_config_snapshot 1\n", text, StringComparison.Ordinal);

            // No capture thread here: its instruments are declared but have no samples.
            Assert.Contains("# TYPE lvsnet_datapath_drops_total counter\n", text, StringComparison.Ordinal);
            Assert.DoesNotContain("lvsnet_datapath_drops_total{", text, StringComparison.Ordinal);
            Assert.DoesNotContain("\nlvsnet_config_last_reload_success ", text, StringComparison.Ordinal);

            host.Handler.Reload();
            host.Handler.Edit([new LvsNet.Cli.Ipvsadm.IpvsadmParser().Parse(["-e", "-t", "10.0.0.100:80", "-r", "10.0.0.12", "-w", "0"]).Operation!]);
            text = exporter.Scrape();
            Assert.Contains("lvsnet_server_weight{service=\"tcp/10.0.0.100:80\",server=\"10.0.0.12:80\"} 0\n", text, StringComparison.Ordinal);
            Assert.Contains("lvsnet_config_last_reload_success 1\n", text, StringComparison.Ordinal);
            Assert.Contains("lvsnet_config_snapshot 3\n", text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("lvsnet.server.connections.active", "lvsnet_server_connections_active")]
    [InlineData("9lives", "_9lives")]
    [InlineData("a-b c", "a_b_c")]
    public void MetricName_IsPrometheusSafe(string name, string expected) => Assert.Equal(expected, PrometheusExporter.MetricName(name));

    [Fact]
    public async Task Endpoint_ServesMetricsOnLoopbackOnly()
    {
        await using var host = await ControlTestHost.StartAsync();
        var (metrics, exporter) = Create(host);
        using (metrics)
        using (exporter)
        {
            var endpoint = new MetricsEndpointService(exporter, 0, NullLogger<MetricsEndpointService>.Instance);
            await endpoint.StartAsync(CancellationToken.None);
            try
            {
                var port = Assert.NotNull(endpoint.BoundPort);
                using var http = new HttpClient();
                var response = await http.GetAsync($"http://127.0.0.1:{port}/metrics");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
                Assert.Contains("lvsnet_server_weight{", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
                Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"http://127.0.0.1:{port}/")).StatusCode);
            }
            finally
            {
                await endpoint.StopAsync(CancellationToken.None);
                await endpoint.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Endpoint_PortInUse_DoesNotStopTheDaemon()
    {
        using var blocker = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        var port = ((IPEndPoint)blocker.LocalEndpoint).Port;
        using var exporter = new PrometheusExporter(_ => false);
        var endpoint = new MetricsEndpointService(exporter, port, NullLogger<MetricsEndpointService>.Instance);
        await endpoint.StartAsync(CancellationToken.None);
        Assert.Null(endpoint.BoundPort);
        await endpoint.DisposeAsync();
    }
}
