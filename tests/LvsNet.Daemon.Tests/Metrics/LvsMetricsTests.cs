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
            Assert.Contains("lvsnet_server_weight_configured{service=\"tcp/10.0.0.100:80\",server=\"10.0.0.12:80\"} 1\n", text, StringComparison.Ordinal);
            Assert.Contains("lvsnet_server_weight_effective{service=\"tcp/10.0.0.100:80\",server=\"10.0.0.12:80\"} 1\n", text, StringComparison.Ordinal);
            Assert.Contains("lvsnet_config_snapshot 1\n", text, StringComparison.Ordinal);

            // No capture thread here: its instruments are declared but have no samples.
            Assert.Contains("# TYPE lvsnet_datapath_drops_total counter\n", text, StringComparison.Ordinal);
            Assert.Contains("# TYPE lvsnet_fragments_total counter\n", text, StringComparison.Ordinal);
            Assert.Contains("# TYPE lvsnet_fragments_datagrams_total counter\n", text, StringComparison.Ordinal);
            Assert.Contains("# TYPE lvsnet_fragments_pending_datagrams gauge\n", text, StringComparison.Ordinal);
            Assert.Contains("# TYPE lvsnet_fragments_buffers_in_use gauge\n", text, StringComparison.Ordinal);
            Assert.Contains("# TYPE lvsnet_syn_proxy_cookies_total counter\n", text, StringComparison.Ordinal);
            Assert.Contains("# TYPE lvsnet_neighbours_entries gauge\n", text, StringComparison.Ordinal);
            Assert.Contains("# TYPE lvsnet_neighbours_requests_total counter\n", text, StringComparison.Ordinal);
            Assert.Contains("# TYPE lvsnet_neighbours_failed_total counter\n", text, StringComparison.Ordinal);
            Assert.Contains("# TYPE lvsnet_neighbours_reclaimed_total counter\n", text, StringComparison.Ordinal);
            Assert.DoesNotContain("lvsnet_neighbours_entries{", text, StringComparison.Ordinal);
            Assert.Contains("# TYPE lvsnet_syn_proxy_connections_total counter\n", text, StringComparison.Ordinal);
            Assert.DoesNotContain("lvsnet_fragments_total{", text, StringComparison.Ordinal);
            Assert.DoesNotContain("lvsnet_datapath_drops_total{", text, StringComparison.Ordinal);
            Assert.DoesNotContain("\nlvsnet_config_last_reload_success ", text, StringComparison.Ordinal);

            host.Handler.Reload();
            host.Handler.Edit([new LvsNet.Cli.Ipvsadm.IpvsadmParser().Parse(["-e", "-t", "10.0.0.100:80", "-r", "10.0.0.12", "-w", "0"]).Operation!]);
            text = exporter.Scrape();
            Assert.Contains("lvsnet_server_weight{service=\"tcp/10.0.0.100:80\",server=\"10.0.0.12:80\"} 0\n", text, StringComparison.Ordinal);
            Assert.Contains("lvsnet_server_weight_effective{service=\"tcp/10.0.0.100:80\",server=\"10.0.0.12:80\"} 0\n", text, StringComparison.Ordinal);
            Assert.Contains("lvsnet_config_last_reload_success 1\n", text, StringComparison.Ordinal);
            Assert.Contains("lvsnet_config_snapshot 3\n", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Scrape_NodeExporterIpvsMetrics_SameNamesHelpTypesAndLabels()
    {
        // Names, help texts, types and label names as node_exporter's collector/ipvs_linux.go declares them.
        await using var host = await ControlTestHost.StartAsync();
        var (metrics, exporter) = Create(host);
        using (metrics)
        using (exporter)
        {
            var text = exporter.Scrape();
            Assert.Contains("# HELP node_ipvs_connections_total The total number of connections made.\n# TYPE node_ipvs_connections_total counter\nnode_ipvs_connections_total 0\n", text, StringComparison.Ordinal);
            Assert.Contains("# HELP node_ipvs_incoming_packets_total The total number of incoming packets.\n# TYPE node_ipvs_incoming_packets_total counter\nnode_ipvs_incoming_packets_total 0\n", text, StringComparison.Ordinal);
            Assert.Contains("# HELP node_ipvs_outgoing_packets_total The total number of outgoing packets.\n# TYPE node_ipvs_outgoing_packets_total counter\nnode_ipvs_outgoing_packets_total 0\n", text, StringComparison.Ordinal);
            Assert.Contains("# HELP node_ipvs_incoming_bytes_total The total amount of incoming data.\n# TYPE node_ipvs_incoming_bytes_total counter\nnode_ipvs_incoming_bytes_total 0\n", text, StringComparison.Ordinal);
            Assert.Contains("# HELP node_ipvs_outgoing_bytes_total The total amount of outgoing data.\n# TYPE node_ipvs_outgoing_bytes_total counter\nnode_ipvs_outgoing_bytes_total 0\n", text, StringComparison.Ordinal);
            Assert.Contains("# HELP node_ipvs_backend_connections_active The current active connections by local and remote address.\n# TYPE node_ipvs_backend_connections_active gauge\n", text, StringComparison.Ordinal);
            Assert.Contains("# HELP node_ipvs_backend_connections_inactive The current inactive connections by local and remote address.\n# TYPE node_ipvs_backend_connections_inactive gauge\n", text, StringComparison.Ordinal);
            Assert.Contains("# HELP node_ipvs_backend_weight The current backend weight by local and remote address.\n# TYPE node_ipvs_backend_weight gauge\n", text, StringComparison.Ordinal);
            const string Rs1 = "{local_address=\"10.0.0.100\",local_port=\"80\",remote_address=\"10.0.0.11\",remote_port=\"80\",proto=\"TCP\",local_mark=\"\"}";
            const string Rs2 = "{local_address=\"10.0.0.100\",local_port=\"80\",remote_address=\"10.0.0.12\",remote_port=\"80\",proto=\"TCP\",local_mark=\"\"}";
            Assert.Contains($"node_ipvs_backend_weight{Rs1} 1\n", text, StringComparison.Ordinal);
            Assert.Contains($"node_ipvs_backend_weight{Rs2} 1\n", text, StringComparison.Ordinal);
            Assert.Contains($"node_ipvs_backend_connections_active{Rs1} 0\n", text, StringComparison.Ordinal);
            Assert.Contains($"node_ipvs_backend_connections_inactive{Rs2} 0\n", text, StringComparison.Ordinal);
            Assert.Equal(["local_address", "local_port", "remote_address", "remote_port", "proto", "local_mark"], LvsMetrics.NodeIpvsBackendLabels);

            // A real server's weight follows an edit; a deleted service leaves the backends but not the totals.
            host.Handler.Edit([new IpvsadmParser().Parse(["-e", "-t", "10.0.0.100:80", "-r", "10.0.0.12", "-w", "3"]).Operation!]);
            Assert.Contains($"node_ipvs_backend_weight{Rs2} 3\n", exporter.Scrape(), StringComparison.Ordinal);
            host.Handler.Edit([new IpvsadmParser().Parse(["-D", "-t", "10.0.0.100:80"]).Operation!]);
            text = exporter.Scrape();
            Assert.DoesNotContain("node_ipvs_backend_weight{", text, StringComparison.Ordinal);
            Assert.Contains("\nnode_ipvs_connections_total 0\n", text, StringComparison.Ordinal);
        }
    }

    [RequiresPromtoolFact]
    public async Task Scrape_PassesPromtoolCheckMetrics()
    {
        await using var host = await ControlTestHost.StartAsync();
        var (metrics, exporter) = Create(host);
        using var latency = new System.Diagnostics.Metrics.Meter("LvsNet.Tests.Latency");
        latency.CreateObservableGauge("lvsnet.health.check_latency", () => 0.004, "s", "The latency of the last successful network check");
        using var both = new PrometheusExporter(instrument => ReferenceEquals(instrument.Meter, metrics.Meter) || ReferenceEquals(instrument.Meter, latency));
        using (metrics)
        using (exporter)
        {
            var text = both.Scrape();
            Assert.Contains("lvsnet_health_check_latency_seconds 0.004\n", text, StringComparison.Ordinal);
            Assert.Contains("node_ipvs_backend_weight{", text, StringComparison.Ordinal);
            var (code, output) = Promtool.CheckMetrics(text);
            Assert.True(code == 0 && output.Length == 0, $"promtool check metrics exited {code}:\n{output}");

            // The check can fail: a counter without its suffix and help is refused.
            var (badCode, badOutput) = Promtool.CheckMetrics("# TYPE lvsnet_frames counter\nlvsnet_frames 1\n");
            Assert.NotEqual(0, badCode);
            Assert.Contains("lvsnet_frames", badOutput, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("lvsnet.health.check_latency", "s", "lvsnet_health_check_latency_seconds")]
    [InlineData("lvsnet.service.bytes", "By", "lvsnet_service_bytes")]
    [InlineData("lvsnet.capture.buffer", "By", "lvsnet_capture_buffer_bytes")]
    [InlineData("lvsnet.server.connections", "{connection}", "lvsnet_server_connections")]
    [InlineData("node_ipvs_backend_weight", null, "node_ipvs_backend_weight")]
    public void MetricName_AddsTheBaseUnit(string name, string? unit, string expected) => Assert.Equal(expected, PrometheusExporter.MetricName(name, unit));

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
