using LvsNet.Cli.Ipvsadm;
using LvsNet.Core;
using LvsNet.Core.Connections;
using LvsNet.Daemon.Control;
using LvsNet.Daemon.Metrics;
using LvsNet.Daemon.Status;
using LvsNet.Daemon.Tests.Control;
using LvsNet.Packets;
using LvsNet.Packets.Ipv6;
using Xunit;

namespace LvsNet.Daemon.Tests.Metrics;

/// <summary>IPv6 services and real servers in metrics, status keys and connection rows: their own addresses, never 0.0.0.0.</summary>
public class Ipv6MetricsTests
{
    private static void AddIpv6Service(ControlTestHost host)
    {
        var parser = new IpvsadmParser();
        var response = host.Handler.Edit(
        [
            parser.Parse(["-A", "-t", "[2001:db8::100]:80", "-s", "rr"]).Operation!,
            parser.Parse(["-a", "-t", "[2001:db8::100]:80", "-r", "[2001:db8::11]:80", "-w", "3"]).Operation!,
        ]);
        Assert.True(response.Ok, response.Error);
    }

    [Fact]
    public async Task Scrape_Ipv6ServiceAndServer_LabelledWithTheirAddresses()
    {
        await using var host = await ControlTestHost.StartAsync();
        AddIpv6Service(host);
        var metrics = new LvsMetrics(host.Runtime, host.Capture, host.Reload);
        using var exporter = new PrometheusExporter(instrument => ReferenceEquals(instrument.Meter, metrics.Meter));
        using (metrics)
        {
            var text = exporter.Scrape();
            Assert.Contains("lvsnet_service_connections_total{service=\"tcp/[2001:db8::100]:80\",name=\"\"} 0\n", text, StringComparison.Ordinal);
            Assert.Contains("lvsnet_server_weight{service=\"tcp/[2001:db8::100]:80\",server=\"[2001:db8::11]:80\"} 3\n", text, StringComparison.Ordinal);

            // node_exporter's ipvs collector prints addresses with net.IP.String(): IPv6 bare, no brackets.
            Assert.Contains("node_ipvs_backend_weight{local_address=\"2001:db8::100\",local_port=\"80\",remote_address=\"2001:db8::11\",remote_port=\"80\",proto=\"TCP\",local_mark=\"\"} 3\n", text, StringComparison.Ordinal);
            Assert.DoesNotContain("0.0.0.0", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Keys_Ipv6_AreBracketedEndpoints()
    {
        var service = new ServiceKey(IpProtocol.Udp, 0, 53, 0, Ipv6Address.Parse("2001:db8::100"));
        Assert.Equal("udp/[2001:db8::100]:53", LvsMetrics.ServiceTag(service));
        Assert.Equal("udp/[2001:db8::100]:53", StatusHistory.KeyOf(service));
        Assert.Equal("UDP [2001:db8::100]:53 -> [2001:db8::11]:53", new RealServerKey(service, 0, 53, Ipv6Address.Parse("2001:db8::11")).ToString());
    }

    [Fact]
    public async Task ConnectionRow_Ipv6Entry_CarriesItsAddressesAndTheServersAddress()
    {
        await using var host = await ControlTestHost.StartAsync();
        AddIpv6Service(host);
        var server = host.Runtime.Current!.ServersById.Single(s => s is { IsIpv6: true })!;
        var entry = new Ipv6ConnectionEntry
        {
            ClientAddress = Ipv6Address.Parse("2001:db8:1::a"),
            ClientPort = 40000,
            VirtualAddress = Ipv6Address.Parse("2001:db8::100"),
            VirtualPort = 80,
            Protocol = IpProtocol.Tcp,
            State = ConnectionState.Established,
            Flags = ConnectionFlags.InUse,
            RealServerId = server.Id,
            ExpiresAt = 1000 + (uint)(900 * ConnectionClock.TicksPerSecond),
        };
        var row = ConnectionRows.Of(entry, server, 1000);
        Assert.Equal(("TCP", "2001:db8:1::a", (ushort)40000, "2001:db8::100", (ushort)80, "2001:db8::11", (ushort)80, "ESTABLISHED", 900L), (row.Protocol, row.ClientAddress, row.ClientPort, row.VirtualAddress, row.VirtualPort, row.DestinationAddress, row.DestinationPort, row.State, row.ExpiresSeconds));
    }
}
