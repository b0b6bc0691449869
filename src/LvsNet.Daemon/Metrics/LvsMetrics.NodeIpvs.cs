using System.Diagnostics.Metrics;
using System.Globalization;
using LvsNet.Core;
using LvsNet.Packets;

namespace LvsNet.Daemon.Metrics;

/// <summary>
/// The instruments that repeat node_exporter's IPVS collector (collector/ipvs_linux.go): the same
/// metric names, help texts, types and label names, so that dashboards and alerts written for an
/// IPVS director read lvsnetd unchanged.
/// </summary>
/// <remarks>
/// node_exporter reads <c>/proc/net/ip_vs_stats</c> for the five global totals and
/// <c>/proc/net/ip_vs</c> for one series per real server, labelled <c>local_address</c>,
/// <c>local_port</c> (the virtual service), <c>remote_address</c>, <c>remote_port</c> (the real
/// server), <c>proto</c> (TCP, UDP; FWM for a firewall-mark service, whose <c>local_mark</c> is
/// the mark and whose local address is empty) and <c>local_mark</c> (empty otherwise). The totals
/// include services since deleted, as the kernel's do.
/// </remarks>
public sealed partial class LvsMetrics
{
    /// <summary>node_exporter's IPVS backend label names, in its order.</summary>
    public static readonly string[] NodeIpvsBackendLabels = ["local_address", "local_port", "remote_address", "remote_port", "proto", "local_mark"];

    private void CreateNodeIpvsInstruments()
    {
        // Names without "_total": the exporter appends it to every counter, as Prometheus clients do.
        _meter.CreateObservableCounter("node_ipvs_connections", () => Totals(c => c.Connections), description: "The total number of connections made.");
        _meter.CreateObservableCounter("node_ipvs_incoming_packets", () => Totals(c => c.InPackets), description: "The total number of incoming packets.");
        _meter.CreateObservableCounter("node_ipvs_outgoing_packets", () => Totals(c => c.OutPackets), description: "The total number of outgoing packets.");
        _meter.CreateObservableCounter("node_ipvs_incoming_bytes", () => Totals(c => c.InBytes), description: "The total amount of incoming data.");
        _meter.CreateObservableCounter("node_ipvs_outgoing_bytes", () => Totals(c => c.OutBytes), description: "The total amount of outgoing data.");
        _meter.CreateObservableGauge("node_ipvs_backend_connections_active", () => Backends(s => s.ActiveConnections), description: "The current active connections by local and remote address.");
        _meter.CreateObservableGauge("node_ipvs_backend_connections_inactive", () => Backends(s => s.InactiveConnections), description: "The current inactive connections by local and remote address.");
        _meter.CreateObservableGauge("node_ipvs_backend_weight", () => Backends(s => s.Weight), description: "The current backend weight by local and remote address.");
    }

    private Measurement<long> Totals(Func<ServiceCounters, long> value)
    {
        long sum = 0;
        foreach (var counters in _runtime.AllServiceCounters())
        {
            sum += value(counters);
        }

        return new Measurement<long>(sum);
    }

    private List<Measurement<long>> Backends(Func<RealServerState, long> value)
    {
        var result = new List<Measurement<long>>();
        foreach (var service in _runtime.Current?.Services ?? [])
        {
            // node_exporter's ipvs collector prints addresses bare (net.IP.String()), IPv6 ones included.
            var localAddress = service.Key.AddressText;
            var localPort = service.Key.Port.ToString(CultureInfo.InvariantCulture);
            var proto = service.Key.Protocol == IpProtocol.Udp ? "UDP" : "TCP";
            foreach (var server in service.Servers)
            {
                result.Add(new Measurement<long>(
                    value(server),
                    new("local_address", localAddress),
                    new("local_port", localPort),
                    new("remote_address", server.IsIpv6 ? server.Address6.ToString() : Ipv4Address.Format(server.Address)),
                    new("remote_port", server.Port.ToString(CultureInfo.InvariantCulture)),
                    new("proto", proto),
                    new("local_mark", "")));
            }
        }

        return result;
    }
}
