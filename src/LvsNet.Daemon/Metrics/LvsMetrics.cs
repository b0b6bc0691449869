using System.Diagnostics.Metrics;
using LvsNet.Control.Protocol;
using LvsNet.Core;
using LvsNet.Core.DataPath;
using LvsNet.Core.Runtime;
using LvsNet.Daemon.Control;
using LvsNet.Packets;
using Microsoft.Extensions.Hosting;

namespace LvsNet.Daemon.Metrics;

/// <summary>
/// The daemon's System.Diagnostics.Metrics instruments (meter <see cref="MeterName"/>): per service
/// and per real server connections, packets and bytes; data-path frames and drops by reason;
/// connection-table occupancy; capture statistics; configuration state.
/// </summary>
/// <remarks>
/// Every instrument is observable: values are read from the counters the data path already keeps,
/// only when a listener collects (a Prometheus scrape, <c>dotnet-counters</c>), so the per-packet
/// path is untouched. Counters are the raw, monotonic ones (<c>ipvsadm -Z</c> does not reset them).
/// Tags: <c>service</c> ("tcp/10.0.0.100:80"), <c>name</c> (the configured name, may be empty),
/// <c>server</c> ("10.0.0.11:80"), <c>direction</c> (in, out), <c>reason</c>, <c>result</c>.
/// </remarks>
public sealed partial class LvsMetrics : IHostedService, IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "LvsNet";

    private readonly LvsRuntime _runtime;
    private readonly CaptureService _capture;
    private readonly ReloadService _reload;
    private readonly Meter _meter;

    /// <summary>Creates the meter and its instruments.</summary>
    public LvsMetrics(LvsRuntime runtime, CaptureService capture, ReloadService reload)
    {
        _runtime = runtime;
        _capture = capture;
        _reload = reload;
        _meter = new Meter(MeterName, typeof(LvsMetrics).Assembly.GetName().Version?.ToString());

        _meter.CreateObservableCounter("lvsnet.service.connections", () => Services(s => s.Counters.Connections), "{connection}", "Connections scheduled to the virtual service");
        _meter.CreateObservableCounter("lvsnet.service.packets", () => Services(s => s.Counters.InPackets, s => s.Counters.OutPackets), "{packet}", "Packets of the virtual service: in = from clients, out = replies (NAT)");
        _meter.CreateObservableCounter("lvsnet.service.bytes", () => Services(s => s.Counters.InBytes, s => s.Counters.OutBytes), "By", "Bytes of the virtual service: in = from clients, out = replies (NAT)");

        _meter.CreateObservableCounter("lvsnet.server.connections", () => Servers(s => s.Connections), "{connection}", "Connections scheduled to the real server");
        _meter.CreateObservableGauge("lvsnet.server.connections.active", () => Servers(s => s.ActiveConnections), "{connection}", "ipvsadm ActiveConn: connections in ESTABLISHED, SYN_SENT, SYN_RECV or SYNACK");
        _meter.CreateObservableGauge("lvsnet.server.connections.inactive", () => Servers(s => s.InactiveConnections), "{connection}", "ipvsadm InActConn: every other connection (all UDP)");
        _meter.CreateObservableGauge("lvsnet.server.connections.persistent", () => Servers(s => s.PersistentConnections), "{template}", "ipvsadm PersistConn: persistence templates pointing at the real server");
        _meter.CreateObservableCounter("lvsnet.server.packets", () => Servers(s => s.InPackets, s => s.OutPackets), "{packet}", "Packets of the real server: in = to it, out = its replies (NAT)");
        _meter.CreateObservableCounter("lvsnet.server.bytes", () => Servers(s => s.InBytes, s => s.OutBytes), "By", "Bytes of the real server: in = to it, out = its replies (NAT)");
        _meter.CreateObservableGauge("lvsnet.server.weight", () => Servers(s => s.Weight), "{weight}", "The real server's current weight (0 = quiescent)");
        _meter.CreateObservableGauge("lvsnet.server.weight.configured", () => Servers(s => s.Health?.ConfiguredWeight ?? s.Config.Weight), "{weight}", "The real server's weight as configured (before health checks, MISC checks and dynamic weights)");
        _meter.CreateObservableGauge("lvsnet.server.weight.effective", () => Servers(s => s.EffectiveWeight), "{weight}", "The weight the load-sharing schedulers use: the weight in force scaled by dynamic-feedback weights and agents");
        _meter.CreateObservableGauge("lvsnet.server.overloaded", () => Servers(s => s.IsOverloaded ? 1 : 0), "{bool}", "1 while a connection threshold marks the real server overloaded");

        _meter.CreateObservableCounter("lvsnet.datapath.frames", DataPathFrames, "{frame}", "Frames handed to the data path (received), forwarded to real servers, and left to the kernel (ignored)");
        _meter.CreateObservableCounter("lvsnet.datapath.drops", Drops, "{frame}", "Frames dropped by the data path, by reason");
        _meter.CreateObservableCounter("lvsnet.datapath.errors", () => _capture.Workers.Count > 0 ? [new Measurement<long>(_capture.Workers.Sum(w => w.Errors))] : Array.Empty<Measurement<long>>(), "{error}", "Unexpected exceptions caught on the capture thread (each is a bug)");
        _meter.CreateObservableGauge("lvsnet.connection_table.entries", () => _capture.Workers.Count > 0 ? [new Measurement<long>(_capture.Workers.Sum(w => (long)w.Processor.Table.Count))] : Array.Empty<Measurement<long>>(), "{connection}", "Entries in the connection table, persistence templates included");
        _meter.CreateObservableGauge("lvsnet.connection_table.capacity", () => _capture.Workers.Count > 0 ? [new Measurement<long>(_capture.Workers.Sum(w => (long)w.Processor.Table.Capacity))] : Array.Empty<Measurement<long>>(), "{connection}", "The connection table's capacity (connections.max_entries)");
        _meter.CreateObservableCounter("lvsnet.connection_table.defence_dropped", () => _capture.Workers.Count > 0 ? [new Measurement<long>(_capture.Workers.Sum(w => w.Processor.Table.DefenceDropped))] : Array.Empty<Measurement<long>>(), "{connection}", "Entries the flood defence (IPVS drop_entry) dropped from the connection table");
        _meter.CreateObservableCounter("lvsnet.connection_table.half_open_evicted", () => _capture.Workers.Count > 0 ? [new Measurement<long>(_capture.Workers.Sum(w => w.Processor.Table.HalfOpenEvicted))] : Array.Empty<Measurement<long>>(), "{connection}", "Half-open (SYN_RECV) entries among those the flood defence dropped");
        _meter.CreateObservableCounter("lvsnet.fragments", Fragments, "{fragment}", "IP fragments by outcome: held (waited for their datagram), and refused as timed_out, overlap, duplicate, tiny, malformed or pool_full (each also a drop reason)");
        _meter.CreateObservableCounter("lvsnet.fragments.datagrams", () => _capture.Counters is { } c ? [new Measurement<long>(c.FragmentedDatagrams)] : Array.Empty<Measurement<long>>(), "{datagram}", "Fragmented datagrams that arrived whole and valid and were forwarded");
        _meter.CreateObservableGauge("lvsnet.fragments.pending_datagrams", () => _capture.Workers.Count > 0 ? [new Measurement<long>(_capture.Workers.Sum(w => (long)w.Processor.Fragments.Datagrams))] : Array.Empty<Measurement<long>>(), "{datagram}", "Datagrams whose fragments are being collected now");
        _meter.CreateObservableGauge("lvsnet.fragments.buffers_in_use", () => _capture.Workers.Count > 0 ? [new Measurement<long>(_capture.Workers.Sum(w => (long)w.Processor.Fragments.BuffersInUse))] : Array.Empty<Measurement<long>>(), "{buffer}", "Fragment buffers holding a fragment now (the capacity is fragments.memory_bytes over the buffer size)");
        _meter.CreateObservableGauge("lvsnet.neighbours.entries", () => NeighbourFamilies(t => t.Entries, t => t.Entries6), "{neighbour}", "Neighbours in the daemon's own tables by family (ipv4: ARP, ipv6: neighbour discovery); each holds 4096");
        _meter.CreateObservableCounter("lvsnet.neighbours.requests", () => NeighbourFamilies(t => t.RequestsSent, t => t.SolicitationsSent), "{request}", "ARP requests and neighbour solicitations sent (resolutions and checks)");
        _meter.CreateObservableCounter("lvsnet.neighbours.failed", () => NeighbourFamilies(t => t.Failed, t => t.Failed6), "{neighbour}", "Resolutions and checks that got no answer");
        _meter.CreateObservableCounter("lvsnet.neighbours.reclaimed", () => NeighbourFamilies(t => t.Reclaimed, t => t.Reclaimed6), "{neighbour}", "Entries given to a new address because the table was full (their address never answered or was unused); grows under a flood from spoofed on-link sources");
        _meter.CreateObservableCounter("lvsnet.icmpv6.messages", Icmpv6Messages, "{message}", "ICMPv6 messages for IPv6 services by kind: echo_reply, port_unreachable, time_exceeded, packet_too_big sent; suppressed by the rate limit; forwarded (errors about tracked connections)");
        _meter.CreateObservableCounter("lvsnet.syn_proxy.cookies", SynCookies, "{cookie}", "SYN cookies: sent (SYN-ACKs answering SYNs), valid and invalid (client ACKs checked)");
        _meter.CreateObservableCounter("lvsnet.syn_proxy.connections", () => _capture.Counters is { } c ? [new Measurement<long>(c.SynProxyOpened)] : Array.Empty<Measurement<long>>(), "{connection}", "Connections the SYN proxy opened to a real server after a valid cookie");
        _meter.CreateObservableCounter("lvsnet.capture.packets", CapturePackets, "{packet}", "libpcap statistics: received by the capture, dropped by the kernel (buffer full), dropped by the interface");
        _meter.CreateObservableGauge("lvsnet.config.snapshot", () => _runtime.Current is { } snapshot ? [new Measurement<long>(snapshot.Version)] : Array.Empty<Measurement<long>>(), "{version}", "The running snapshot's version; increases with every reload or lvsnetadm edit");
        _meter.CreateObservableGauge("lvsnet.config.last_reload_success", () => _reload.LastResult is { } last ? [new Measurement<long>(last.Applied ? 1 : 0)] : Array.Empty<Measurement<long>>(), "{bool}", "1 when the last reload was applied, 0 when it was rejected (absent before the first reload)");

        CreateNodeIpvsInstruments();
    }

    /// <summary>The meter (tests scrape only their own instance).</summary>
    internal Meter Meter => _meter;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    /// <summary>"tcp/10.0.0.100:80", "tcp/[2001:db8::100]:80", or "fwmark/1" for a firewall-mark service.</summary>
    public static string ServiceTag(ServiceKey key) => key.IsFirewallMark
        ? $"fwmark/{key.FirewallMark}"
        : $"{(key.Protocol == IpProtocol.Udp ? "udp" : "tcp")}/{key.EndpointText}";

    private List<Measurement<long>> Services(Func<VirtualServiceState, long> value, Func<VirtualServiceState, long>? outValue = null)
    {
        var result = new List<Measurement<long>>();
        foreach (var service in _runtime.Current?.Services ?? [])
        {
            var service1 = new KeyValuePair<string, object?>("service", ServiceTag(service.Key));
            var name = new KeyValuePair<string, object?>("name", service.Config.Name ?? "");
            if (outValue is null)
            {
                result.Add(new Measurement<long>(value(service), service1, name));
            }
            else
            {
                result.Add(new Measurement<long>(value(service), service1, name, new("direction", "in")));
                result.Add(new Measurement<long>(outValue(service), service1, name, new("direction", "out")));
            }
        }

        return result;
    }

    private List<Measurement<long>> Servers(Func<RealServerState, long> value, Func<RealServerState, long>? outValue = null)
    {
        var result = new List<Measurement<long>>();
        foreach (var service in _runtime.Current?.Services ?? [])
        {
            var serviceTag = new KeyValuePair<string, object?>("service", ServiceTag(service.Key));
            foreach (var server in service.Servers)
            {
                var serverTag = new KeyValuePair<string, object?>("server", server.ToString());
                if (outValue is null)
                {
                    result.Add(new Measurement<long>(value(server), serviceTag, serverTag));
                }
                else
                {
                    result.Add(new Measurement<long>(value(server), serviceTag, serverTag, new("direction", "in")));
                    result.Add(new Measurement<long>(outValue(server), serviceTag, serverTag, new("direction", "out")));
                }
            }
        }

        return result;
    }

    private Measurement<long>[] DataPathFrames()
    {
        if (_capture.Counters is not { } counters)
        {
            return [];
        }

        return
        [
            new(counters.Received, new KeyValuePair<string, object?>("result", "received")),
            new(counters.Forwarded, new KeyValuePair<string, object?>("result", "forwarded")),
            new(counters.Ignored, new KeyValuePair<string, object?>("result", "ignored")),
        ];
    }

    private List<Measurement<long>> Drops()
    {
        var result = new List<Measurement<long>>();
        if (_capture.Counters is { } counters)
        {
            foreach (var reason in Enum.GetValues<DropReason>())
            {
                result.Add(new Measurement<long>(counters[reason], new KeyValuePair<string, object?>("reason", reason.ToString())));
            }
        }

        return result;
    }

    private Measurement<long>[] NeighbourFamilies(Func<NeighbourStatus, long> ipv4, Func<NeighbourStatus, long> ipv6)
    {
        if (_capture.Workers.Count == 0)
        {
            return [];
        }

        var status = DefenceStatus.Neighbours(_capture.Workers);
        return
        [
            new(ipv4(status), new KeyValuePair<string, object?>("family", "ipv4")),
            new(ipv6(status), new KeyValuePair<string, object?>("family", "ipv6")),
        ];
    }

    private Measurement<long>[] Fragments()
    {
        if (_capture.Counters is not { } c)
        {
            return [];
        }

        return
        [
            new(c.FragmentsHeld, new KeyValuePair<string, object?>("result", "held")),
            new(c[DropReason.FragmentTimeout], new KeyValuePair<string, object?>("result", "timed_out")),
            new(c[DropReason.FragmentOverlap], new KeyValuePair<string, object?>("result", "overlap")),
            new(c[DropReason.FragmentDuplicate], new KeyValuePair<string, object?>("result", "duplicate")),
            new(c[DropReason.FragmentTiny], new KeyValuePair<string, object?>("result", "tiny")),
            new(c[DropReason.FragmentMalformed], new KeyValuePair<string, object?>("result", "malformed")),
            new(c[DropReason.FragmentNoBuffer], new KeyValuePair<string, object?>("result", "pool_full")),
        ];
    }

    private Measurement<long>[] SynCookies()
    {
        if (_capture.Counters is not { } c)
        {
            return [];
        }

        return
        [
            new(c.SynCookiesSent, new KeyValuePair<string, object?>("result", "sent")),
            new(c.SynCookiesValid, new KeyValuePair<string, object?>("result", "valid")),
            new(c[DropReason.SynCookieInvalid], new KeyValuePair<string, object?>("result", "invalid")),
        ];
    }

    private Measurement<long>[] CapturePackets()
    {
        if (_capture.CaptureStatistics is not { } statistics)
        {
            return [];
        }

        return
        [
            new(statistics.Received, new KeyValuePair<string, object?>("result", "received")),
            new(statistics.Dropped, new KeyValuePair<string, object?>("result", "dropped")),
            new(statistics.InterfaceDropped, new KeyValuePair<string, object?>("result", "interface_dropped")),
        ];
    }
}
